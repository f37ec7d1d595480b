#include "http/request_context.hpp"
#include "http/responses.hpp"
#include "http/routes.hpp"
#include "synckit/crypto/blob.hpp"
#include "synckit/ids.hpp"
#include "synckit/wire/blob_messages.hpp"

namespace synckit::server {
namespace {

std::string blob_id_of(const Request& req) {
  std::string id = req.matches[1];
  if (!is_valid_blob_id(id)) throw HttpError(400, "a blob id is 1..128 characters of [A-Za-z0-9_-]");
  return id;
}

void put_blob(ServerContext& ctx, const Request& req, Response& res) {
  const Session session = require_session(ctx, req);
  const std::string id = blob_id_of(req);
  const std::string_view bytes = body_within(req, ctx.config.max_blob_bytes);
  if (bytes.size() < kBlobOverhead) throw HttpError(400, "a sealed blob is at least 40 bytes");
  const PutResult result = ctx.store.put_blob(session.user_id, id, req.body, now_millis());
  const wire::BlobPutReply reply{id, static_cast<std::int64_t>(bytes.size())};
  send_json(res, result == PutResult::created ? 201 : 200, wire::to_json(reply));
}

void get_blob(ServerContext& ctx, const Request& req, Response& res) {
  const Session session = require_session(ctx, req);
  auto bytes = ctx.store.get_blob(session.user_id, blob_id_of(req));
  if (!bytes) throw HttpError(404, "no such blob");
  res.status = 200;
  res.body = std::move(*bytes);
  res.set_header("Content-Type", "application/octet-stream");
}

void delete_blob(ServerContext& ctx, const Request& req, Response& res) {
  const Session session = require_session(ctx, req);
  if (!ctx.store.delete_blob(session.user_id, blob_id_of(req))) throw HttpError(404, "no such blob");
  res.status = 204;
}

}  // namespace

void add_blob_routes(Router& router, ServerContext& ctx) {
  constexpr const char* kPath = "/v1/blobs/*";
  router.put(kPath, guarded([&](const auto& req, auto& res) { put_blob(ctx, req, res); }));
  router.get(kPath, guarded([&](const auto& req, auto& res) { get_blob(ctx, req, res); }));
  router.del(kPath, guarded([&](const auto& req, auto& res) { delete_blob(ctx, req, res); }));
}

}  // namespace synckit::server
