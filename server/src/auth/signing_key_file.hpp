// The token signing secret: 32 random bytes kept beside the database in "<db>.secret" (base64,
// mode 0600), made on first start. Several nodes on one database share it by sharing the file.
#pragma once

#include <string>

#include "synckit/secret.hpp"

namespace synckit::server {

using SigningKey = Secret<32, struct SigningKeyTag>;

// Reads the key file, creating it (0600, atomically) when missing. Throws std::runtime_error when
// the file cannot be read or written, or holds something other than base64 of 32 bytes.
SigningKey load_or_create_signing_key(const std::string& path);

}  // namespace synckit::server
