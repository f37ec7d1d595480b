#include "synckit/auth/login_key.hpp"

#include <sodium.h>

#include "sodium_init.hpp"
#include "synckit/bytes.hpp"
#include "synckit/error.hpp"

namespace synckit {
namespace {

// The salt's domain-separation prefix, NUL included ("synckit:v1:login" || 0x00).
constexpr std::string_view kSaltContext{"synckit:v1:login\0", 17};

}  // namespace

std::string normalize_email(std::string_view email) {
  std::string out(email);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::array<std::uint8_t, kLoginSaltBytes> login_salt(std::string_view email) {
  if (email.empty()) throw Error(ErrorKind::invalid_input, "the email is empty", "email");
  detail::ensure_sodium();
  const std::string input = std::string(kSaltContext) + normalize_email(email);
  std::array<std::uint8_t, kLoginSaltBytes> salt{};
  crypto_generichash(salt.data(), salt.size(), as_bytes(input).data(), input.size(), nullptr, 0);
  return salt;
}

AuthKey derive_auth_key(std::string_view email, std::string_view password) {
  static_assert(kLoginSaltBytes == crypto_pwhash_SALTBYTES);
  const auto salt = login_salt(email);  // checks the email
  if (password.empty()) throw Error(ErrorKind::invalid_input, "the password is empty", "password");
  AuthKey key;
  if (crypto_pwhash(key.data(), key.size(), password.data(), password.size(), salt.data(), kLoginOpsLimit,
                    kLoginMemLimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw Error(ErrorKind::crypto, "Argon2id failed to derive the auth key (out of memory?)");
  }
  return key;
}

}  // namespace synckit
