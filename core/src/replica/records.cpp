#include "replica/records.hpp"

#include "synckit/error.hpp"

namespace synckit::detail {
namespace {

constexpr std::uint8_t kVersion = 1;

[[noreturn]] void not_ours(const char* what) {
  throw Error(ErrorKind::storage, std::string(what) + " is not one SyncKit wrote");
}

// Appends to a byte buffer; the data behind it may be plaintext, so it never reallocates unwiped:
// callers size it first.
class Writer {
 public:
  explicit Writer(std::uint8_t* out) : out_(out) {}
  void byte(std::uint8_t b) { out_[at_++] = b; }
  void number(std::uint64_t value, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) byte(static_cast<std::uint8_t>(value >> (8 * i)));
  }
  void text(std::string_view s) {
    for (const char c : s) byte(static_cast<std::uint8_t>(c));
  }
  void prefixed(std::string_view s, int length_bytes) {
    number(s.size(), length_bytes);
    text(s);
  }
  std::size_t size() const { return at_; }

 private:
  std::uint8_t* out_;
  std::size_t at_ = 0;
};

class Reader {
 public:
  Reader(ByteView in, const char* what) : in_(in), what_(what) {}
  std::uint8_t byte() {
    need(1);
    return in_[at_++];
  }
  std::uint64_t number(int bytes) {
    need(static_cast<std::size_t>(bytes));
    std::uint64_t value = 0;
    for (int i = 0; i < bytes; ++i) value = value << 8 | in_[at_++];
    return value;
  }
  std::string text(std::size_t n) {
    need(n);
    std::string out(reinterpret_cast<const char*>(in_.data() + at_), n);
    at_ += n;
    return out;
  }
  std::string prefixed(int length_bytes) { return text(number(length_bytes)); }
  std::string rest() { return text(in_.size() - at_); }
  void finish() const {
    if (at_ != in_.size()) not_ours(what_);
  }

 private:
  void need(std::size_t n) const {
    if (in_.size() - at_ < n) not_ours(what_);
  }
  ByteView in_;
  const char* what_;
  std::size_t at_ = 0;
};

void check_length(std::size_t size, std::size_t max, const char* what) {
  if (size > max) throw Error(ErrorKind::invalid_input, std::string(what) + " is too long for a replica record");
}

}  // namespace

RowRecord::~RowRecord() {
  secure_wipe(table.data(), table.size());
  secure_wipe(row_id.data(), row_id.size());
  secure_wipe(data.data(), data.size());
}

SecretBuffer encode_row_record(const RowRecord& record) {
  check_length(record.version.hlc.size(), 0xFF, "a stamp");
  check_length(record.version.change_id.size(), 0xFF, "a change id");
  check_length(record.table.size(), 0xFFFF, "a table");
  check_length(record.row_id.size(), 0xFFFF, "a row id");
  SecretBuffer out(2 + 1 + record.version.hlc.size() + 1 + record.version.change_id.size() + 2 +
                   record.table.size() + 2 + record.row_id.size() + record.data.size());
  Writer w(out.data());
  w.byte(kVersion);
  w.byte(record.deleted ? 1 : 0);
  w.prefixed(record.version.hlc, 1);
  w.prefixed(record.version.change_id, 1);
  w.prefixed(record.table, 2);
  w.prefixed(record.row_id, 2);
  w.text(record.data);
  return out;
}

RowRecord decode_row_record(ByteView plain) {
  constexpr const char* what = "a replica row";
  Reader r(plain, what);
  if (r.byte() != kVersion) not_ours(what);
  const std::uint8_t flags = r.byte();
  if (flags > 1) not_ours(what);
  RowRecord record;
  record.deleted = flags == 1;
  record.version.hlc = r.prefixed(1);
  record.version.change_id = r.prefixed(1);
  record.table = r.prefixed(2);
  record.row_id = r.prefixed(2);
  record.data = r.rest();
  if (record.deleted != record.data.empty()) not_ours(what);
  return record;
}

Bytes encode_replica_state(const ReplicaState& state) {
  check_length(state.device_id.size(), 0xFF, "a device id");
  Bytes out(1 + 1 + state.device_id.size() + 8 + 8 + 2 + 8 + 8 + 8);
  Writer w(out.data());
  w.byte(kVersion);
  w.prefixed(state.device_id, 1);
  w.number(state.node, 8);
  w.number(state.clock_wall, 8);
  w.number(state.clock_counter, 2);
  w.number(static_cast<std::uint64_t>(state.cursor), 8);
  w.number(state.next_outbox_seq, 8);
  w.number(static_cast<std::uint64_t>(state.last_sync_ms), 8);
  return out;
}

ReplicaState decode_replica_state(ByteView plain) {
  constexpr const char* what = "the replica's state";
  Reader r(plain, what);
  if (r.byte() != kVersion) not_ours(what);
  ReplicaState state;
  state.device_id = r.prefixed(1);
  state.node = r.number(8);
  state.clock_wall = r.number(8);
  state.clock_counter = static_cast<std::uint16_t>(r.number(2));
  state.cursor = static_cast<std::int64_t>(r.number(8));
  state.next_outbox_seq = r.number(8);
  state.last_sync_ms = static_cast<std::int64_t>(r.number(8));
  r.finish();
  if (state.cursor < 0 || state.next_outbox_seq == 0) not_ours(what);
  return state;
}

Bytes encode_outbox_entry(const OutboxEntry& entry) {
  check_length(entry.change_id.size(), 0xFF, "a change id");
  Bytes out(1 + entry.change_id.size() + entry.sealed.size());
  Writer w(out.data());
  w.prefixed(entry.change_id, 1);
  std::copy(entry.sealed.begin(), entry.sealed.end(), out.begin() + static_cast<std::ptrdiff_t>(w.size()));
  return out;
}

OutboxEntry decode_outbox_entry(ByteView value) {
  constexpr const char* what = "an outbox entry";
  Reader r(value, what);
  OutboxEntry entry;
  entry.change_id = r.prefixed(1);
  const std::string sealed = r.rest();
  entry.sealed.assign(sealed.begin(), sealed.end());
  if (entry.change_id.empty()) not_ours(what);
  return entry;
}

Bytes outbox_key(std::uint64_t seq) {
  Bytes key(8);
  Writer(key.data()).number(seq, 8);
  return key;
}

std::uint64_t outbox_seq(ByteView key) {
  if (key.size() != 8) not_ours("an outbox key");
  return Reader(key, "an outbox key").number(8);
}

}  // namespace synckit::detail
