// The OAuth2 authorize request and the server's own sign-in page for it.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace synckit::server {

// The fields of GET/POST /v1/oauth/authorize (protocol.md, "Auth").
struct AuthorizeRequest {
  std::string client_id;
  std::string redirect_uri;
  std::string code_challenge;
  std::string state;
};

// Reads and checks the authorize fields (response_type=code, code_challenge_method=S256, a 43-char
// S256 challenge, a state, an absolute redirect URI without fragment). Throws HttpError 400.
AuthorizeRequest parse_authorize_request(const std::map<std::string, std::string>& params);

// The sign-in form naming the app and the host the browser goes back to, every value HTML-escaped;
// `error` (may be empty) is shown above the form.
std::string render_sign_in_page(const AuthorizeRequest& request, std::string_view app_name, std::string_view error);

// The page for an authorize request that is refused (no form, no link, no redirect).
std::string render_refusal_page(std::string_view message);

// Where the browser goes after sign-in: redirect_uri with code and state appended to its query.
std::string redirect_with_code(const AuthorizeRequest& request, std::string_view code);

}  // namespace synckit::server
