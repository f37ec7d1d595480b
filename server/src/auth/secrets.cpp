#include "auth/secrets.hpp"

#include <sodium.h>

#include <array>
#include <mutex>
#include <stdexcept>

namespace synckit::server {
namespace {

constexpr unsigned long long kOpsLimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
constexpr std::size_t kMemLimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;

// A hash of random bytes nobody knows, so a login for an unknown email costs the same.
const std::string& dummy_hash() {
  static const std::string hash = [] {
    std::array<std::uint8_t, 32> unknown{};
    randombytes_buf(unknown.data(), unknown.size());
    return hash_auth_key(unknown);
  }();
  return hash;
}

}  // namespace

std::string random_token() {
  std::array<std::uint8_t, 32> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  return base64url_encode(bytes);
}

std::string token_hash(std::string_view token) {
  std::string digest(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256(reinterpret_cast<unsigned char*>(digest.data()),
                     reinterpret_cast<const unsigned char*>(token.data()), token.size());
  return digest;
}

std::string hash_auth_key(ByteView auth_key) {
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str(out.data(), reinterpret_cast<const char*>(auth_key.data()), auth_key.size(), kOpsLimit,
                        kMemLimit) != 0) {
    throw std::runtime_error("crypto_pwhash_str failed (out of memory)");
  }
  return std::string(out.data());
}

bool verify_auth_key(const std::string& stored_hash, ByteView auth_key) {
  const std::string& hash = stored_hash.empty() ? dummy_hash() : stored_hash;
  const bool match = crypto_pwhash_str_verify(hash.c_str(), reinterpret_cast<const char*>(auth_key.data()),
                                              auth_key.size()) == 0;
  return match && !stored_hash.empty();
}

}  // namespace synckit::server
