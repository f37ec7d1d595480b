#include <charconv>

#include "http/request_context.hpp"
#include "http/responses.hpp"
#include "http/routes.hpp"
#include "synckit/wire/json_reader.hpp"
#include "synckit/wire/sync_messages.hpp"

namespace synckit::server {
namespace {

constexpr int kDefaultPullLimit = 500;
constexpr int kMaxPullWaitSeconds = 60;  // protocol 1.1, "Live pull"

// An integer query parameter in [min, max], or `fallback` when absent; 400 naming it otherwise.
std::int64_t query_integer(const Request& req, const char* name, std::int64_t fallback, std::int64_t min,
                           std::int64_t max) {
  if (!req.has_param(name)) return fallback;
  const std::string text = req.get_param_value(name);
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    throw HttpError(400, "'" + std::string(name) + "' must be an integer in " + std::to_string(min) + ".." +
                             std::to_string(max));
  }
  return value;
}

// The caller's device: a UUID (400) that this user has (404) and has not revoked (403).
void require_active_device(ServerContext& ctx, const Session& session, const std::string& device_id) {
  if (!wire::is_lowercase_uuid(device_id)) throw HttpError(400, "'device_id' must be a lowercase UUID");
  const auto device = ctx.store.find_device(session.user_id, device_id);
  if (!device) throw HttpError(404, "no such device");
  if (device->revoked) throw HttpError(403, "this device has been revoked");
}

void push(ServerContext& ctx, const Request& req, Response& res) {
  const Session session = require_session(ctx, req);
  const auto request = wire::parse_push_request_text(body_within(req, kMaxPushBody));
  require_active_device(ctx, session, request.device_id);
  std::vector<NewChange> changes;
  changes.reserve(request.changes.size());
  for (const auto& change : request.changes) {
    changes.push_back(NewChange{change.change_id, std::string(change.payload.begin(), change.payload.end())});
  }
  const std::int64_t cursor = ctx.store.push(session.user_id, request.device_id, changes);
  ctx.wakes.notify(session.user_id);  // this node's held pulls; other nodes hear it from the store
  send_json(res, 200, wire::to_json(wire::PushReply{cursor}));
}

void pull(ServerContext& ctx, const Request& req, Response& res) {
  const Session session = require_session(ctx, req);
  if (!req.has_param("device_id")) throw HttpError(400, "'device_id' is missing");
  const std::string device_id = req.get_param_value("device_id");
  const auto cursor = query_integer(req, "cursor", 0, 0, wire::kMaxCursor);
  const auto limit = query_integer(req, "limit", kDefaultPullLimit, 1, wire::kMaxChangesPerPull);
  const auto wait = query_integer(req, "wait", 0, 0, kMaxPullWaitSeconds);
  require_active_device(ctx, session, device_id);
  // Live pull: the version is read before the database, so a push committed in between still wakes.
  const std::uint64_t seen = wait > 0 ? ctx.wakes.version(session.user_id) : 0;
  const PullPage page = ctx.store.pull(session.user_id, device_id, cursor, static_cast<int>(limit));
  const auto until = req.received_at + std::chrono::seconds(wait);
  if (page.changes.empty() && !page.has_more && !req.final_attempt && std::chrono::steady_clock::now() < until) {
    res.hold = Hold{session.user_id, seen, until};
    return;
  }
  wire::PullReply reply{{}, page.cursor, page.has_more};
  reply.changes.reserve(page.changes.size());
  for (const StoredChange& change : page.changes) {
    reply.changes.push_back(wire::PulledChange{
        wire::SealedChange{change.change_id, Bytes(change.payload.begin(), change.payload.end())}, change.device_id,
        change.seq});
  }
  send_json(res, 200, wire::to_json(reply));
}

void status(ServerContext& ctx, const Request& req, Response& res) {
  const Session session = require_session(ctx, req);
  const UserStats stats = ctx.store.stats(session.user_id);
  send_json(res, 200, wire::to_json(wire::SyncStatus{session.user_id, session.app.id, stats.devices,
                                                     stats.latest_cursor, stats.changes, stats.blobs,
                                                     stats.blob_bytes}));
}

}  // namespace

void add_sync_routes(Router& router, ServerContext& ctx) {
  router.post("/v1/sync/push", guarded([&](const auto& req, auto& res) { push(ctx, req, res); }));
  router.get("/v1/sync/pull", guarded([&](const auto& req, auto& res) { pull(ctx, req, res); }));
  router.get("/v1/sync/status", guarded([&](const auto& req, auto& res) { status(ctx, req, res); }));
}

}  // namespace synckit::server
