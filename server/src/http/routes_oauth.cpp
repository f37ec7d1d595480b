#include <map>
#include <tuple>
#include <utility>

#include "auth/secrets.hpp"
#include "http/oauth_page.hpp"
#include "http/redirect_uri.hpp"
#include "http/request_context.hpp"
#include "http/responses.hpp"
#include "http/routes.hpp"
#include "synckit/auth/login_key.hpp"
#include "synckit/auth/pkce.hpp"
#include "synckit/auth/url_encoding.hpp"
#include "synckit/error.hpp"
#include "synckit/wire/auth_messages.hpp"

namespace synckit::server {
namespace {

constexpr Millis kCodeLifetime = 60 * 1000;

// Form or query fields; a field given twice is refused (400).
std::map<std::string, std::string> single_values(const std::vector<QueryParam>& params) {
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : params) {
    if (!out.emplace(name, value).second) throw HttpError(400, "'" + name + "' is given twice");
  }
  return out;
}

std::map<std::string, std::string> form_fields(const Request& req) {
  return single_values(parse_query(body_within(req, kMaxJsonBody)));
}

void send_page(Response& res, int status, const std::string& html) {
  res.status = status;
  res.set_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'");
  res.set_header("X-Frame-Options", "DENY");
  res.set_header("Cache-Control", "no-store");
  res.set_content(html, "text/html; charset=utf-8");
}

// A refused authorize request: shown as a page (status 400, never a redirect) to the person in the
// browser, since its redirect_uri is not known to be the app's.
struct RefusedAuthorize {
  std::string message;
};

// The checked request and its app: the fields are well formed, client_id names an app and
// redirect_uri is one the app registered (redirect_uri.hpp). Throws RefusedAuthorize.
std::pair<AuthorizeRequest, App> checked_authorize(ServerContext& ctx, const std::map<std::string, std::string>& fields) {
  try {
    AuthorizeRequest request = parse_authorize_request(fields);
    App app = app_for_client_id(ctx, request.client_id);
    const auto registered = ctx.store.redirect_uris(app.id);
    if (registered.empty()) {
      throw RefusedAuthorize{"The app \"" + app.name +
                             "\" has no registered redirect URIs, so it cannot sign anyone in here. Its operator "
                             "registers them with `synckit-server app redirect-uris`."};
    }
    if (!is_registered_redirect(registered, request.redirect_uri)) {
      throw RefusedAuthorize{"This sign-in link would send you back to an address that the app \"" + app.name +
                             "\" has not registered. Nothing was sent anywhere; close this page."};
    }
    return {std::move(request), std::move(app)};
  } catch (const HttpError& e) {
    if (e.status != 400) throw;
    throw RefusedAuthorize{"This sign-in link is not valid: " + std::string(e.what()) + "."};
  }
}

void show_sign_in(ServerContext& ctx, const Request& req, Response& res) {
  std::vector<QueryParam> params(req.params.begin(), req.params.end());
  try {
    const auto [request, app] = checked_authorize(ctx, single_values(params));
    send_page(res, 200, render_sign_in_page(request, app.name, {}));
  } catch (const RefusedAuthorize& refused) {
    send_page(res, 400, render_refusal_page(refused.message));
  }
}

void sign_in(ServerContext& ctx, const Request& req, Response& res) {
  limit_auth_attempts(ctx, req, res);
  const auto fields = form_fields(req);
  AuthorizeRequest request;
  App app;
  try {
    std::tie(request, app) = checked_authorize(ctx, fields);
  } catch (const RefusedAuthorize& refused) {
    send_page(res, 400, render_refusal_page(refused.message));
    return;
  }
  const auto email = fields.find("email");
  const auto password = fields.find("password");
  if (email == fields.end() || password == fields.end() || email->second.empty() || password->second.empty()) {
    send_page(res, 400, render_sign_in_page(request, app.name, "Enter your email and password."));
    return;
  }
  const AuthKey auth_key = derive_auth_key(email->second, password->second);
  const auto user = ctx.store.find_user(app.id, normalize_email(email->second));
  if (!verify_auth_key(user ? user->auth_hash : std::string(), auth_key.view())) {
    send_page(res, 401, render_sign_in_page(request, app.name, "Wrong email or password."));
    return;
  }
  const std::string code = random_token();
  ctx.store.add_oauth_code(token_hash(code), OAuthCode{app.id, user->id, request.redirect_uri, request.code_challenge,
                                                       now_millis() + kCodeLifetime});
  res.status = 302;
  res.set_header("Location", redirect_with_code(request, code));
  res.set_header("Cache-Control", "no-store");
}

void exchange_code(ServerContext& ctx, const Request& req, Response& res) {
  limit_auth_attempts(ctx, req, res);
  const auto fields = form_fields(req);
  auto value = [&](const char* name) {
    const auto it = fields.find(name);
    return it == fields.end() ? std::string() : it->second;
  };
  if (value("grant_type") != "authorization_code") throw HttpError(400, "grant_type must be authorization_code");
  const App app = require_app(ctx, req);
  if (value("client_id") != req.get_header_value("X-SyncKit-Api-Key")) {
    throw HttpError(400, "invalid_grant", "client_id is not this request's API key");
  }
  const std::string verifier = value("code_verifier");
  const auto code = value("code").empty() ? std::nullopt : ctx.store.take_oauth_code(token_hash(value("code")));
  const bool valid = code && code->expires_at > now_millis() && code->app_id == app.id &&
                     code->redirect_uri == value("redirect_uri") &&
                     is_registered_redirect(ctx.store.redirect_uris(app.id), code->redirect_uri) &&
                     is_valid_pkce_verifier(verifier) &&
                     constant_time_equal(as_bytes(pkce_challenge_s256(verifier)), as_bytes(code->code_challenge));
  if (!valid) throw HttpError(400, "invalid_grant", "the code is invalid, expired, used, or does not match");
  send_json(res, 200, issue_tokens(ctx, code->user_id, app.id));
}

}  // namespace

void add_oauth_routes(Router& router, ServerContext& ctx) {
  router.get("/v1/oauth/authorize", guarded([&](const auto& req, auto& res) { show_sign_in(ctx, req, res); }));
  router.post("/v1/oauth/authorize", guarded([&](const auto& req, auto& res) { sign_in(ctx, req, res); }));
  router.post("/v1/oauth/token", guarded([&](const auto& req, auto& res) { exchange_code(ctx, req, res); }));
}

}  // namespace synckit::server
