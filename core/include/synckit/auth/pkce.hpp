// OAuth 2.0 authorization code flow with PKCE (RFC 7636, method S256), as protocol.md ("Auth")
// uses it: build the authorize URL, then read the code and state from the redirect.
#pragma once

#include <string>
#include <string_view>

#include "synckit/random.hpp"

namespace synckit {

// One sign-in attempt's secrets: keep verifier and state until the redirect comes back.
struct PkceChallenge {
  std::string verifier;   // sent only to POST /v1/oauth/token (code_verifier)
  std::string challenge;  // pkce_challenge_s256(verifier), sent in the authorize URL
  std::string state;      // echoed back by the redirect; compare with pkce_state_matches
};

// A fresh challenge: verifier = base64url (no padding) of 32 random bytes (43 chars), then
// state = base64url of 16 random bytes (22 chars), both drawn from `random` in that order.
PkceChallenge new_pkce(RandomSource& random);

// Whether `verifier` is a valid RFC 7636 code verifier: 43..128 chars of [A-Za-z0-9-._~].
bool is_valid_pkce_verifier(std::string_view verifier) noexcept;

// base64url (no padding) of SHA-256(verifier). Throws Error{invalid_input} (field "code_verifier")
// when the verifier is not valid (see is_valid_pkce_verifier).
std::string pkce_challenge_s256(std::string_view verifier);

// Constant-time comparison of the state we sent with the one the redirect returned. False when
// they differ, and always false when `expected` is empty.
bool pkce_state_matches(std::string_view expected, std::string_view got) noexcept;

// "<server_url>/v1/oauth/authorize?response_type=code&client_id=<api_key>&redirect_uri=...
// &code_challenge=...&code_challenge_method=S256&state=..." with every value percent-encoded
// (RFC 3986); trailing '/' of server_url are dropped. Throws Error{invalid_input} naming the field
// ("server_url", "api_key", "redirect_uri", "code_challenge", "state") when one is empty.
std::string build_authorize_url(std::string_view server_url, std::string_view api_key,
                                std::string_view redirect_uri, const PkceChallenge& pkce);

// What the authorize redirect carried back.
struct OAuthRedirect {
  std::string code;
  std::string state;
};

// Reads `code` and `state` from the query of the redirect URL (after '?', before '#'),
// percent-decoded. Throws Error{invalid_grant} (field "error") when the redirect carries an
// `error` parameter (the detail names the OAuth error code when it is a plain token);
// Error{invalid_input} naming "code" or "state" when one is missing, empty or repeated, or naming
// the parameter when a %-escape is malformed. Never quotes the code in a message.
OAuthRedirect parse_oauth_redirect(std::string_view redirect_url);

}  // namespace synckit
