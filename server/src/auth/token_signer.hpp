// HS256 JWT access tokens: issued on sign-in and refresh, verified on every authenticated request.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "auth/signing_key_file.hpp"
#include "synckit/auth/jwt.hpp"

namespace synckit::server {

class TokenSigner {
 public:
  TokenSigner(SigningKey key, std::chrono::seconds lifetime);

  // A token for `user_id` in `app_id`, valid from `now` for the configured lifetime.
  std::string issue(const std::string& user_id, const std::string& app_id, std::int64_t now_seconds) const;
  // The claims of a token whose signature is ours, whose header says HS256 and that has not
  // expired at `now`; nullopt otherwise (forged, malformed, expired). Constant-time signature check.
  std::optional<JwtClaims> verify(std::string_view token, std::int64_t now_seconds) const;

  std::chrono::seconds lifetime() const noexcept { return lifetime_; }

 private:
  std::string sign(std::string_view signing_input) const;

  SigningKey key_;
  std::chrono::seconds lifetime_;
};

}  // namespace synckit::server
