// Streamed blob uploads (protocol.md 1.1): start, put a part, ask what has arrived, complete,
// abandon. Each part is checked against the upload's size and part size as it arrives, so a
// complete upload is a whole stream of the size announced; the bytes stay opaque.
#include <charconv>

#include "http/request_context.hpp"
#include "http/responses.hpp"
#include "http/routes.hpp"
#include "synckit/crypto/blob_stream.hpp"
#include "synckit/error.hpp"
#include "synckit/ids.hpp"
#include "synckit/wire/blob_messages.hpp"
#include "synckit/wire/blob_upload_messages.hpp"

namespace synckit::server {
namespace {

struct UploadTarget {
  Session session;
  std::string blob_id;
  std::string upload_id;  // empty for the start
};

UploadTarget target_of(ServerContext& ctx, const Request& req, bool with_upload) {
  UploadTarget target{require_session(ctx, req), blob_id_of(req), {}};
  if (with_upload) {
    target.upload_id = req.matches[2];
    if (!wire::is_lowercase_uuid(target.upload_id)) throw HttpError(404, "no such upload");
  }
  return target;
}

BlobUpload find_upload(ServerContext& ctx, const UploadTarget& target) {
  auto upload = ctx.store.find_upload(target.session.user_id, target.blob_id, target.upload_id);
  if (!upload) throw HttpError(404, "no such upload");
  return std::move(*upload);
}

void start_upload(ServerContext& ctx, const Request& req, Response& res) {
  const UploadTarget target = target_of(ctx, req, false);
  const wire::UploadStart start = wire::parse_upload_start_text(body_within(req, kMaxJsonBody));
  if (start.size > ctx.config.max_stream_bytes) {
    throw HttpError(413, "the stream is larger than this server takes (" + std::to_string(ctx.config.max_stream_bytes) +
                             " bytes)");
  }
  try {
    blob_stream_plain_size(static_cast<std::uint64_t>(start.size));
  } catch (const synckit::Error&) {
    throw HttpError(400, "size is not the size of any sealed stream (24 + 17 per 64 KiB chunk + the plaintext)");
  }
  const auto part_size = static_cast<std::int64_t>(ctx.config.blob_part_size);
  const std::string id = ctx.store.create_upload(target.session.user_id, target.blob_id, start.size, part_size, now_millis());
  send_json(res, 201, wire::to_json(wire::UploadStartReply{id, part_size}));
}

std::int64_t part_number(const std::string& text) {
  std::int64_t part = -1;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), part);
  if (error != std::errc() || end != text.data() + text.size() || part < 0 || (text.size() > 1 && text[0] == '0')) {
    throw HttpError(400, "a part number is a decimal integer from 0");
  }
  return part;
}

void put_part(ServerContext& ctx, const Request& req, Response& res) {
  const UploadTarget target = target_of(ctx, req, true);
  const std::int64_t part = part_number(req.matches[3]);
  const BlobUpload upload = find_upload(ctx, target);
  const std::int64_t count = wire::part_count(upload.size, upload.part_size);
  if (part >= count) {
    throw HttpError(400, "part " + std::to_string(part) + " is beyond the stream's " + std::to_string(count) + " parts");
  }
  const auto expected = static_cast<std::size_t>(wire::part_length(upload.size, upload.part_size, part));
  const std::string_view bytes = body_within(req, expected);
  if (bytes.size() != expected) {
    throw HttpError(400, "part " + std::to_string(part) + " is " + std::to_string(expected) + " bytes");
  }
  if (!ctx.store.put_upload_part(target.session.user_id, target.blob_id, target.upload_id, part, req.body)) {
    throw HttpError(404, "no such upload");
  }
  res.status = 204;
}

void upload_state(ServerContext& ctx, const Request& req, Response& res) {
  const BlobUpload upload = find_upload(ctx, target_of(ctx, req, true));
  send_json(res, 200, wire::to_json(wire::UploadState{upload.parts, upload.size}));
}

void complete_upload(ServerContext& ctx, const Request& req, Response& res) {
  const UploadTarget target = target_of(ctx, req, true);
  const BlobUpload upload = find_upload(ctx, target);
  switch (ctx.store.complete_upload(target.session.user_id, target.blob_id, target.upload_id, now_millis())) {
    case CompleteResult::no_upload: throw HttpError(404, "no such upload");
    case CompleteResult::missing_parts: {
      const std::int64_t count = wire::part_count(upload.size, upload.part_size);
      throw HttpError(409, "the upload has " + std::to_string(upload.parts.size()) + " of its " +
                               std::to_string(count) + " parts");
    }
    case CompleteResult::created:
    case CompleteResult::replaced: break;
  }
  send_json(res, 201, wire::to_json(wire::BlobPutReply{target.blob_id, upload.size}));
}

void delete_upload(ServerContext& ctx, const Request& req, Response& res) {
  const UploadTarget target = target_of(ctx, req, true);
  if (!ctx.store.delete_upload(target.session.user_id, target.blob_id, target.upload_id)) {
    throw HttpError(404, "no such upload");
  }
  res.status = 204;
}

}  // namespace

void add_blob_upload_routes(Router& router, ServerContext& ctx) {
  router.post("/v1/blobs/*/uploads", guarded([&](const auto& req, auto& res) { start_upload(ctx, req, res); }));
  router.post("/v1/blobs/*/uploads/*/complete",
              guarded([&](const auto& req, auto& res) { complete_upload(ctx, req, res); }));
  router.put("/v1/blobs/*/uploads/*/*", guarded([&](const auto& req, auto& res) { put_part(ctx, req, res); }));
  router.get("/v1/blobs/*/uploads/*", guarded([&](const auto& req, auto& res) { upload_state(ctx, req, res); }));
  router.del("/v1/blobs/*/uploads/*", guarded([&](const auto& req, auto& res) { delete_upload(ctx, req, res); }));
}

}  // namespace synckit::server
