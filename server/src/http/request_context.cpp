#include "http/request_context.hpp"

#include "synckit/ids.hpp"

#include "auth/secrets.hpp"
#include "http/responses.hpp"

namespace synckit::server {

App require_app(ServerContext& ctx, const Request& req) {
  const std::string key = req.get_header_value("X-SyncKit-Api-Key");
  if (key.empty()) throw HttpError(401, "missing X-SyncKit-Api-Key header");
  auto app = ctx.store.find_app_by_key(token_hash(key));
  if (!app) throw HttpError(401, "unknown API key");
  return *app;
}

App app_for_client_id(ServerContext& ctx, const std::string& client_id) {
  auto app = client_id.empty() ? std::nullopt : ctx.store.find_app_by_key(token_hash(client_id));
  if (!app) throw HttpError(400, "unknown client_id");
  return *app;
}

Session require_session(ServerContext& ctx, const Request& req) {
  App app = require_app(ctx, req);
  const std::string header = req.get_header_value("Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (header.size() <= kBearer.size() || header.compare(0, kBearer.size(), kBearer) != 0) {
    throw HttpError(401, "missing bearer token");
  }
  const auto claims = ctx.signer.verify(std::string_view(header).substr(kBearer.size()), now_seconds());
  if (!claims) throw HttpError(401, "the access token is invalid or expired");
  if (claims->app != app.id) throw HttpError(401, "the access token belongs to another app");
  // Tokens are stateless but sessions are not: a token whose session ended (logout, DELETE
  // /v1/auth/sessions/{id}, a credential change, recover, account deletion) is refused at once
  // rather than when it expires. Tokens from before sessions (no sid) are refused too: their
  // clients refresh and get one.
  if (claims->sid.empty()) throw HttpError(401, "the access token names no session");
  if (!ctx.store.session_active(claims->sid, claims->sub, now_millis())) {
    throw HttpError(401, "the session of the access token has ended");
  }
  return Session{std::move(app), std::move(claims->sub), std::move(claims->sid)};
}

std::string blob_id_of(const Request& req) {
  std::string id = req.matches[1];
  if (!is_valid_blob_id(id)) throw HttpError(400, "a blob id is 1..128 characters of [A-Za-z0-9_-]");
  return id;
}

std::string_view body_within(const Request& req, std::size_t limit) {
  if (req.body.size() > limit) {
    throw HttpError(413, "the body is larger than " + std::to_string(limit) + " bytes");
  }
  return req.body;
}

void limit_auth_attempts(ServerContext& ctx, const Request& req, Response& res) {
  const auto wait = ctx.auth_limiter.take(req.remote_addr);
  if (wait) {
    res.set_header("Retry-After", std::to_string(*wait));
    throw HttpError(429, "too many sign-in attempts; try again later");
  }
}

}  // namespace synckit::server
