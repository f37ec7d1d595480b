// read_jwt_claims on any text, then the expiry helpers against a clock taken from the input's
// first 8 bytes (clamped to 0..year 9999 in milliseconds, the range a real clock gives).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "fuzz_support.hpp"
#include "synckit/auth/jwt.hpp"

namespace synckit_fuzz {

inline void jwt(std::string_view input) {
  std::uint64_t raw = 0;
  std::memcpy(&raw, input.data(), std::min(input.size(), sizeof raw));
  const auto now = synckit::SystemTime{std::chrono::milliseconds{
      static_cast<std::int64_t>(raw % (static_cast<std::uint64_t>(synckit::kMaxJwtTime) * 1000 + 1))}};
  guarded(input, [now](std::string_view token) {
    const synckit::JwtClaims claims = synckit::read_jwt_claims(token);
    check(!claims.sub.empty() && !claims.app.empty(), "sub and app are non-empty");
    check(claims.exp >= 0 && claims.exp <= synckit::kMaxJwtTime, "exp in range");
    check(claims.iat >= 0 && claims.iat <= synckit::kMaxJwtTime, "iat in range");
    const bool refresh = synckit::token_needs_refresh(claims, now);
    const bool expired = synckit::token_expired(claims, now);
    check(!expired || refresh, "an expired token needs a refresh");
    check(synckit::jwt_expires_at(claims) == synckit::SystemTime{std::chrono::seconds{claims.exp}},
          "jwt_expires_at is exp");
  });
  // Hand-made claims with any exp (the helpers clamp): must not overflow (UBSan watches).
  synckit::JwtClaims claims;
  claims.exp = static_cast<std::int64_t>(raw);
  (void)synckit::token_needs_refresh(claims, now);
  (void)synckit::token_expired(claims, now);
}

}  // namespace synckit_fuzz

SYNCKIT_FUZZ_ENTRY(jwt)
