#include "synckit/auth/jwt.hpp"

#include <algorithm>
#include <array>

#include "synckit/bytes.hpp"
#include "synckit/error.hpp"
#include "synckit/json_value.hpp"

namespace synckit {
namespace {

// Every malformation: Error{unauthorized} naming the part, never quoting it.
[[noreturn]] void malformed(const std::string& field, std::string_view problem) {
  throw Error(ErrorKind::unauthorized, "malformed access token: " + field + " " + std::string(problem),
              field);
}

// Decodes one base64url part; throws for bad base64url.
Bytes decode_part(std::string_view text, const std::string& field) {
  try {
    return base64url_decode(text, field);
  } catch (const Error&) {
    malformed(field, "is not unpadded base64url");
  }
}

// A base64url part holding a JSON object.
JsonValue decode_object(std::string_view text, const std::string& field) {
  const Bytes bytes = decode_part(text, field);
  JsonValue value = parse_json_value(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  if (value.is_discarded()) malformed(field, "is not JSON");
  if (!value.is_object()) malformed(field, "is not a JSON object");
  return value;
}

std::string non_empty_string(const JsonValue& object, const char* part, const char* key) {
  const std::string field = std::string(part) + "." + key;
  const auto it = object.find(key);
  if (it == object.end()) malformed(field, "is missing");
  if (!it->is_string() || it->get_ref<const std::string&>().empty()) {
    malformed(field, "must be a non-empty string");
  }
  return it->get<std::string>();
}

// An integer time claim in 0..kMaxJwtTime.
std::int64_t time_claim(const JsonValue& value, const std::string& field) {
  if (value.is_number_unsigned()) {
    const auto u = value.get<std::uint64_t>();
    if (u <= static_cast<std::uint64_t>(kMaxJwtTime)) return static_cast<std::int64_t>(u);
  } else if (value.is_number_integer()) {
    const auto i = value.get<std::int64_t>();
    if (i >= 0 && i <= kMaxJwtTime) return i;
  }
  malformed(field, "must be an integer in 0.." + std::to_string(kMaxJwtTime));
}

// Splits a compact JWT into its three parts.
std::array<std::string_view, 3> split_token(std::string_view token) {
  if (token.size() > kMaxAccessTokenBytes) {
    malformed("token", "is longer than " + std::to_string(kMaxAccessTokenBytes) + " bytes");
  }
  std::array<std::string_view, 3> parts;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::size_t dot = token.find('.');
    if ((i < 2) != (dot != std::string_view::npos)) malformed("token", "must have three dot-separated parts");
    parts[i] = token.substr(0, dot);
    token = i < 2 ? token.substr(dot + 1) : std::string_view{};
  }
  return parts;
}

}  // namespace

JwtClaims read_jwt_claims(std::string_view token) {
  const auto [header_text, payload_text, signature_text] = split_token(token);
  const JsonValue header = decode_object(header_text, "header");
  non_empty_string(header, "header", "alg");
  const JsonValue payload = decode_object(payload_text, "payload");
  if (signature_text.empty()) malformed("signature", "is empty");
  decode_part(signature_text, "signature");

  JwtClaims claims;
  const auto exp = payload.find("exp");
  if (exp == payload.end()) malformed("payload.exp", "is missing");
  claims.exp = time_claim(*exp, "payload.exp");
  claims.sub = non_empty_string(payload, "payload", "sub");
  claims.app = non_empty_string(payload, "payload", "app");
  if (const auto iat = payload.find("iat"); iat != payload.end()) {
    claims.iat = time_claim(*iat, "payload.iat");
  }
  if (const auto sid = payload.find("sid"); sid != payload.end()) {
    if (!sid->is_string()) malformed("payload.sid", "must be a string");
    claims.sid = sid->get<std::string>();
  }
  return claims;
}

SystemTime jwt_expires_at(const JwtClaims& claims) noexcept {
  // Clamped so hand-made claims cannot overflow the millisecond clock.
  return SystemTime{std::chrono::seconds{std::clamp<std::int64_t>(claims.exp, 0, kMaxJwtTime)}};
}

bool token_needs_refresh(const JwtClaims& claims, SystemTime now) noexcept {
  return jwt_expires_at(claims) - now < kTokenExpiryBuffer;
}

bool token_expired(const JwtClaims& claims, SystemTime now) noexcept { return now >= jwt_expires_at(claims); }

}  // namespace synckit
