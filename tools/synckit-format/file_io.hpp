// Reading keys, passwords and input for synckit-format. Secrets land in wiping types.
#pragma once

#include <string>

#include "synckit/bytes.hpp"
#include "synckit/crypto/keys.hpp"
#include "synckit/secret.hpp"

namespace synckit::format_tool {

// The whole of standard input.
Bytes read_stdin();
// A master key file: base64 of 32 bytes, one trailing newline allowed. Throws Error.
MasterKey read_key_file(const std::string& path);
// A password file: its bytes, less one trailing "\n" or "\r\n". Throws Error.
SecretBuffer read_password_file(const std::string& path);
// Writes bytes to standard output; throws Error if that fails.
void write_stdout(ByteView bytes);

}  // namespace synckit::format_tool
