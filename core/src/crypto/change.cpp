#include "synckit/crypto/change.hpp"

#include <algorithm>
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

// The opened bytes of a sealed change (wiped with the buffer).
SecretBuffer open_to_buffer(const ChangeKey& key, std::string_view change_id, ByteView sealed) {
  check_change_id(change_id);
  SecretBuffer plain(sealed.size() < kSealedOverhead ? 0 : sealed.size() - kSealedOverhead);
#ifdef SYNCKIT_BENCH_COPY_CRYPTO
  static_cast<void>(key);
  if (sealed.size() < kSealedOverhead) throw Error(ErrorKind::crypto, "sealed change is shorter than 40 bytes");
  std::copy(sealed.begin() + detail::kNonceBytes, sealed.end() - detail::kTagBytes, plain.data());
#else
  detail::open_with_nonce(key.view(), sealed, detail::bound_aad(kChangeAad, change_id),
                          {plain.data(), plain.size()}, "sealed change");
#endif
  return plain;
}

std::string_view text_of(const SecretBuffer& plain) {
  return {reinterpret_cast<const char*>(plain.data()), plain.size()};
}

}  // namespace

Bytes seal_change(const ChangeKey& key, std::string_view change_id, const ChangeEntry& entry,
                  RandomSource& random) {
  check_change_id(change_id);
  return seal_change(key, change_id, ChangePlaintext(entry), random);
}

Bytes seal_change(const ChangeKey& key, std::string_view change_id, const ChangePlaintext& plain,
                  RandomSource& random) {
  check_change_id(change_id);
  const std::string_view text = plain.text();
  if (text.size() + kSealedOverhead > kMaxSealedChangeBytes) {
    throw Error(ErrorKind::invalid_input, "a sealed change is at most 1 MiB", "data");
  }
#ifdef SYNCKIT_BENCH_COPY_CRYPTO
  // Benchmark-only build (bench/CMakeLists.txt, never a shipped one): "sealed" is zeros || the
  // plaintext || zeros, the same size, so bench/e2e_native can price the encryption itself.
  static_cast<void>(key), static_cast<void>(random);
  Bytes sealed(kSealedOverhead + text.size());
  std::copy(text.begin(), text.end(), sealed.begin() + detail::kNonceBytes);
  return sealed;
#else
  return detail::seal_with_nonce(key.view(), as_bytes(text), detail::bound_aad(kChangeAad, change_id), random);
#endif
}

ChangeEntry open_change(const ChangeKey& key, std::string_view change_id, ByteView sealed) {
  const SecretBuffer plain = open_to_buffer(key, change_id, sealed);
  return change_entry_from_json(text_of(plain), ErrorKind::invalid_data);
}

ChangePlaintext open_change_plaintext(const ChangeKey& key, std::string_view change_id, ByteView sealed) {
  const SecretBuffer plain = open_to_buffer(key, change_id, sealed);
  return ChangePlaintext::from_json(text_of(plain), ErrorKind::invalid_data);
}

}  // namespace synckit
