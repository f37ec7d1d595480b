// The auth endpoints' bodies (protocol.md, "Auth"): register/login credentials, refresh and logout,
// the token reply, and the OAuth token request (a form, not JSON).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "synckit/auth/login_key.hpp"
#include "synckit/json_value.hpp"
#include "synckit/wire/json_reader.hpp"

namespace synckit::wire {

// Limits: email 1..254 bytes of UTF-8; tokens 1..8192 bytes of visible ASCII (0x21..0x7e), so a
// token can never smuggle a space or line break into an Authorization header.
inline constexpr std::size_t kMaxEmailBytes = 254;
inline constexpr std::size_t kMaxTokenBytes = 8192;
// Largest expires_in accepted, in seconds.
inline constexpr std::int64_t kMaxExpiresIn = 2147483647;

// POST /v1/auth/register and /v1/auth/login body {"email","auth_key"} (auth_key base64 in JSON).
// auth_key is synckit::AuthKey (auth/login_key.hpp): a secret that wipes itself, so the request is
// move-only; it is never logged or put in an error message.
struct CredentialsRequest {
  std::string email;
  AuthKey auth_key;

  // Compares the keys in constant time.
  friend bool operator==(const CredentialsRequest& a, const CredentialsRequest& b) noexcept;
};

// POST /v1/auth/refresh body {"refresh_token"}.
struct RefreshRequest {
  std::string refresh_token;

  friend bool operator==(const RefreshRequest&, const RefreshRequest&) = default;
};

// POST /v1/auth/logout body {"refresh_token"}.
struct LogoutRequest {
  std::string refresh_token;

  friend bool operator==(const LogoutRequest&, const LogoutRequest&) = default;
};

// The token reply {"user_id","app_id","access_token","refresh_token","token_type":"Bearer",
// "expires_in"}: ids are lowercase UUIDs, tokens as above, expires_in seconds in 1..2^31-1.
// token_type is not kept: it must be exactly "Bearer".
struct TokenReply {
  std::string user_id;
  std::string app_id;
  std::string access_token;
  std::string refresh_token;
  std::int64_t expires_in = 0;

  friend bool operator==(const TokenReply&, const TokenReply&) = default;
};

// POST /v1/oauth/token form: grant_type=authorization_code plus these fields. code_verifier is the
// PKCE verifier (43..128 RFC 3986 unreserved characters); the others must be non-empty.
struct OAuthTokenRequest {
  std::string code;
  std::string redirect_uri;
  std::string client_id;
  std::string code_verifier;

  friend bool operator==(const OAuthTokenRequest&, const OAuthTokenRequest&) = default;
};

// The JSON forms. The request ones throw Error{invalid_input} naming the field when it breaks the
// limits above (never quoting it). The credentials JSON holds the auth key in base64: dump it
// straight into the request body and drop it. to_json(TokenReply) does not check (for fakes).
JsonValue to_json(const CredentialsRequest& request);
JsonValue to_json(const RefreshRequest& request);
JsonValue to_json(const LogoutRequest& request);
JsonValue to_json(const TokenReply& reply);

// Strict reads; throw Error{json} naming the field, never quoting a key or token.
CredentialsRequest parse_credentials_request(const ObjectReader& reader);
CredentialsRequest parse_credentials_request_text(std::string_view body);
RefreshRequest parse_refresh_request(const ObjectReader& reader);
RefreshRequest parse_refresh_request_text(std::string_view body);
LogoutRequest parse_logout_request(const ObjectReader& reader);
LogoutRequest parse_logout_request_text(std::string_view body);
TokenReply parse_token_reply(const ObjectReader& reader);
TokenReply parse_token_reply_text(std::string_view body);

// The application/x-www-form-urlencoded body "grant_type=authorization_code&code=…&redirect_uri=…
// &client_id=…&code_verifier=…". Throws Error{invalid_input} naming a field that breaks the rules.
std::string to_form(const OAuthTokenRequest& request);

}  // namespace synckit::wire
