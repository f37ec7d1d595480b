#include "synckit/wire/blob_messages.hpp"

#include "synckit/ids.hpp"

namespace synckit::wire {
namespace {

constexpr std::string_view kWhat = "blob put reply";

}  // namespace

JsonValue to_json(const BlobPutReply& reply) {
  JsonValue out = JsonValue::object();
  out["blob_id"] = reply.blob_id;
  out["size"] = reply.size;
  return out;
}

BlobPutReply parse_blob_put_reply(const ObjectReader& reader) {
  BlobPutReply reply;
  reply.blob_id = reader.string("blob_id");
  if (!is_valid_blob_id(reply.blob_id)) reader.fail("blob_id", "must be 1..128 characters of [A-Za-z0-9_-]");
  reply.size = reader.integer("size", 0, kMaxCursor);
  return reply;
}

BlobPutReply parse_blob_put_reply_text(std::string_view body) {
  return parse_object_text(body, kWhat, [](const ObjectReader& r) { return parse_blob_put_reply(r); });
}

}  // namespace synckit::wire
