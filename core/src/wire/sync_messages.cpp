#include "synckit/wire/sync_messages.hpp"

#include <unordered_set>

#include "synckit/crypto/change.hpp"
#include "synckit/error.hpp"
#include "synckit/ids.hpp"
#include "wire/pull_reply_fast.hpp"

namespace synckit::wire {

static_assert(kMinChangePayloadBytes == kSealedOverhead);
static_assert(kMaxChangePayloadBytes == kMaxSealedChangeBytes);

namespace {

constexpr std::string_view kPushRequest = "push request";
constexpr std::string_view kPushReply = "push reply";
constexpr std::string_view kPullReply = "pull reply";
constexpr std::string_view kSyncStatus = "sync status";

constexpr std::string_view kPayloadRange = "must hold 40..1048576 bytes";  // the constants above
constexpr std::string_view kChangeIdRule = "must be 1..64 characters of [A-Za-z0-9_-]";

[[noreturn]] void invalid(const std::string& field, std::string_view problem) {
  throw Error(ErrorKind::invalid_input, "'" + field + "' " + std::string(problem), field);
}

// Throws Error{invalid_input} naming prefix + field when the change breaks the protocol's rules.
void check_change(const SealedChange& change, const std::string& prefix) {
  if (!is_valid_change_id(change.change_id)) invalid(prefix + "change_id", kChangeIdRule);
  const std::size_t size = change.payload.size();
  if (size < kMinChangePayloadBytes || size > kMaxChangePayloadBytes) {
    invalid(prefix + "payload", kPayloadRange);
  }
}

// The JSON of a change without checks: {"change_id","payload"}.
JsonValue change_json(const SealedChange& change) {
  JsonValue out = JsonValue::object();
  out["change_id"] = change.change_id;
  out["payload"] = base64_encode(change.payload);
  return out;
}

// Exact dumped size of a push body: {"changes":[c1,c2,...],"device_id":"…"} (keys sorted).
std::size_t push_body_bytes(const PushRequest& request) noexcept {
  std::size_t total = std::string_view(R"({"changes":[)").size() +
                      std::string_view(R"(],"device_id":")").size() + request.device_id.size() +
                      std::string_view(R"("})").size();
  for (const SealedChange& change : request.changes) total += sealed_change_json_bytes(change);
  if (!request.changes.empty()) total += request.changes.size() - 1;  // commas
  return total;
}

Bytes read_payload(const ObjectReader& reader) {
  Bytes payload = reader.base64("payload");
  if (payload.size() < kMinChangePayloadBytes || payload.size() > kMaxChangePayloadBytes) {
    reader.fail("payload", kPayloadRange);
  }
  return payload;
}

}  // namespace

std::size_t sealed_change_json_bytes(const SealedChange& change) noexcept {
  const std::size_t base64_bytes = (change.payload.size() + 2) / 3 * 4;
  return std::string_view(R"({"change_id":")").size() + change.change_id.size() +
         std::string_view(R"(","payload":")").size() + base64_bytes + std::string_view(R"("})").size();
}

JsonValue to_json(const SealedChange& change) {
  check_change(change, {});
  return change_json(change);
}

namespace {

// The checks of a push request's JSON forms (to_json and to_text).
void check_push_request(const PushRequest& request) {
  if (!is_lowercase_uuid(request.device_id)) invalid("device_id", "must be a lowercase UUID");
  if (request.changes.empty() || request.changes.size() > kMaxChangesPerPush) {
    invalid("changes", "must hold 1.." + std::to_string(kMaxChangesPerPush) + " changes");
  }
  for (std::size_t i = 0; i < request.changes.size(); ++i) {
    check_change(request.changes[i], "changes[" + std::to_string(i) + "].");
  }
  if (push_body_bytes(request) > kMaxPushBodyBytes) {
    invalid("changes", "would make the push body exceed 8 MiB");
  }
}

}  // namespace

JsonValue to_json(const PushRequest& request) {
  check_push_request(request);
  JsonValue changes = JsonValue::array();
  for (const SealedChange& change : request.changes) changes.push_back(change_json(change));
  JsonValue out = JsonValue::object();
  out["changes"] = std::move(changes);
  out["device_id"] = request.device_id;
  return out;
}

std::string to_text(const PushRequest& request) {
  check_push_request(request);
  std::string out;
  out.reserve(push_body_bytes(request) + 1);  // exact: one allocation for the whole body
  out += R"({"changes":[)";
  for (const SealedChange& change : request.changes) {
    if (&change != request.changes.data()) out += ',';
    out += R"({"change_id":")";
    out += change.change_id;  // checked: [A-Za-z0-9_-]
    out += R"(","payload":")";
    base64_append(out, change.payload);
    out += R"("})";
  }
  out += R"(],"device_id":")";
  out += request.device_id;  // checked: a lowercase UUID
  out += R"("})";
  return out;
}

JsonValue to_json(const PulledChange& change) {
  JsonValue out = JsonValue::object();
  out["change_id"] = change.change.change_id;
  out["device_id"] = change.device_id;
  out["payload"] = base64_encode(change.change.payload);
  out["seq"] = change.seq;
  return out;
}

JsonValue to_json(const PushReply& reply) {
  JsonValue out = JsonValue::object();
  out["cursor"] = reply.cursor;
  return out;
}

JsonValue to_json(const PullReply& reply) {
  JsonValue changes = JsonValue::array();
  for (const PulledChange& change : reply.changes) changes.push_back(to_json(change));
  JsonValue out = JsonValue::object();
  out["changes"] = std::move(changes);
  out["cursor"] = reply.cursor;
  out["has_more"] = reply.has_more;
  return out;
}

JsonValue to_json(const SyncStatus& status) {
  JsonValue out = JsonValue::object();
  out["app_id"] = status.app_id;
  out["blob_bytes"] = status.blob_bytes;
  out["blobs"] = status.blobs;
  out["changes"] = status.changes;
  out["devices"] = status.devices;
  out["latest_cursor"] = status.latest_cursor;
  out["user_id"] = status.user_id;
  return out;
}

SealedChange parse_sealed_change(const ObjectReader& reader) {
  SealedChange change;
  change.change_id = reader.string("change_id");
  if (!is_valid_change_id(change.change_id)) reader.fail("change_id", kChangeIdRule);
  change.payload = read_payload(reader);
  return change;
}

PulledChange parse_pulled_change(const ObjectReader& reader) {
  PulledChange pulled;
  pulled.change = parse_sealed_change(reader);
  pulled.device_id = reader.uuid("device_id");
  pulled.seq = reader.integer("seq", 1, kMaxCursor);
  return pulled;
}

PushRequest parse_push_request(const ObjectReader& reader) {
  PushRequest request;
  request.device_id = reader.uuid("device_id");
  const std::vector<ObjectReader> items = reader.objects("changes");
  if (items.empty() || items.size() > kMaxChangesPerPush) {
    reader.fail("changes", "must hold 1.." + std::to_string(kMaxChangesPerPush) + " changes");
  }
  request.changes.reserve(items.size());
  for (const ObjectReader& item : items) request.changes.push_back(parse_sealed_change(item));
  return request;
}

PushRequest parse_push_request_text(std::string_view body) {
  return parse_object_text(body, kPushRequest, [](const ObjectReader& r) { return parse_push_request(r); });
}

PushReply parse_push_reply(const ObjectReader& reader) { return PushReply{reader.cursor("cursor")}; }

PushReply parse_push_reply_text(std::string_view body) {
  return parse_object_text(body, kPushReply, [](const ObjectReader& r) { return parse_push_reply(r); });
}

PullReply parse_pull_reply(const ObjectReader& reader) {
  PullReply reply;
  const std::vector<ObjectReader> items = reader.objects("changes");
  if (items.size() > kMaxChangesPerPull) {
    reader.fail("changes", "must hold at most " + std::to_string(kMaxChangesPerPull) + " changes");
  }
  reply.cursor = reader.cursor("cursor");
  reply.has_more = reader.boolean("has_more");
  std::unordered_set<std::string> ids;
  reply.changes.reserve(items.size());
  for (const ObjectReader& item : items) {
    PulledChange change = parse_pulled_change(item);
    if (!reply.changes.empty() && change.seq <= reply.changes.back().seq) {
      item.fail("seq", "must be greater than the previous change's seq");
    }
    if (change.seq > reply.cursor) item.fail("seq", "must not exceed the reply's cursor");
    if (!ids.insert(change.change.change_id).second) item.fail("change_id", "repeats an earlier change's id");
    reply.changes.push_back(std::move(change));
  }
  return reply;
}

PullReply parse_pull_reply_text(std::string_view body) {
  if (auto reply = detail::read_pull_reply_fast(body)) return std::move(*reply);
  return parse_object_text(body, kPullReply, [](const ObjectReader& r) { return parse_pull_reply(r); });
}

SyncStatus parse_sync_status(const ObjectReader& reader) {
  SyncStatus status;
  status.user_id = reader.uuid("user_id");
  status.app_id = reader.uuid("app_id");
  status.devices = reader.integer("devices", 0, kMaxCursor);
  status.latest_cursor = reader.cursor("latest_cursor");
  status.changes = reader.integer("changes", 0, kMaxCursor);
  if (status.changes > status.latest_cursor) reader.fail("changes", "must not exceed latest_cursor");
  status.blobs = reader.integer("blobs", 0, kMaxCursor);
  status.blob_bytes = reader.integer("blob_bytes", 0, kMaxCursor);
  return status;
}

SyncStatus parse_sync_status_text(std::string_view body) {
  return parse_object_text(body, kSyncStatus, [](const ObjectReader& r) { return parse_sync_status(r); });
}

}  // namespace synckit::wire
