// Opening one sealed change three ways, all from the same input:
//  1. open_change on the input as sealed bytes (fixed key, change id c_0001): the vector's payload
//     is a seed, but mutations almost never authenticate, so
//  2. the input as plaintext, sealed here with libsodium exactly as the format says (fixed nonce),
//     then opened: that reaches every check after authentication; it must open or be invalid_data;
//  3. change_entry_from_json on the input as app input (invalid_input).
// Whatever opens or parses must write back (change_entry_to_json) and read back equal.
// Reader and writer are also checked against a reference built the plain way on nlohmann's DOM
// (parse, find, dump): the same entries and the same bytes, or the same error kind and field.
// The optional "hlc" key is reached through the seeds and through 4., the input as the text of the
// hlc string of a change in the format's form (both readers, the reference and a round trip).
#include <sodium.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "synckit/crypto/change.hpp"
#include "synckit/replica/hlc.hpp"
#include "synckit/timestamp.hpp"

namespace synckit_fuzz {
namespace change_detail {

inline void round_trip(const synckit::ChangeEntry& entry, synckit::ErrorKind kind) {
  const synckit::ChangeEntry again = must_succeed("change entry JSON round trip", [&] {
    return synckit::change_entry_from_json(synckit::change_entry_to_json(entry), kind);
  });
  check(again == entry, "change entry JSON round trip");
}

// The reference: the format read and written with nlohmann's DOM (the code before the SAX reader
// and the direct writer). Slow, obviously right.
inline synckit::ChangeEntry reference_from_json(std::string_view text, synckit::ErrorKind kind) {
  using synckit::JsonValue;
  const auto fail = [&](const char* field) { throw synckit::Error(kind, "reference", field); };
  // A raw NUL is never JSON (nlohmann would take it for the end of the input).
  if (text.find('\0') != std::string_view::npos) throw synckit::Error(kind, "reference");
  const JsonValue object = JsonValue::parse(text.begin(), text.end(), nullptr, false);
  if (object.is_discarded() || !object.is_object()) throw synckit::Error(kind, "reference");
  const auto member = [&](const char* key) -> const JsonValue& {
    const auto it = object.find(key);
    if (it == object.end()) fail(key);
    return *it;
  };
  const auto text_member = [&](const char* key, std::size_t max) {
    const JsonValue& value = member(key);
    if (!value.is_string() || value.get_ref<const std::string&>().empty() ||
        value.get_ref<const std::string&>().size() > max) {
      fail(key);
    }
    return value.get<std::string>();
  };
  synckit::ChangeEntry entry;
  entry.table = text_member("table", synckit::kMaxTableBytes);
  const JsonValue& op = member("op");
  const auto parsed_op = op.is_string() ? synckit::parse_change_op(op.get<std::string>()) : std::nullopt;
  if (!parsed_op) fail("op");
  entry.op = *parsed_op;
  entry.row_id = text_member("row_id", synckit::kMaxRowIdBytes);
  const JsonValue& timestamp = member("timestamp");
  const auto time = timestamp.is_string() ? synckit::parse_timestamp(timestamp.get<std::string>()) : std::nullopt;
  if (!time) fail("timestamp");
  entry.timestamp = *time;
  entry.data = member("data");
  if ((entry.op == synckit::ChangeOp::remove) != entry.data.is_null()) fail("data");
  if (const auto hlc = object.find("hlc"); hlc != object.end()) {
    if (!hlc->is_string() || !synckit::parse_hlc(hlc->get_ref<const std::string&>())) fail("hlc");
    entry.hlc = hlc->get<std::string>();
  }
  return entry;
}

// Throws on invalid UTF-8 (nlohmann's type_error) and out-of-range timestamps.
inline std::string reference_to_json(const synckit::ChangeEntry& entry) {
  return "{\"table\":" + nlohmann::json(entry.table).dump() + ",\"op\":\"" +
         std::string(synckit::change_op_name(entry.op)) + "\",\"row_id\":" + nlohmann::json(entry.row_id).dump() +
         ",\"timestamp\":\"" + synckit::format_timestamp(entry.timestamp) + "\",\"data\":" + entry.data.dump() +
         (entry.hlc.empty() ? "" : ",\"hlc\":" + nlohmann::json(entry.hlc).dump()) + "}";
}

// change_entry_from_json agrees with the reference on `text`: the same entry, or an error of the
// same kind naming the same field.
inline void matches_reference_reader(std::string_view text, synckit::ErrorKind kind) {
  std::optional<synckit::ChangeEntry> expected, actual;
  std::optional<synckit::Error> expected_error, actual_error;
  try {
    expected = reference_from_json(text, kind);
  } catch (const synckit::Error& e) {
    expected_error = e;
  }
  try {
    actual = synckit::change_entry_from_json(text, kind);
  } catch (const synckit::Error& e) {
    actual_error = e;
  }
  check(expected.has_value() == actual.has_value(), "reader agrees with the DOM reference on success");
  if (expected) check(*expected == *actual, "reader agrees with the DOM reference on the entry");
  if (expected_error) {
    check(expected_error->kind() == actual_error->kind() && expected_error->field() == actual_error->field(),
          "reader agrees with the DOM reference on the failing field");
  }
}

// change_entry_to_json agrees with the reference: the same bytes, or both refuse (invalid_input).
inline void matches_reference_writer(const synckit::ChangeEntry& entry) {
  std::optional<std::string> expected, actual;
  try {
    expected = reference_to_json(entry);
  } catch (const std::exception&) {
  }
  try {
    synckit::validate_change_entry(entry);
  } catch (const synckit::Error&) {
    return;  // refused before any writing
  }
  try {
    actual = synckit::change_entry_to_json(entry);
  } catch (const synckit::Error& e) {
    check(e.kind() == synckit::ErrorKind::invalid_input, "the writer refuses only as invalid_input");
  }
  check(expected == actual, "writer agrees with nlohmann's dump byte for byte");
}

// Entries whose table and row id are raw input bytes (any UTF-8 or not, any control characters)
// and whose data is a string of them too.
inline void writer_on_raw_strings(std::string_view input) {
  const std::size_t cut = input.size() / 3;
  synckit::ChangeEntry entry{std::string(input.substr(0, std::min<std::size_t>(cut, synckit::kMaxTableBytes))),
                             synckit::ChangeOp::insert,
                             std::string(input.substr(cut, std::min<std::size_t>(cut, synckit::kMaxRowIdBytes))),
                             synckit::SystemTime{std::chrono::milliseconds{static_cast<long long>(input.size()) *
                                                                           86'399'999'999LL}},
                             synckit::JsonValue(std::string(input.substr(2 * cut)))};
  matches_reference_writer(entry);
}

inline synckit::Bytes seal_plaintext(std::string_view plaintext) {
  std::string aad = "synckit:v1:change";
  aad.push_back('\0');
  aad += kChangeId;
  std::array<unsigned char, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES> nonce{};
  nonce.fill(0x5a);
  synckit::Bytes sealed(nonce.size() + plaintext.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  std::copy(nonce.begin(), nonce.end(), sealed.begin());
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      sealed.data() + nonce.size(), &written, reinterpret_cast<const unsigned char*>(plaintext.data()),
      plaintext.size(), reinterpret_cast<const unsigned char*>(aad.data()), aad.size(), nullptr, nonce.data(),
      fixed_change_key().data());
  return sealed;
}

}  // namespace change_detail

inline void change_open(std::string_view input) {
  using namespace change_detail;
  const synckit::ChangeKey& key = fixed_change_key();
  guarded(input, [&](std::string_view text) {
    try {
      round_trip(synckit::open_change(key, kChangeId, synckit::as_bytes(text)),
                 synckit::ErrorKind::invalid_data);
    } catch (const synckit::Error& e) {
      check(e.kind() == synckit::ErrorKind::crypto || e.kind() == synckit::ErrorKind::invalid_data,
            "open_change fails only as crypto or invalid_data");
    }
  });
  if (input.size() + synckit::kSealedOverhead <= synckit::kMaxSealedChangeBytes) {
    guarded(input, [&](std::string_view text) {
      const synckit::Bytes sealed = seal_plaintext(text);
      try {
        round_trip(synckit::open_change(key, kChangeId, sealed), synckit::ErrorKind::invalid_data);
      } catch (const synckit::Error& e) {
        check(e.kind() == synckit::ErrorKind::invalid_data, "an authentic change fails only as invalid_data");
      }
    });
  }
  guarded(input, [](std::string_view text) {
    round_trip(synckit::change_entry_from_json(text, synckit::ErrorKind::invalid_input),
               synckit::ErrorKind::invalid_input);
  });
  guarded(input, [](std::string_view text) {
    matches_reference_reader(text, synckit::ErrorKind::invalid_data);
    try {
      matches_reference_writer(synckit::change_entry_from_json(text, synckit::ErrorKind::invalid_input));
    } catch (const synckit::Error&) {
    }
    writer_on_raw_strings(text);
  });
  // 4. The input as the hlc string's text (mutations of a stamp seed reach every branch of its check).
  guarded(input, [](std::string_view text) {
    const std::string stamped =
        R"({"table":"t","op":"update","row_id":"r","timestamp":"2026-11-25T16:30:59.123Z","data":1,"hlc":")" +
        std::string(text) + "\"}";
    matches_reference_reader(stamped, synckit::ErrorKind::invalid_data);
    const synckit::ChangeEntry entry = synckit::change_entry_from_json(stamped, synckit::ErrorKind::invalid_input);
    round_trip(entry, synckit::ErrorKind::invalid_input);
    matches_reference_writer(entry);
  });
}

}  // namespace synckit_fuzz

SYNCKIT_FUZZ_ENTRY(change_open)
