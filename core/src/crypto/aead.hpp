// XChaCha20-Poly1305-IETF as the format uses it, in one place (private to the core).
#pragma once

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

// Associated data of the form label || 0x00 || id (changes and blobs).
Bytes bound_aad(std::string_view label, std::string_view id);

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
