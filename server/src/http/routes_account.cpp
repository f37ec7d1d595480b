// Protocol 1.1, "Sign-in credentials and the account": changing the sign-in credential (auth key,
// optionally the email) and deleting the account. Both need the current auth key besides the
// access token, so a stolen token alone can do neither; both count as sign-in attempts.
#include "auth/secrets.hpp"
#include "http/request_context.hpp"
#include "http/responses.hpp"
#include "http/routes.hpp"
#include "synckit/auth/login_key.hpp"
#include "synckit/wire/account_messages.hpp"

namespace synckit::server {
namespace {

// The caller's user, once `auth_key` matches their stored hash; 401 otherwise. A user gone
// meanwhile costs the same work (a dummy hash).
User verified_user(ServerContext& ctx, const Session& session, const AuthKey& auth_key) {
  auto user = ctx.store.find_user_by_id(session.user_id);
  if (!verify_auth_key(user ? user->auth_hash : std::string(), auth_key.view())) {
    throw HttpError(401, "wrong password");
  }
  return std::move(*user);
}

void change_credentials(ServerContext& ctx, const Request& req, Response& res) {
  const Session session = require_session(ctx, req);
  limit_auth_attempts(ctx, req, res);
  const auto request = wire::parse_credential_change_request_text(body_within(req, kMaxJsonBody));
  const User user = verified_user(ctx, session, request.auth_key);
  std::string refresh_token = random_token();
  CredentialChange change;
  change.user_id = user.id;
  change.new_auth_hash = hash_auth_key(request.new_auth_key.view());
  if (request.new_email) change.new_email = normalize_email(*request.new_email);
  change.expected_auth_hash = user.auth_hash;  // a change racing this one makes it stale
  change.refresh_hash = token_hash(refresh_token);
  change.now = now_millis();
  change.expires_at = change.now + kRefreshLifetime;
  const CredentialResult result = ctx.store.replace_credentials(change);
  if (result.outcome == CredentialOutcome::email_taken) {
    throw HttpError(409, "an account with this email already exists");
  }
  if (result.outcome != CredentialOutcome::changed) throw HttpError(401, "wrong password");
  ctx.wakes.notify(user.id);  // held pulls of the ended sessions run again and are refused
  send_json(res, 200, token_reply(ctx, user.id, session.app.id, result.session_id, std::move(refresh_token), change.now));
}

void delete_account(ServerContext& ctx, const Request& req, Response& res) {
  const Session session = require_session(ctx, req);
  limit_auth_attempts(ctx, req, res);
  const auto request = wire::parse_delete_account_request_text(body_within(req, kMaxJsonBody));
  const User user = verified_user(ctx, session, request.auth_key);
  if (!ctx.store.delete_user(user.id, user.auth_hash)) throw HttpError(401, "wrong password");
  ctx.wakes.notify(user.id);
  res.status = 204;
}

}  // namespace

void add_account_routes(Router& router, ServerContext& ctx) {
  router.post("/v1/auth/credentials", guarded([&](const auto& req, auto& res) { change_credentials(ctx, req, res); }));
  router.post("/v1/account/delete", guarded([&](const auto& req, auto& res) { delete_account(ctx, req, res); }));
}

}  // namespace synckit::server
