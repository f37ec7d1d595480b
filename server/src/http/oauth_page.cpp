#include "http/oauth_page.hpp"

#include <algorithm>

#include "http/redirect_uri.hpp"
#include "http/responses.hpp"
#include "synckit/auth/url_encoding.hpp"

namespace synckit::server {
namespace {

const std::string& field(const std::map<std::string, std::string>& params, const std::string& name) {
  static const std::string empty;
  const auto it = params.find(name);
  return it == params.end() ? empty : it->second;
}

bool is_base64url(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

// scheme ":" rest, with a scheme of letters, digits, + - . (RFC 3986), not javascript/data, no '#'.
bool is_redirect_uri(std::string_view uri) {
  const auto colon = uri.find(':');
  if (colon == std::string_view::npos || colon == 0 || uri.size() > 2048 || uri.find('#') != std::string_view::npos) {
    return false;
  }
  std::string scheme(uri.substr(0, colon));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](unsigned char c) { return std::tolower(c); });
  const bool scheme_ok = std::isalpha(static_cast<unsigned char>(scheme[0])) &&
                         std::all_of(scheme.begin(), scheme.end(), [](unsigned char c) {
                           return std::isalnum(c) || c == '+' || c == '-' || c == '.';
                         });
  const bool control_free = std::none_of(uri.begin(), uri.end(), [](unsigned char c) { return c < 0x21 || c == 0x7f; });
  return scheme_ok && control_free && scheme != "javascript" && scheme != "data" && scheme != "vbscript";
}

std::string html_escape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string hidden(std::string_view name, std::string_view value) {
  return "<input type=\"hidden\" name=\"" + std::string(name) + "\" value=\"" + html_escape(value) + "\">\n";
}

std::string page_head(std::string_view title) {
  return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width\"><title>" +
         html_escape(title) +
         "</title>"
         "<style>body{font-family:system-ui,sans-serif;max-width:22rem;margin:4rem auto}"
         "label,input,button{display:block;width:100%;margin:.4rem 0}.error{color:#b00020}</style>"
         "</head><body>\n";
}

}  // namespace

AuthorizeRequest parse_authorize_request(const std::map<std::string, std::string>& params) {
  if (field(params, "response_type") != "code") throw HttpError(400, "response_type must be code");
  if (field(params, "code_challenge_method") != "S256") throw HttpError(400, "code_challenge_method must be S256");
  AuthorizeRequest request{field(params, "client_id"), field(params, "redirect_uri"),
                           field(params, "code_challenge"), field(params, "state")};
  if (request.client_id.empty()) throw HttpError(400, "client_id is missing");
  if (!is_redirect_uri(request.redirect_uri)) throw HttpError(400, "redirect_uri must be an absolute URI");
  if (request.code_challenge.size() != 43 || !is_base64url(request.code_challenge)) {
    throw HttpError(400, "code_challenge must be the 43-character S256 challenge");
  }
  if (request.state.empty() || request.state.size() > 512) throw HttpError(400, "state must be 1..512 bytes");
  return request;
}

std::string render_sign_in_page(const AuthorizeRequest& request, std::string_view app_name, std::string_view error) {
  std::string page = page_head("Sign in to " + std::string(app_name));
  page += "<h1>Sign in to " + html_escape(app_name) + "</h1>\n";
  page += "<p>After you sign in, you will be sent back to <strong>" +
          html_escape(redirect_uri_destination(request.redirect_uri)) + "</strong>.</p>\n";
  if (!error.empty()) page += "<p class=\"error\" role=\"alert\">" + html_escape(error) + "</p>\n";
  page += "<form method=\"post\" action=\"/v1/oauth/authorize\">\n";
  page += hidden("response_type", "code") + hidden("client_id", request.client_id) +
          hidden("redirect_uri", request.redirect_uri) + hidden("code_challenge", request.code_challenge) +
          hidden("code_challenge_method", "S256") + hidden("state", request.state);
  page +=
      "<label>Email <input type=\"email\" name=\"email\" autocomplete=\"username\" required></label>\n"
      "<label>Password <input type=\"password\" name=\"password\" autocomplete=\"current-password\" "
      "required></label>\n<button type=\"submit\">Sign in</button>\n</form>\n</body></html>\n";
  return page;
}

std::string render_refusal_page(std::string_view message) {
  return page_head("Sign-in refused") + "<h1>Sign-in refused</h1>\n<p class=\"error\" role=\"alert\">" +
         html_escape(message) + "</p>\n</body></html>\n";
}

std::string redirect_with_code(const AuthorizeRequest& request, std::string_view code) {
  const char joiner = request.redirect_uri.find('?') == std::string::npos ? '?' : '&';
  return request.redirect_uri + joiner + encode_query({{"code", code}, {"state", request.state}});
}

}  // namespace synckit::server
