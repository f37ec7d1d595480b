// XChaCha20-Poly1305-IETF as the format uses it, in one place (private to the core).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "synckit/bytes.hpp"
#include "synckit/random.hpp"

namespace synckit::detail {

inline constexpr std::size_t kNonceBytes = 24;
inline constexpr std::size_t kTagBytes = 16;
inline constexpr std::size_t kAeadKeyBytes = 32;

using AeadKey = std::span<const std::uint8_t, kAeadKeyBytes>;
using Nonce = std::span<const std::uint8_t, kNonceBytes>;

// Associated data of the form label || 0x00 || id (changes and blobs), held on the stack (one
// allocation less per sealed change). Ids are checked before (at most 128 characters); a longer
// label and id throw Error{invalid_input}.
class BoundAad {
 public:
  BoundAad(std::string_view label, std::string_view id);
  operator ByteView() const noexcept { return {bytes_.data(), size_}; }  // NOLINT(google-explicit-constructor)

 private:
  std::array<std::uint8_t, 160> bytes_;
  std::size_t size_;
};
BoundAad bound_aad(std::string_view label, std::string_view id);

// out (plain.size() + 16 bytes) = ciphertext || tag.
void aead_encrypt(AeadKey key, Nonce nonce, ByteView plain, ByteView aad, std::span<std::uint8_t> out);
// out (cipher.size() - 16 bytes) = plaintext; false when the tag does not authenticate.
bool aead_decrypt(AeadKey key, Nonce nonce, ByteView cipher, ByteView aad, std::span<std::uint8_t> out);

// nonce (fresh from random) || ciphertext || tag: plain.size() + 40 bytes.
Bytes seal_with_nonce(AeadKey key, ByteView plain, ByteView aad, RandomSource& random);
// Opens nonce || ciphertext || tag into out (sealed.size() - 40 bytes). Throws Error{crypto} when
// shorter than 40 bytes or when it does not authenticate; `what` names the thing in the message.
void open_with_nonce(AeadKey key, ByteView sealed, ByteView aad, std::span<std::uint8_t> out,
                     std::string_view what);

}  // namespace synckit::detail
