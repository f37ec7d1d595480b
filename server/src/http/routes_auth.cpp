#include "auth/secrets.hpp"
#include "http/request_context.hpp"
#include "http/responses.hpp"
#include "http/routes.hpp"
#include "synckit/auth/login_key.hpp"
#include "synckit/wire/auth_messages.hpp"

namespace synckit::server {
namespace {

void register_user(ServerContext& ctx, const Request& req, Response& res) {
  const App app = require_app(ctx, req);
  limit_auth_attempts(ctx, req, res);
  const auto request = wire::parse_credentials_request_text(body_within(req, kMaxJsonBody));
  const std::string hash = hash_auth_key(request.auth_key.view());
  const auto user = ctx.store.create_user(app.id, normalize_email(request.email), hash);
  if (!user) throw HttpError(409, "an account with this email already exists");
  send_json(res, 201, issue_tokens(ctx, user->id, app.id));
}

void login(ServerContext& ctx, const Request& req, Response& res) {
  const App app = require_app(ctx, req);
  limit_auth_attempts(ctx, req, res);
  const auto request = wire::parse_credentials_request_text(body_within(req, kMaxJsonBody));
  const auto user = ctx.store.find_user(app.id, normalize_email(request.email));
  // An unknown email costs the same as a wrong key (verify_auth_key hashes a dummy).
  if (!verify_auth_key(user ? user->auth_hash : std::string(), request.auth_key.view())) {
    throw HttpError(401, "wrong email or password");
  }
  send_json(res, 200, issue_tokens(ctx, user->id, app.id));
}

void refresh(ServerContext& ctx, const Request& req, Response& res) {
  const App app = require_app(ctx, req);
  limit_auth_attempts(ctx, req, res);
  const auto request = wire::parse_refresh_request_text(body_within(req, kMaxJsonBody));
  const std::string next = random_token();
  const Millis now = now_millis();
  const auto grant =
      ctx.store.rotate_session(token_hash(request.refresh_token), token_hash(next), now, now + kRefreshLifetime);
  if (!grant) throw HttpError(401, "the refresh token is invalid, expired or already used");
  if (grant->app_id != app.id) {
    // Sent with another app's key: treated as leaked, so its session ends.
    ctx.store.end_session(grant->user_id, grant->session_id);
    throw HttpError(401, "the refresh token belongs to another app");
  }
  send_json(res, 200, token_reply(ctx, grant->user_id, app.id, grant->session_id, next, now));
}

void logout(ServerContext& ctx, const Request& req, Response& res) {
  require_app(ctx, req);
  const auto request = wire::parse_logout_request_text(body_within(req, kMaxJsonBody));
  // The session ends: its refresh token and its access tokens stop working.
  ctx.store.end_session_by_refresh(token_hash(request.refresh_token));
  res.status = 204;
}

}  // namespace

JsonValue token_reply(ServerContext& ctx, const std::string& user_id, const std::string& app_id,
                      const std::string& session_id, std::string refresh_token, Millis now) {
  const wire::TokenReply reply{user_id, app_id, ctx.signer.issue(user_id, app_id, session_id, now / 1000),
                               std::move(refresh_token), ctx.signer.lifetime().count()};
  return wire::to_json(reply);
}

JsonValue issue_tokens(ServerContext& ctx, const std::string& user_id, const std::string& app_id) {
  std::string refresh_token = random_token();
  const Millis now = now_millis();
  const std::string session_id = ctx.store.add_session(token_hash(refresh_token), user_id, now, now + kRefreshLifetime);
  return token_reply(ctx, user_id, app_id, session_id, std::move(refresh_token), now);
}

void add_auth_routes(Router& router, ServerContext& ctx) {
  router.post("/v1/auth/register", guarded([&](const auto& req, auto& res) { register_user(ctx, req, res); }));
  router.post("/v1/auth/login", guarded([&](const auto& req, auto& res) { login(ctx, req, res); }));
  router.post("/v1/auth/refresh", guarded([&](const auto& req, auto& res) { refresh(ctx, req, res); }));
  router.post("/v1/auth/logout", guarded([&](const auto& req, auto& res) { logout(ctx, req, res); }));
}

}  // namespace synckit::server
