// Reading keys, passwords and input for synckit-format. Secrets land in wiping types.
#pragma once

#include <string>

#include "synckit/bytes.hpp"
#include "synckit/crypto/keys.hpp"
#include "synckit/crypto/recovery.hpp"
#include "synckit/secret.hpp"

namespace synckit::format_tool {

// The whole of standard input.
Bytes read_stdin();
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

}  // namespace synckit::format_tool
