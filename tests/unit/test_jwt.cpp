#include <catch2/catch.hpp>

#include <string>

#include "synckit/auth/jwt.hpp"
#include "synckit/bytes.hpp"
#include "synckit/error.hpp"

using namespace synckit;
using namespace std::chrono_literals;

namespace {

const std::string kHeader = R"({"alg":"HS256","typ":"JWT"})";
const std::string kSignature = base64url_encode(as_bytes("0123456789abcdef0123456789abcdef"));

std::string b64(std::string_view text) { return base64url_encode(as_bytes(text)); }

std::string token_with(std::string_view payload, std::string_view header = kHeader) {
  return b64(header) + "." + b64(payload) + "." + kSignature;
}

const std::string kPayload =
    R"({"sub":"0b7c7a8e-3c1f-4a57-9d1e-2f6b1c9a0d11","app":"5f0c2a9e-8d1b-4c3e-a2f7-6e9d0b1c4a22",)"
    R"("iat":1799999100,"exp":1800000000})";

// Expects read_jwt_claims(token) to fail with Error{unauthorized} naming `field`.
void check_malformed(const std::string& token, const std::string& field) {
  INFO("field " << field);
  try {
    read_jwt_claims(token);
    FAIL("token accepted");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::unauthorized);
    CHECK(e.field() == field);
    CHECK(e.detail().starts_with("malformed access token"));
    // The message never quotes the token or any of its parts.
    for (std::size_t start = 0, dot = 0; start <= token.size(); start = dot + 1) {
      dot = token.find('.', start);
      if (dot == std::string::npos) dot = token.size();
      const std::string part = token.substr(start, dot - start);
      if (part.size() >= 6) CHECK(std::string(e.what()).find(part) == std::string::npos);
    }
  }
}

}  // namespace

TEST_CASE("read_jwt_claims reads sub, app, iat and exp", "[auth][jwt]") {
  const JwtClaims claims = read_jwt_claims(token_with(kPayload));
  CHECK(claims.sub == "0b7c7a8e-3c1f-4a57-9d1e-2f6b1c9a0d11");
  CHECK(claims.app == "5f0c2a9e-8d1b-4c3e-a2f7-6e9d0b1c4a22");
  CHECK(claims.iat == 1799999100);
  CHECK(claims.exp == 1800000000);
  CHECK(jwt_expires_at(claims) == SystemTime{1800000000s});
}

TEST_CASE("read_jwt_claims reads the session id sid", "[auth][jwt]") {
  const JwtClaims claims = read_jwt_claims(token_with(R"({"sub":"u","app":"a","sid":"s-1","exp":5})"));
  CHECK(claims.sid == "s-1");
}

TEST_CASE("read_jwt_claims: iat optional, unknown claims ignored", "[auth][jwt]") {
  const JwtClaims claims = read_jwt_claims(token_with(R"({"sub":"u","app":"a","exp":0,"jti":"x","n":1.5})"));
  CHECK(claims.iat == 0);
  CHECK(claims.sid.empty());
  CHECK(claims.exp == 0);
  CHECK(read_jwt_claims(token_with(R"({"sub":"u","app":"a","exp":253402300799})")).exp == 253402300799);
}

TEST_CASE("token_needs_refresh around the 30 s buffer", "[auth][jwt]") {
  const JwtClaims claims = read_jwt_claims(token_with(kPayload));
  const SystemTime exp{1800000000s};
  CHECK_FALSE(token_needs_refresh(claims, exp - 15min));
  CHECK_FALSE(token_needs_refresh(claims, exp - 31s));
  CHECK_FALSE(token_needs_refresh(claims, exp - 30s));  // documented: exactly 30 s left is still fine
  CHECK(token_needs_refresh(claims, exp - 30s + 1ms));
  CHECK(token_needs_refresh(claims, exp - 29s));
  CHECK(token_needs_refresh(claims, exp));
  CHECK(token_needs_refresh(claims, exp + 1h));
  CHECK_FALSE(token_expired(claims, exp - 1ms));
  CHECK(token_expired(claims, exp));
}

TEST_CASE("read_jwt_claims rejects malformed tokens with Error{unauthorized}", "[auth][jwt]") {
  const std::string header = b64(kHeader), payload = b64(kPayload);
  // Part structure.
  check_malformed("", "token");
  check_malformed(header + "." + payload, "token");
  check_malformed(header + "." + payload + "." + kSignature + "." + kSignature, "token");
  check_malformed(header + "." + payload + "." + kSignature + ".", "token");
  check_malformed(std::string(9000, 'a'), "token");
  // Bad base64url: padding, standard alphabet, stray characters, impossible length.
  check_malformed(base64_encode(as_bytes(kHeader)) + "==." + payload + "." + kSignature, "header");
  check_malformed(header + "." + payload + "=." + kSignature, "payload");
  check_malformed(header + ".abc+/def." + kSignature, "payload");
  check_malformed(header + ".a." + kSignature, "payload");
  check_malformed(header + "." + payload + ".sig!", "signature");
  check_malformed(header + "." + payload + ".", "signature");
  // Not JSON / not an object.
  check_malformed(b64("not json") + "." + payload + "." + kSignature, "header");
  check_malformed("." + payload + "." + kSignature, "header");
  check_malformed(header + "." + b64("{\"exp\":") + "." + kSignature, "payload");
  check_malformed(header + "." + b64("[1,2]") + "." + kSignature, "payload");
  check_malformed(header + "." + b64("1800000000") + "." + kSignature, "payload");
  check_malformed(header + ".." + kSignature, "payload");
  // Header without a usable alg.
  check_malformed(token_with(kPayload, R"({"typ":"JWT"})"), "header.alg");
  check_malformed(token_with(kPayload, R"({"alg":""})"), "header.alg");
  check_malformed(token_with(kPayload, R"({"alg":256})"), "header.alg");
  // exp missing, string, float, negative, huge, beyond int64.
  check_malformed(token_with(R"({"sub":"u","app":"a"})"), "payload.exp");
  check_malformed(token_with(R"({"sub":"u","app":"a","exp":"1800000000"})"), "payload.exp");
  check_malformed(token_with(R"({"sub":"u","app":"a","exp":1800000000.5})"), "payload.exp");
  check_malformed(token_with(R"({"sub":"u","app":"a","exp":1.8e9})"), "payload.exp");
  check_malformed(token_with(R"({"sub":"u","app":"a","exp":-1})"), "payload.exp");
  check_malformed(token_with(R"({"sub":"u","app":"a","exp":null})"), "payload.exp");
  check_malformed(token_with(R"({"sub":"u","app":"a","exp":253402300800})"), "payload.exp");
  check_malformed(token_with(R"({"sub":"u","app":"a","exp":9223372036854775807})"), "payload.exp");
  check_malformed(token_with(R"({"sub":"u","app":"a","exp":18446744073709551615})"), "payload.exp");
  check_malformed(token_with(R"({"sub":"u","app":"a","exp":99999999999999999999999})"), "payload.exp");
  // sub / app required non-empty strings; iat, when present, an integer.
  check_malformed(token_with(R"({"app":"a","exp":1800000000})"), "payload.sub");
  check_malformed(token_with(R"({"sub":"","app":"a","exp":1800000000})"), "payload.sub");
  check_malformed(token_with(R"({"sub":7,"app":"a","exp":1800000000})"), "payload.sub");
  check_malformed(token_with(R"({"sub":"u","exp":1800000000})"), "payload.app");
  check_malformed(token_with(R"({"sub":"u","app":null,"exp":1800000000})"), "payload.app");
  check_malformed(token_with(R"({"sub":"u","app":"a","exp":1800000000,"iat":"x"})"), "payload.iat");
  check_malformed(token_with(R"({"sub":"u","app":"a","exp":1800000000,"iat":1.5})"), "payload.iat");
  check_malformed(token_with(R"({"sub":"u","app":"a","exp":1800000000,"sid":7})"), "payload.sid");
  // Invalid UTF-8 inside the payload JSON.
  check_malformed(token_with("{\"sub\":\"\xff\",\"app\":\"a\",\"exp\":1}"), "payload");
}
