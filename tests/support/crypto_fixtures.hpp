// Shared inputs for the crypto tests.
#pragma once

#include <numeric>

#include "fixed_random.hpp"
#include "synckit/change_entry.hpp"
#include "synckit/crypto/keys.hpp"
#include "synckit/timestamp.hpp"

namespace synckit::test {

// A master key of bytes 0, 1, ..., 31.
inline MasterKey counting_master_key() {
  Bytes bytes(32);
  std::iota(bytes.begin(), bytes.end(), std::uint8_t{0});
  return master_key_from_bytes(bytes);
}

// Bytes 0..n-1 (mod 256), a convenient FixedRandom feed.
inline Bytes counting_bytes(std::size_t n, std::uint8_t start = 0) {
  Bytes bytes(n);
  std::iota(bytes.begin(), bytes.end(), start);
  return bytes;
}

inline ChangeEntry sample_entry() {
  ChangeEntry entry;
  entry.table = "todos";
  entry.op = ChangeOp::insert;
  entry.row_id = "todo-1";
  entry.timestamp = *parse_timestamp("2026-11-25T16:30:59.123Z");
  entry.data = JsonValue::parse(R"({"title":"Buy milk","done":false,"tags":["home"]})");
  return entry;
}

// The kind of the synckit::Error that `f` throws (fails the test if it throws nothing else).
template <class F>
ErrorKind kind_thrown(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.kind();
  }
  throw std::logic_error("expected a synckit::Error");
}

}  // namespace synckit::test
