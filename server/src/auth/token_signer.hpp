// HS256 JWT access tokens: issued on sign-in and refresh, verified on every authenticated request.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "auth/signing_key_file.hpp"
#include "synckit/auth/jwt.hpp"

namespace synckit::server {

// The claims of our access tokens: the protocol's (sub, app, iat, exp) plus "sid", the session the
// token was issued to (clients ignore it; the server refuses the token once that session ended).
struct AccessClaims {
  std::string sub;  // user_id
  std::string app;  // app_id
  std::string sid;  // session id; "" when the token has none (or not a string)
  std::int64_t iat = 0;
  std::int64_t exp = 0;
};

class TokenSigner {
 public:
  TokenSigner(SigningKey key, std::chrono::seconds lifetime);

  // A token for `user_id` in `app_id`, issued to session `session_id`, valid from `now` for the
  // configured lifetime.
  std::string issue(const std::string& user_id, const std::string& app_id, const std::string& session_id,
                    std::int64_t now_seconds) const;
  // The claims of a token whose signature is ours, whose header says HS256 and that has not
  // expired at `now`; nullopt otherwise (forged, malformed, expired). Constant-time signature check.
  std::optional<AccessClaims> verify(std::string_view token, std::int64_t now_seconds) const;

  std::chrono::seconds lifetime() const noexcept { return lifetime_; }

 private:
  std::string sign(std::string_view signing_input) const;

  SigningKey key_;
  std::chrono::seconds lifetime_;
};

}  // namespace synckit::server
