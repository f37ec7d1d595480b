// Protocol 1.1, "Recovery": the recovery envelope (the master key sealed under a key derived from
// the recovery code) with the hash of the recovery auth key, and signing in with that key to set
// a new sign-in credential when the password is lost.
#include "auth/secrets.hpp"
#include "http/request_context.hpp"
#include "http/responses.hpp"
#include "http/routes.hpp"
#include "synckit/auth/login_key.hpp"
#include "synckit/crypto/recovery.hpp"
#include "synckit/wire/account_messages.hpp"
#include "synckit/wire/key_messages.hpp"

namespace synckit::server {
namespace {

void get_recovery(ServerContext& ctx, const Request& req, Response& res) {
  const Session session = require_session(ctx, req);
  const auto stored = ctx.store.get_recovery(session.user_id);
  if (!stored) throw HttpError(404, "no recovery envelope");
  const wire::RecoveryReply reply{recovery_envelope_from_json_text(stored->envelope_json), stored->version};
  send_json(res, 200, wire::to_json(reply));
}

void put_recovery(ServerContext& ctx, const Request& req, Response& res) {
  const Session session = require_session(ctx, req);
  // Hashing the recovery auth key costs what a registration does (Argon2id, 64 MiB): limited the same way.
  limit_auth_attempts(ctx, req, res);
  const auto request = wire::parse_put_recovery_request_text(body_within(req, kMaxJsonBody));
  // Stored in canonical form; the new hash replaces the old one, so the previous recovery code no
  // longer signs in.
  const auto version =
      ctx.store.put_recovery(session.user_id, recovery_envelope_to_json(request.envelope).dump(),
                             hash_auth_key(request.recovery_auth_key.view()), request.expected_version);
  if (!version) throw HttpError(409, "the stored recovery envelope version is not expected_version");
  send_json(res, 200, wire::to_json(wire::PutEnvelopeReply{*version}));
}

void recover(ServerContext& ctx, const Request& req, Response& res) {
  const App app = require_app(ctx, req);
  limit_auth_attempts(ctx, req, res);
  const auto request = wire::parse_recover_request_text(body_within(req, kMaxJsonBody));
  const auto login = ctx.store.find_recovery_login(app.id, normalize_email(request.email));
  // An unknown email and a user without recovery cost the same as a wrong key (a dummy hash).
  const std::string stored = login ? login->recovery_hash : std::string();
  if (!verify_auth_key(stored, request.recovery_auth_key.view())) {
    throw HttpError(401, "wrong email or recovery code");
  }
  std::string refresh_token = random_token();
  CredentialChange change;
  change.user_id = login->user_id;
  change.new_auth_hash = hash_auth_key(request.new_auth_key.view());
  change.expected_recovery_hash = stored;  // a recovery envelope replaced meanwhile makes it stale
  change.refresh_hash = token_hash(refresh_token);
  change.now = now_millis();
  change.expires_at = change.now + kRefreshLifetime;
  // The recovery envelope stays: the code keeps working until the user makes a new one.
  const CredentialResult result = ctx.store.replace_credentials(change);
  if (result.outcome != CredentialOutcome::changed) throw HttpError(401, "wrong email or recovery code");
  ctx.wakes.notify(login->user_id);  // held pulls of the ended sessions run again and are refused
  send_json(res, 200, token_reply(ctx, login->user_id, app.id, result.session_id, std::move(refresh_token), change.now));
}

}  // namespace

void add_recovery_routes(Router& router, ServerContext& ctx) {
  router.get("/v1/keys/recovery", guarded([&](const auto& req, auto& res) { get_recovery(ctx, req, res); }));
  router.put("/v1/keys/recovery", guarded([&](const auto& req, auto& res) { put_recovery(ctx, req, res); }));
  router.post("/v1/auth/recover", guarded([&](const auto& req, auto& res) { recover(ctx, req, res); }));
}

}  // namespace synckit::server
