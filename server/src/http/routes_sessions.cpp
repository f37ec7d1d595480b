// Protocol 1.1, "Sign-in credentials and the account": the user's sessions (one per sign-in, kept
// across refreshes) and ending one of them, which refuses its refresh token and, at once, its
// access tokens (request_context.cpp checks the session of every access token).
#include "http/request_context.hpp"
#include "http/responses.hpp"
#include "http/routes.hpp"
#include "synckit/wire/account_messages.hpp"
#include "synckit/wire/json_reader.hpp"

namespace synckit::server {
namespace {

SystemTime at(Millis millis) { return SystemTime{std::chrono::milliseconds{millis}}; }

void list_sessions(ServerContext& ctx, const Request& req, Response& res) {
  const Session session = require_session(ctx, req);
  wire::SessionList list;
  for (const SessionRow& row : ctx.store.list_sessions(session.user_id, now_millis())) {
    list.sessions.push_back(
        wire::SessionInfo{row.id, at(row.created_at), at(row.last_used_at), row.id == session.session_id});
  }
  send_json(res, 200, wire::to_json(list));
}

void end_session(ServerContext& ctx, const Request& req, Response& res) {
  const Session session = require_session(ctx, req);
  const std::string& id = req.matches[1];
  if (!wire::is_lowercase_uuid(id)) throw HttpError(400, "a session 'id' is a lowercase UUID");
  // Ending one's own current session is allowed: it is how a client signs out everywhere but
  // somewhere else, or just here.
  if (!ctx.store.end_session(session.user_id, id)) throw HttpError(404, "no such session");
  ctx.wakes.notify(session.user_id);  // held pulls of that session run again and are refused
  res.status = 204;
}

}  // namespace

void add_session_routes(Router& router, ServerContext& ctx) {
  router.get("/v1/auth/sessions", guarded([&](const auto& req, auto& res) { list_sessions(ctx, req, res); }));
  router.del("/v1/auth/sessions/*", guarded([&](const auto& req, auto& res) { end_session(ctx, req, res); }));
}

}  // namespace synckit::server
