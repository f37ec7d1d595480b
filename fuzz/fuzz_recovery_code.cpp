// The recovery code reader and the recovery envelope reader on any input, three ways per input:
//  - the whole input as a typed code: it is refused with Error{invalid_input} naming
//    "recovery_code", or it reads to a key whose canonical code is the input normalised (ASCII
//    letters uppercased, spaces and dashes dropped; base32 of 35 bytes has no spare bits, so a
//    code that reads has exactly one spelling per case and separator choice) and reads back equal;
//  - the first 32 bytes as RK, its code respelled by the rest (case, extra spaces and dashes,
//    dropped dashes): it must read back to RK. Random text almost never passes the 24-bit
//    checksum, so this is how the fuzzer reaches the path after it;
//  - the whole input as recovery envelope JSON: only synckit::Error, a parsed envelope writes and
//    reads back equal, and opening it under a fixed key (the last recovery vector's) succeeds or
//    is wrong_password.
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "synckit/crypto/recovery.hpp"

namespace synckit_fuzz {
namespace recovery_detail {

// tests/vectors/recovery.json, "a random recovery key"; the seed envelope is sealed under it.
inline constexpr std::string_view kRecoveryKey = "8kvcUKOyzOXnM8vV2eHYuGDLEv80gBL8SQP+eSwNs00=";

inline const synckit::RecoveryKey& fixed_recovery_key() {
  static const synckit::RecoveryKey key =
      synckit::recovery_key_from_bytes(synckit::base64_decode(kRecoveryKey, "key"));
  return key;
}

inline bool same_key(const synckit::RecoveryKey& a, const synckit::RecoveryKey& b) {
  return synckit::constant_time_equal(a.view(), b.view());
}

// What the reader compares: ASCII letters uppercased, spaces and dashes dropped.
inline std::string normalized(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == ' ' || c == '-') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    out += c;
  }
  return out;
}

inline void typed_code(std::string_view input) {
  try {
    const synckit::RecoveryKey key = synckit::recovery_key_from_code(input);
    const synckit::RecoveryCode code = synckit::recovery_code_from_key(key);
    check(code.view().size() == synckit::kRecoveryCodeChars, "a recovery code is 74 characters");
    check(normalized(code.view()) == normalized(input), "a code that reads is the canonical code respelled");
    const synckit::RecoveryKey again =
        must_succeed("recovery code round trip", [&] { return synckit::recovery_key_from_code(code.view()); });
    check(same_key(again, key), "recovery code round trip");
  } catch (const synckit::Error& e) {
    check(e.kind() == synckit::ErrorKind::invalid_input && e.field() == "recovery_code",
          "a code is refused only as invalid_input naming recovery_code");
  }
}

// The canonical code of RK with each character changed by the next spelling byte (cycling):
// bit 0 lowercases it, bit 1 drops it if it is a dash, bit 2 adds a space after it, bit 3 a dash.
inline std::string respelled(std::string_view code, std::string_view spelling) {
  std::string out;
  for (std::size_t i = 0; i < code.size(); ++i) {
    const unsigned bits = spelling.empty() ? 0u : static_cast<unsigned char>(spelling[i % spelling.size()]);
    char c = code[i];
    if ((bits & 2u) != 0 && c == '-') continue;
    if ((bits & 1u) != 0 && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    out += c;
    if ((bits & 4u) != 0) out += ' ';
    if ((bits & 8u) != 0) out += '-';
  }
  return out;
}

inline void key_respelled(std::string_view input) {
  if (input.size() < synckit::kRecoveryKeyBytes) return;
  const synckit::RecoveryKey key =
      synckit::recovery_key_from_bytes(synckit::as_bytes(input.substr(0, synckit::kRecoveryKeyBytes)));
  const synckit::RecoveryCode code = synckit::recovery_code_from_key(key);
  const std::string spelled = respelled(code.view(), input.substr(synckit::kRecoveryKeyBytes));
  const synckit::RecoveryKey again =
      must_succeed("a respelled recovery code reads", [&] { return synckit::recovery_key_from_code(spelled); });
  check(same_key(again, key), "a respelled recovery code reads to its key");
}

inline void envelope_text(std::string_view input) {
  guarded(input, [](std::string_view text) {
    const synckit::RecoveryEnvelope parsed = synckit::recovery_envelope_from_json_text(text);
    const synckit::RecoveryEnvelope again = must_succeed("recovery envelope JSON round trip", [&] {
      return synckit::recovery_envelope_from_json_text(synckit::recovery_envelope_to_json(parsed).dump());
    });
    check(again == parsed, "recovery envelope JSON round trip");
    try {
      (void)synckit::open_recovery_envelope(parsed, fixed_recovery_key());
    } catch (const synckit::Error& e) {
      check(e.kind() == synckit::ErrorKind::wrong_password, "a parsed recovery envelope fails only as wrong_password");
    }
  });
}

}  // namespace recovery_detail

inline void recovery_code(std::string_view input) {
  recovery_detail::typed_code(input);
  recovery_detail::key_respelled(input);
  recovery_detail::envelope_text(input);
}

}  // namespace synckit_fuzz

SYNCKIT_FUZZ_ENTRY(recovery_code)
