#include "crypto/aead.hpp"

#include <sodium.h>

#include <cstring>
#include <string>

#include "sodium_init.hpp"
#include "synckit/error.hpp"

namespace synckit::detail {

BoundAad::BoundAad(std::string_view label, std::string_view id) : bytes_{}, size_(label.size() + 1 + id.size()) {
  if (size_ > bytes_.size()) throw Error(ErrorKind::invalid_input, "an id is too long for associated data", "id");
  std::memcpy(bytes_.data(), label.data(), label.size());
  bytes_[label.size()] = 0;
  std::memcpy(bytes_.data() + label.size() + 1, id.data(), id.size());
}

BoundAad bound_aad(std::string_view label, std::string_view id) { return BoundAad(label, id); }

void aead_encrypt(AeadKey key, Nonce nonce, ByteView plain, ByteView aad, std::span<std::uint8_t> out) {
  ensure_sodium();
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(out.data(), &written, plain.data(), plain.size(), aad.data(),
                                             aad.size(), nullptr, nonce.data(), key.data());
}

bool aead_decrypt(AeadKey key, Nonce nonce, ByteView cipher, ByteView aad, std::span<std::uint8_t> out) {
  ensure_sodium();
  if (cipher.size() < kTagBytes || out.size() != cipher.size() - kTagBytes) return false;
  unsigned long long written = 0;
  return crypto_aead_xchacha20poly1305_ietf_decrypt(out.data(), &written, nullptr, cipher.data(),
                                                    cipher.size(), aad.data(), aad.size(), nonce.data(),
                                                    key.data()) == 0;
}

Bytes seal_with_nonce(AeadKey key, ByteView plain, ByteView aad, RandomSource& random) {
  Bytes sealed(kNonceBytes + plain.size() + kTagBytes);
  const std::span<std::uint8_t> whole(sealed);
  random.fill(whole.first<kNonceBytes>());
  aead_encrypt(key, Nonce(whole.first<kNonceBytes>()), plain, aad, whole.subspan(kNonceBytes));
  return sealed;
}

void open_with_nonce(AeadKey key, ByteView sealed, ByteView aad, std::span<std::uint8_t> out,
                     std::string_view what) {
  if (sealed.size() < kNonceBytes + kTagBytes) {
    throw Error(ErrorKind::crypto, std::string(what) + " is shorter than 40 bytes");
  }
  if (out.size() != sealed.size() - kNonceBytes - kTagBytes ||
      !aead_decrypt(key, Nonce(sealed.first<kNonceBytes>()), sealed.subspan(kNonceBytes), aad, out)) {
    throw Error(ErrorKind::crypto, std::string(what) + " did not authenticate");
  }
}

}  // namespace synckit::detail
