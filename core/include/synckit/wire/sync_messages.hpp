// The sync endpoints' bodies (protocol.md, "Sync"). Payloads are sealed changes (crypto/change.hpp);
// this layer checks only their size and base64, never their content.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "synckit/bytes.hpp"
#include "synckit/json_value.hpp"
#include "synckit/wire/json_reader.hpp"

namespace synckit::wire {

// A sealed payload is 40 bytes .. 1 MiB decoded; a push holds 1..1000 changes in at most 8 MiB of
// body; a pull reply holds at most 1000 changes.
inline constexpr std::size_t kMinChangePayloadBytes = 40;
inline constexpr std::size_t kMaxChangePayloadBytes = std::size_t{1} << 20;
inline constexpr std::size_t kMaxChangesPerPush = 1000;
inline constexpr std::size_t kMaxPushBodyBytes = std::size_t{8} << 20;
inline constexpr std::size_t kMaxChangesPerPull = 1000;

// One change on the wire {"change_id","payload"}: change_id passes is_valid_change_id, payload is the
// sealed change (base64 in JSON).
struct SealedChange {
  std::string change_id;
  Bytes payload;

  friend bool operator==(const SealedChange&, const SealedChange&) = default;
};

// A pulled change: the same fields plus "device_id" (lowercase UUID of the pushing device) and
// "seq" (its sequence number, 1..2^53), all in one flat JSON object.
struct PulledChange {
  SealedChange change;
  std::string device_id;
  std::int64_t seq = 1;

  friend bool operator==(const PulledChange&, const PulledChange&) = default;
};

// POST /v1/sync/push body {"device_id","changes":[...]}.
struct PushRequest {
  std::string device_id;
  std::vector<SealedChange> changes;

  friend bool operator==(const PushRequest&, const PushRequest&) = default;
};

// POST /v1/sync/push reply {"cursor":n}: the user's latest sequence number, 0..2^53.
struct PushReply {
  std::int64_t cursor = 0;

  friend bool operator==(const PushReply&, const PushReply&) = default;
};

// GET /v1/sync/pull reply {"changes":[...],"cursor":n,"has_more":bool}: at most 1000 changes in
// strictly increasing seq order, none beyond cursor (the last sequence number examined).
struct PullReply {
  std::vector<PulledChange> changes;
  std::int64_t cursor = 0;
  bool has_more = false;

  friend bool operator==(const PullReply&, const PullReply&) = default;
};

// GET /v1/sync/status reply: counts and cursor, all 0..2^53, changes <= latest_cursor.
struct SyncStatus {
  std::string user_id;
  std::string app_id;
  std::int64_t devices = 0;
  std::int64_t latest_cursor = 0;
  std::int64_t changes = 0;
  std::int64_t blobs = 0;
  std::int64_t blob_bytes = 0;

  friend bool operator==(const SyncStatus&, const SyncStatus&) = default;
};

// Length of the JSON text {"change_id":"…","payload":"…"} that to_json(change) dumps to (for
// batching pushes under kMaxPushBodyBytes). Never throws.
std::size_t sealed_change_json_bytes(const SealedChange& change) noexcept;

// Request JSON forms; throw Error{invalid_input} naming the field ("changes[2].payload") for a
// bad change id, payload size, device id, change count, or a body over 8 MiB.
JsonValue to_json(const SealedChange& change);
JsonValue to_json(const PushRequest& request);
// to_json(request) as text, written directly into one string of the exact size (the same bytes
// as dump_json(to_json(request)); the client's push body). Throws as to_json does.
std::string to_text(const PushRequest& request);
// Reply JSON forms (for servers and test fakes); they do not check the fields.
JsonValue to_json(const PulledChange& change);
JsonValue to_json(const PushReply& reply);
JsonValue to_json(const PullReply& reply);
JsonValue to_json(const SyncStatus& status);

// Strict reads; throw Error{json} naming the field ("changes[3].payload", "cursor").
SealedChange parse_sealed_change(const ObjectReader& reader);
PulledChange parse_pulled_change(const ObjectReader& reader);
PushRequest parse_push_request(const ObjectReader& reader);
PushRequest parse_push_request_text(std::string_view body);
PushReply parse_push_reply(const ObjectReader& reader);
PushReply parse_push_reply_text(std::string_view body);
PullReply parse_pull_reply(const ObjectReader& reader);
PullReply parse_pull_reply_text(std::string_view body);
SyncStatus parse_sync_status(const ObjectReader& reader);
SyncStatus parse_sync_status_text(std::string_view body);

}  // namespace synckit::wire
