// Reading the claims of SyncKit access tokens (JWT, HS256; protocol.md "Auth") so the client knows
// when to refresh. The signature is NOT checked: only the server can, and the client only needs exp.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "synckit/clock.hpp"

namespace synckit {

// Refresh when fewer than this remain before exp.
inline constexpr std::chrono::seconds kTokenExpiryBuffer{30};
// Longest token read_jwt_claims accepts (SyncKit tokens are a few hundred bytes).
inline constexpr std::size_t kMaxAccessTokenBytes = 8192;
// Largest exp / iat accepted: 9999-12-31T23:59:59Z, in seconds since the Unix epoch.
inline constexpr std::int64_t kMaxJwtTime = 253402300799;

// The claims the client uses. sub and app are required non-empty strings (user_id, app_id; not
// checked to be UUIDs), exp is required, iat and sid are optional (0 / empty when absent); other
// claims are ignored.
struct JwtClaims {
  std::string sub;
  std::string app;
  std::string sid;       // the server's session id (protocol 1.1); empty when the token has none
  std::int64_t iat = 0;  // seconds since the Unix epoch; 0 when the token has none
  std::int64_t exp = 0;  // seconds since the Unix epoch
};

// Decodes the claims of a compact JWT: three dot-separated unpadded base64url parts; the header
// must be a JSON object with a non-empty string "alg"; the payload a JSON object with the claims
// above, exp/iat integers (not floats or strings) in 0..kMaxJwtTime, sid a string when present; the signature non-empty
// base64url. Does not verify the signature.
// Any malformation throws Error{unauthorized} with a detail starting "malformed access token" and
// field naming the part: "token", "header", "header.alg", "payload", "payload.exp", "payload.sub",
// "payload.app", "payload.iat", "payload.sid" or "signature". Messages never contain the token or its parts.
JwtClaims read_jwt_claims(std::string_view token);

// The moment the token expires (exp).
SystemTime jwt_expires_at(const JwtClaims& claims) noexcept;

// True when fewer than kTokenExpiryBuffer (30 s) remain before exp: exp - now < 30 s. Exactly
// 30 s left is still fine (false); 29.999 s left needs a refresh (true); past exp is true too.
bool token_needs_refresh(const JwtClaims& claims, SystemTime now) noexcept;

// True when the token has expired: now >= exp. Such a token must never be sent.
bool token_expired(const JwtClaims& claims, SystemTime now) noexcept;

}  // namespace synckit
