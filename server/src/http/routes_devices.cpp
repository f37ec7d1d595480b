#include "http/request_context.hpp"
#include "http/responses.hpp"
#include "http/routes.hpp"
#include "synckit/wire/device_messages.hpp"

namespace synckit::server {
namespace {

wire::Device to_wire(const DeviceRow& row) {
  return wire::Device{row.id, row.name, row.platform, SystemTime{std::chrono::milliseconds{row.created_at}}};
}

void add_device(ServerContext& ctx, const Request& req, Response& res) {
  const Session session = require_session(ctx, req);
  const auto request = wire::parse_register_device_request_text(body_within(req, kMaxJsonBody));
  const DeviceRow row = ctx.store.add_device(session.user_id, request.name, request.platform, now_millis());
  send_json(res, 201, wire::to_json(to_wire(row)));
}

void list_devices(ServerContext& ctx, const Request& req, Response& res) {
  const Session session = require_session(ctx, req);
  wire::DeviceList list;
  for (const DeviceRow& row : ctx.store.list_devices(session.user_id)) list.devices.push_back(to_wire(row));
  send_json(res, 200, wire::to_json(list));
}

void revoke_device(ServerContext& ctx, const Request& req, Response& res) {
  const Session session = require_session(ctx, req);
  if (!ctx.store.revoke_device(session.user_id, req.matches[1])) throw HttpError(404, "no such device");
  res.status = 204;
}

}  // namespace

void add_device_routes(Router& router, ServerContext& ctx) {
  router.post("/v1/devices", guarded([&](const auto& req, auto& res) { add_device(ctx, req, res); }));
  router.get("/v1/devices", guarded([&](const auto& req, auto& res) { list_devices(ctx, req, res); }));
  router.del("/v1/devices/*", guarded([&](const auto& req, auto& res) { revoke_device(ctx, req, res); }));
}

}  // namespace synckit::server
