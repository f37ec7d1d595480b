// Opening one sealed change three ways, all from the same input:
//  1. open_change on the input as sealed bytes (fixed key, change id c_0001): the vector's payload
//     is a seed, but mutations almost never authenticate, so
//  2. the input as plaintext, sealed here with libsodium exactly as the format says (fixed nonce),
//     then opened: that reaches every check after authentication; it must open or be invalid_data;
//  3. change_entry_from_json on the input as app input (invalid_input).
// Whatever opens or parses must write back (change_entry_to_json) and read back equal.
#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "synckit/crypto/change.hpp"

namespace synckit_fuzz {
namespace change_detail {

inline void round_trip(const synckit::ChangeEntry& entry, synckit::ErrorKind kind) {
  const synckit::ChangeEntry again = must_succeed("change entry JSON round trip", [&] {
    return synckit::change_entry_from_json(synckit::change_entry_to_json(entry), kind);
  });
  check(again == entry, "change entry JSON round trip");
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
}

}  // namespace synckit_fuzz

SYNCKIT_FUZZ_ENTRY(change_open)
