// The login auth key of email/password accounts (protocol.md, "Auth"): the password never leaves
// the device; the client sends Argon2id(password, salt(email)) instead.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "synckit/secret.hpp"

namespace synckit {

inline constexpr std::size_t kAuthKeyBytes = 32;
inline constexpr std::size_t kLoginSaltBytes = 16;
// The protocol's fixed Argon2id cost; not configurable (the server derives the same key).
inline constexpr unsigned long long kLoginOpsLimit = 3;
inline constexpr std::size_t kLoginMemLimit = std::size_t{64} << 20;  // 64 MiB

using AuthKey = Secret<kAuthKeyBytes, struct AuthKeyTag>;

// The email as the protocol compares it: ASCII 'A'-'Z' lowered, every other byte (including
// non-ASCII UTF-8) unchanged. Never throws except std::bad_alloc.
std::string normalize_email(std::string_view email);

// BLAKE2b-128 (unkeyed crypto_generichash) of "synckit:v1:login" || 0x00 || normalize_email(email).
// Throws Error{invalid_input} (field "email") when email is empty.
std::array<std::uint8_t, kLoginSaltBytes> login_salt(std::string_view email);

// crypto_pwhash(32, password, login_salt(email), opslimit 3, memlimit 64 MiB, Argon2id13).
// Slow and memory-hungry by design. Throws Error{invalid_input} (field "email" or "password") when
// either is empty, Error{crypto} when Argon2id fails (typically out of memory).
AuthKey derive_auth_key(std::string_view email, std::string_view password);

}  // namespace synckit
