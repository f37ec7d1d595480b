#include "synckit/wire/blob_upload_messages.hpp"

#include <algorithm>

#include "synckit/error.hpp"

namespace synckit::wire {
namespace {

constexpr std::int64_t kMaxPartSize = std::int64_t{1} << 31;

}  // namespace

JsonValue to_json(const UploadStart& start) {
  JsonValue out = JsonValue::object();
  out["format"] = start.format;
  out["size"] = start.size;
  return out;
}

JsonValue to_json(const UploadStartReply& reply) {
  JsonValue out = JsonValue::object();
  out["upload_id"] = reply.upload_id;
  out["part_size"] = reply.part_size;
  return out;
}

JsonValue to_json(const UploadState& state) {
  JsonValue out = JsonValue::object();
  out["parts"] = JsonValue::array();
  for (const auto part : state.parts) out["parts"].push_back(part);
  out["size"] = state.size;
  return out;
}

UploadStart parse_upload_start_text(std::string_view body) {
  return parse_object_text(body, "upload start", [](const ObjectReader& r) {
    UploadStart start;
    start.format = r.string("format");
    if (start.format != kStreamBlobFormat) r.fail("format", "must be \"stream-v1\"");
    start.size = r.integer("size", 0, kMaxCursor);
    return start;
  });
}

UploadStartReply parse_upload_start_reply_text(std::string_view body) {
  return parse_object_text(body, "upload start reply", [](const ObjectReader& r) {
    UploadStartReply reply;
    reply.upload_id = r.uuid("upload_id");
    reply.part_size = r.integer("part_size", 1, kMaxPartSize);
    return reply;
  });
}

UploadState parse_upload_state_text(std::string_view body) {
  return parse_object_text(body, "upload state", [](const ObjectReader& r) {
    UploadState state;
    const JsonValue& parts = r.value("parts");
    if (!parts.is_array()) r.fail("parts", "must be an array");
    for (const auto& part : parts) {
      if (!part.is_number_integer() || part.get<std::int64_t>() < 0 || part.get<std::int64_t>() > kMaxCursor) {
        r.fail("parts", "must hold part numbers (integers in 0..2^53)");
      }
      const auto number = part.get<std::int64_t>();
      if (!state.parts.empty() && number <= state.parts.back()) r.fail("parts", "must be ascending without repeats");
      state.parts.push_back(number);
    }
    state.size = r.integer("size", 0, kMaxCursor);
    return state;
  });
}

std::int64_t part_count(std::int64_t size, std::int64_t part_size) noexcept {
  if (part_size <= 0 || size <= 0) return 1;
  return (size + part_size - 1) / part_size;
}

std::int64_t part_length(std::int64_t size, std::int64_t part_size, std::int64_t part) noexcept {
  if (part_size <= 0 || part < 0) return 0;
  const std::int64_t start = part * part_size;
  if (part >= part_count(size, part_size)) return 0;
  return std::min(part_size, size - start);
}

}  // namespace synckit::wire
