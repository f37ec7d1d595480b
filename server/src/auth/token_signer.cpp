#include "auth/token_signer.hpp"

#include <sodium.h>

#include <nlohmann/json.hpp>

#include "synckit/bytes.hpp"
#include "synckit/error.hpp"

namespace synckit::server {
namespace {

constexpr std::string_view kHeader = R"({"alg":"HS256","typ":"JWT"})";

}  // namespace

TokenSigner::TokenSigner(SigningKey key, std::chrono::seconds lifetime) : key_(std::move(key)), lifetime_(lifetime) {}

std::string TokenSigner::sign(std::string_view signing_input) const {
  std::array<std::uint8_t, crypto_auth_hmacsha256_BYTES> mac{};
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, key_.data(), key_.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(signing_input.data()),
                                signing_input.size());
  crypto_auth_hmacsha256_final(&state, mac.data());
  return base64url_encode(mac);
}

std::string TokenSigner::issue(const std::string& user_id, const std::string& app_id, const std::string& session_id,
                               std::int64_t now_seconds) const {
  const nlohmann::json claims = {{"sub", user_id},
                                 {"app", app_id},
                                 {"sid", session_id},
                                 {"iat", now_seconds},
                                 {"exp", now_seconds + lifetime_.count()}};
  std::string input = base64url_encode(as_bytes(kHeader)) + "." + base64url_encode(as_bytes(claims.dump()));
  const std::string signature = sign(input);
  return input + "." + signature;
}

std::optional<AccessClaims> TokenSigner::verify(std::string_view token, std::int64_t now_seconds) const {
  const auto last_dot = token.rfind('.');
  if (last_dot == std::string_view::npos) return std::nullopt;
  const std::string expected = sign(token.substr(0, last_dot));
  const std::string_view given = token.substr(last_dot + 1);
  if (!constant_time_equal(as_bytes(expected), as_bytes(given))) return std::nullopt;
  const std::string_view header = token.substr(0, token.find('.'));
  if (header != base64url_encode(as_bytes(kHeader))) return std::nullopt;  // we only ever issue this header
  try {
    JwtClaims claims = read_jwt_claims(token);
    if (claims.exp <= now_seconds) return std::nullopt;
    return AccessClaims{std::move(claims.sub), std::move(claims.app), std::move(claims.sid), claims.iat, claims.exp};
  } catch (const Error&) {
    return std::nullopt;
  }
}

}  // namespace synckit::server
