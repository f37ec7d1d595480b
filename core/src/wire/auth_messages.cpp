#include "synckit/wire/auth_messages.hpp"

#include <algorithm>

#include "synckit/auth/pkce.hpp"
#include "synckit/auth/url_encoding.hpp"
#include "synckit/bytes.hpp"
#include "synckit/error.hpp"
#include "synckit/secret.hpp"
#include "wire/field_rules.hpp"

namespace synckit::wire {
namespace {

constexpr std::string_view kCredentials = "credentials request";
constexpr std::string_view kRefresh = "refresh request";
constexpr std::string_view kLogout = "logout request";
constexpr std::string_view kTokenReply = "token reply";
constexpr std::string_view kTokenRule = "must be 1..8192 bytes of visible ASCII";

[[noreturn]] void invalid(std::string_view field, std::string_view problem) {
  throw Error(ErrorKind::invalid_input, "'" + std::string(field) + "' " + std::string(problem),
              std::string(field));
}

// 1..8192 bytes of 0x21..0x7e: safe in an Authorization header and a JSON string.
bool is_token(std::string_view token) noexcept {
  if (token.empty() || token.size() > kMaxTokenBytes) return false;
  return std::all_of(token.begin(), token.end(), [](char c) { return c >= 0x21 && c <= 0x7e; });
}

void check_email(const std::string& email) { check_text(email, "email", kMaxEmailBytes); }

std::string read_token(const ObjectReader& reader, std::string_view key) {
  std::string token = reader.string(key);
  if (!is_token(token)) reader.fail(key, kTokenRule);
  return token;
}

JsonValue refresh_token_json(const std::string& token) {
  if (!is_token(token)) invalid("refresh_token", kTokenRule);
  JsonValue out = JsonValue::object();
  out["refresh_token"] = token;
  return out;
}

void check_form_field(const std::string& value, std::string_view field) {
  if (value.empty()) invalid(field, "must not be empty");
}

void check_verifier(const std::string& verifier) {
  if (!is_valid_pkce_verifier(verifier)) invalid("code_verifier", "must be 43..128 characters of [A-Za-z0-9._~-]");
}

}  // namespace

bool operator==(const CredentialsRequest& a, const CredentialsRequest& b) noexcept {
  const bool same_key = constant_time_equal(a.auth_key.view(), b.auth_key.view());
  return same_key && a.email == b.email;
}

JsonValue to_json(const CredentialsRequest& request) {
  check_email(request.email);
  JsonValue out = JsonValue::object();
  out["auth_key"] = base64_encode(request.auth_key.view());
  out["email"] = request.email;
  return out;
}

JsonValue to_json(const RefreshRequest& request) { return refresh_token_json(request.refresh_token); }

JsonValue to_json(const LogoutRequest& request) { return refresh_token_json(request.refresh_token); }

JsonValue to_json(const TokenReply& reply) {
  JsonValue out = JsonValue::object();
  out["access_token"] = reply.access_token;
  out["app_id"] = reply.app_id;
  out["expires_in"] = reply.expires_in;
  out["refresh_token"] = reply.refresh_token;
  out["token_type"] = "Bearer";
  out["user_id"] = reply.user_id;
  return out;
}

CredentialsRequest parse_credentials_request(const ObjectReader& reader) {
  CredentialsRequest request;
  request.email = reader.string("email", 1, kMaxEmailBytes);
  request.auth_key = read_auth_key(reader, "auth_key");
  return request;
}

CredentialsRequest parse_credentials_request_text(std::string_view body) {
  return parse_object_text(body, kCredentials, [](const ObjectReader& r) { return parse_credentials_request(r); });
}

RefreshRequest parse_refresh_request(const ObjectReader& reader) {
  return RefreshRequest{read_token(reader, "refresh_token")};
}

RefreshRequest parse_refresh_request_text(std::string_view body) {
  return parse_object_text(body, kRefresh, [](const ObjectReader& r) { return parse_refresh_request(r); });
}

LogoutRequest parse_logout_request(const ObjectReader& reader) {
  return LogoutRequest{read_token(reader, "refresh_token")};
}

LogoutRequest parse_logout_request_text(std::string_view body) {
  return parse_object_text(body, kLogout, [](const ObjectReader& r) { return parse_logout_request(r); });
}

TokenReply parse_token_reply(const ObjectReader& reader) {
  TokenReply reply;
  reply.user_id = reader.uuid("user_id");
  reply.app_id = reader.uuid("app_id");
  reply.access_token = read_token(reader, "access_token");
  reply.refresh_token = read_token(reader, "refresh_token");
  if (reader.string("token_type") != "Bearer") reader.fail("token_type", "must be \"Bearer\"");
  reply.expires_in = reader.integer("expires_in", 1, kMaxExpiresIn);
  return reply;
}

TokenReply parse_token_reply_text(std::string_view body) {
  return parse_object_text(body, kTokenReply, [](const ObjectReader& r) { return parse_token_reply(r); });
}

std::string to_form(const OAuthTokenRequest& request) {
  check_form_field(request.code, "code");
  check_form_field(request.redirect_uri, "redirect_uri");
  check_form_field(request.client_id, "client_id");
  check_verifier(request.code_verifier);
  return encode_query({{"grant_type", "authorization_code"},
                       {"code", request.code},
                       {"redirect_uri", request.redirect_uri},
                       {"client_id", request.client_id},
                       {"code_verifier", request.code_verifier}});
}

}  // namespace synckit::wire
