#include "synckit/crypto/change.hpp"

#include <string>

#include "crypto/aead.hpp"
#include "synckit/error.hpp"
#include "synckit/ids.hpp"
#include "synckit/secret.hpp"

namespace synckit {
namespace {

constexpr std::string_view kChangeAad = "synckit:v1:change";

void check_change_id(std::string_view change_id) {
  if (!is_valid_change_id(change_id)) {
    throw Error(ErrorKind::invalid_input, "a change id is 1..64 characters of [A-Za-z0-9_-]", "change_id");
  }
}

// A std::string of plaintext that is wiped when it goes out of scope.
struct WipedString {
  std::string text;
  ~WipedString() { secure_wipe(text.data(), text.size()); }
};

}  // namespace

Bytes seal_change(const ChangeKey& key, std::string_view change_id, const ChangeEntry& entry,
                  RandomSource& random) {
  check_change_id(change_id);
  const WipedString plain{change_entry_to_json(entry)};
  if (plain.text.size() + kSealedOverhead > kMaxSealedChangeBytes) {
    throw Error(ErrorKind::invalid_input, "a sealed change is at most 1 MiB", "data");
  }
  return detail::seal_with_nonce(key.view(), as_bytes(plain.text), detail::bound_aad(kChangeAad, change_id),
                                 random);
}

ChangeEntry open_change(const ChangeKey& key, std::string_view change_id, ByteView sealed) {
  check_change_id(change_id);
  SecretBuffer plain(sealed.size() < kSealedOverhead ? 0 : sealed.size() - kSealedOverhead);
  detail::open_with_nonce(key.view(), sealed, detail::bound_aad(kChangeAad, change_id),
                          {plain.data(), plain.size()}, "sealed change");
  const std::string_view text(reinterpret_cast<const char*>(plain.data()), plain.size());
  return change_entry_from_json(text, ErrorKind::invalid_data);
}

}  // namespace synckit
