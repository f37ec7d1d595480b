// Reading keys, passwords and input for synckit-format. Secrets land in wiping types.
#pragma once

#include <cstdio>
#include <functional>
#include <string>

#include "synckit/bytes.hpp"
#include "synckit/crypto/keys.hpp"
#include "synckit/crypto/recovery.hpp"
#include "synckit/secret.hpp"

namespace synckit::format_tool {

// The whole of standard input.
Bytes read_stdin();
// Standard input in pieces of at most 64 KiB, each handed to `piece` as it is read. Throws Error.
void read_stdin_pieces(const std::function<void(ByteView)>& piece);
// A master key file: base64 of 32 bytes, one trailing newline allowed. Throws Error.
MasterKey read_key_file(const std::string& path);
// A password file: its bytes, less one trailing "\n" or "\r\n". Throws Error.
SecretBuffer read_password_file(const std::string& path);
// A recovery code file: the code as a user would type it (case, spaces and dashes do not matter),
// less one trailing "\n" or "\r\n". Throws Error{invalid_input} (field "recovery_code") for a
// code that does not read, the message never quoting it.
RecoveryKey read_code_file(const std::string& path);
// Writes bytes to standard output; throws Error if that fails.
void write_stdout(ByteView bytes);

// A file written as PATH.partial (created exclusively) and moved onto PATH by commit() after an
// fsync; destroyed before commit(), it removes PATH.partial, so PATH is whole or untouched.
// Throws Error{invalid_input} when a step fails (a PATH.partial already there included).
class FileCommit {
 public:
  explicit FileCommit(std::string path);
  ~FileCommit();
  FileCommit(const FileCommit&) = delete;
  FileCommit& operator=(const FileCommit&) = delete;
  void write(ByteView bytes);
  void commit();

 private:
  std::string path_;
  std::string partial_;
  std::FILE* file_ = nullptr;
};

}  // namespace synckit::format_tool
