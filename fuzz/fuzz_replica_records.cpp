// The replica's record readers (core/src/replica/records.hpp) on any input: each refuses it with
// Error{storage}, or reads it and writes back the very same bytes (a row record, the state, an
// outbox entry, an outbox key).
#include <string_view>

#include "fuzz_support.hpp"
#include "replica/records.hpp"

namespace synckit_fuzz {
namespace records_detail {

template <class Decode, class Encode>
void round_trip(std::string_view input, const char* what, Decode decode, Encode encode) {
  const synckit::ByteView bytes(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
  try {
    const auto decoded = decode(bytes);
    const auto again = must_succeed(what, [&] { return encode(decoded); });
    check(std::string_view(reinterpret_cast<const char*>(again.data()), again.size()) == input, what);
  } catch (const synckit::Error& e) {
    check(e.kind() == synckit::ErrorKind::storage, "records are refused as storage errors");
  }
}

}  // namespace records_detail

inline void replica_records(std::string_view input) {
  using namespace synckit::detail;
  records_detail::round_trip(input, "row record round trip", decode_row_record,
                             [](const RowRecord& r) { return encode_row_record(r); });
  records_detail::round_trip(input, "state round trip", decode_replica_state, encode_replica_state);
  records_detail::round_trip(input, "outbox entry round trip", decode_outbox_entry, encode_outbox_entry);
  records_detail::round_trip(input, "outbox key round trip", outbox_seq, outbox_key);
}

}  // namespace synckit_fuzz

SYNCKIT_FUZZ_ENTRY(replica_records)
