// Secret handling on the server: token generation, token hashing for storage, auth-key hashing.
#pragma once

#include <string>
#include <string_view>

#include "synckit/bytes.hpp"

namespace synckit::server {

// A new random token (32 bytes, base64url): refresh tokens, OAuth codes, API keys.
std::string random_token();
// Raw SHA-256 of a token, as stored (the store never sees a token itself).
std::string token_hash(std::string_view token);
// crypto_pwhash_str of the client's 32-byte auth key (Argon2id, interactive cost).
// Throws std::runtime_error if hashing fails (out of memory).
std::string hash_auth_key(ByteView auth_key);
// Whether auth_key matches a crypto_pwhash_str hash. When no account exists, pass an empty hash:
// the same work is done against a dummy hash so timing does not reveal which emails exist.
bool verify_auth_key(const std::string& stored_hash, ByteView auth_key);

}  // namespace synckit::server
