// The byte layouts of what a replica stores (before sealing): row records, its state, outbox
// entries. Private to the core; fuzzed (fuzz/fuzz_replica_records.cpp). Decoders throw
// Error{storage} "... is not one SyncKit wrote" for anything else.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "synckit/bytes.hpp"
#include "synckit/replica/merge.hpp"
#include "synckit/secret.hpp"

namespace synckit::detail {

// A row's state: the change that won the merge (a tombstone when deleted). Wipes its text.
struct RowRecord {
  std::string table;
  std::string row_id;
  RowVersion version;
  bool deleted = false;
  std::string data;  // the row's JSON text; empty when deleted

  RowRecord() = default;
  RowRecord(RowRecord&&) noexcept = default;
  RowRecord& operator=(RowRecord&&) noexcept = default;
  ~RowRecord();
};
// 01 | flags (1: deleted) | u8 len, hlc | u8 len, change id | u16 len, table | u16 len, row id | data
SecretBuffer encode_row_record(const RowRecord& record);
RowRecord decode_row_record(ByteView plain);

// What a replica keeps about itself, rewritten with every transaction.
struct ReplicaState {
  std::string device_id;
  std::uint64_t node = 0;           // the clock's node id
  std::uint64_t clock_wall = 0;     // the clock: last wall (ms) and counter
  std::uint16_t clock_counter = 0;
  std::int64_t cursor = 0;          // the server's cursor after the last stored page
  std::uint64_t next_outbox_seq = 1;
  std::int64_t last_sync_ms = -1;   // the end of the last complete sync round; -1: none yet

  friend bool operator==(const ReplicaState&, const ReplicaState&) = default;
};
// 01 | u8 len, device id | node u64 | wall u64 | counter u16 | cursor i64 | next seq u64 | last sync i64
Bytes encode_replica_state(const ReplicaState& state);
ReplicaState decode_replica_state(ByteView plain);

// One outbox entry: the sealed change and the id it is bound to, fixed when the write was made.
struct OutboxEntry {
  std::string change_id;
  Bytes sealed;
};
// u8 len, change id | sealed change
Bytes encode_outbox_entry(const OutboxEntry& entry);
OutboxEntry decode_outbox_entry(ByteView value);
// The outbox key of a sequence number: 8 bytes big-endian (so key order is write order).
Bytes outbox_key(std::uint64_t seq);
std::uint64_t outbox_seq(ByteView key);

}  // namespace synckit::detail
