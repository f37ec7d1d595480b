#include "http/blob_body.hpp"
#include "http/request_context.hpp"
#include "http/responses.hpp"
#include "http/routes.hpp"
#include "synckit/crypto/blob.hpp"
#include "synckit/ids.hpp"
#include "synckit/wire/blob_messages.hpp"
#include "synckit/wire/byte_range.hpp"

namespace synckit::server {
namespace {

void put_blob(ServerContext& ctx, const Request& req, Response& res) {
  const Session session = require_session(ctx, req);
  const std::string id = blob_id_of(req);
  const std::string_view bytes = body_within(req, ctx.config.max_blob_bytes);
  if (bytes.size() < kBlobOverhead) throw HttpError(400, "a sealed blob is at least 40 bytes");
  const PutResult result = ctx.store.put_blob(session.user_id, id, req.body, now_millis());
  const wire::BlobPutReply reply{id, static_cast<std::int64_t>(bytes.size())};
  send_json(res, result == PutResult::created ? 201 : 200, wire::to_json(reply));
}

// Either form, whole (200) or one byte range of it (206); a range past the end is 416. A streamed
// blob's bytes go out part by part (BlobPartsBody).
void get_blob(ServerContext& ctx, const Request& req, Response& res) {
  const Session session = require_session(ctx, req);
  auto blob = ctx.store.open_blob(session.user_id, blob_id_of(req));
  if (!blob) throw HttpError(404, "no such blob");
  const auto size = static_cast<std::uint64_t>(blob->size);
  wire::RangeRequest range;
  if (req.has_header("Range")) range = wire::parse_range(req.get_header_value("Range"), size);
  if (range.kind == wire::RangeRequest::Kind::unsatisfiable) {
    res.set_header("Content-Range", "bytes */" + std::to_string(size));
    throw HttpError(416, "invalid_request", "the range starts beyond the blob's end");
  }
  if (range.kind == wire::RangeRequest::Kind::whole) range.range = {0, size == 0 ? 0 : size - 1};
  res.status = 200;
  if (range.kind == wire::RangeRequest::Kind::part) {
    res.status = 206;
    res.set_header("Content-Range", wire::format_content_range(range.range, size));
  }
  res.set_header("Content-Type", "application/octet-stream");
  res.set_header("Accept-Ranges", "bytes");
  res.set_header("X-SyncKit-Blob-Format", blob->format);
  if (blob->format == kStreamFormat) {
    res.stream = std::make_shared<BlobPartsBody>(ctx.store, std::move(*blob), range.range);
  } else if (range.kind == wire::RangeRequest::Kind::part) {
    res.body = blob->bytes.substr(range.range.first, range.range.last - range.range.first + 1);
  } else {
    res.body = std::move(blob->bytes);
  }
}

void delete_blob(ServerContext& ctx, const Request& req, Response& res) {
  const Session session = require_session(ctx, req);
  if (!ctx.store.delete_blob(session.user_id, blob_id_of(req))) throw HttpError(404, "no such blob");
  res.status = 204;
}

}  // namespace

void add_blob_routes(Router& router, ServerContext& ctx) {
  add_blob_upload_routes(router, ctx);
  constexpr const char* kPath = "/v1/blobs/*";
  router.put(kPath, guarded([&](const auto& req, auto& res) { put_blob(ctx, req, res); }));
  router.get(kPath, guarded([&](const auto& req, auto& res) { get_blob(ctx, req, res); }));
  router.del(kPath, guarded([&](const auto& req, auto& res) { delete_blob(ctx, req, res); }));
}

}  // namespace synckit::server
