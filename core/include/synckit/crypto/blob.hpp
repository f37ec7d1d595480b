// Sealing and opening binary blobs (crypto-format.md, "Blobs"): exactly 40 bytes of overhead.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "synckit/bytes.hpp"
#include "synckit/crypto/keys.hpp"
#include "synckit/random.hpp"

namespace synckit {

inline constexpr std::size_t kBlobOverhead = 40;
// Where the blob's bytes start in its sealed form (after the 24-byte nonce; the 16-byte tag follows).
inline constexpr std::size_t kBlobOffset = 24;

// nonce(24) || ciphertext || tag(16) under the blob key, AAD "synckit:v1:blob\0" + blob_id.
// Throws Error{invalid_input} for an invalid blob id.
Bytes seal_blob(const BlobKey& key, std::string_view blob_id, ByteView plain, RandomSource& random);
// The same into `out`, which must be exactly plain.size() + 40 bytes (lets a caller seal straight
// into a request body). `plain` either does not overlap `out` or lies at exactly out[24..] (sealed
// in place: the caller wrote the blob at offset kBlobOffset of the buffer; no copy of it is made).
// Throws Error{invalid_input} for a wrong size or any other overlap too.
void seal_blob_into(const BlobKey& key, std::string_view blob_id, ByteView plain, RandomSource& random,
                    std::span<std::uint8_t> out);

// Opens a sealed blob. Throws Error{crypto} if shorter than 40 bytes, tampered with, under
// another key or sealed for another blob id; Error{invalid_input} for an invalid blob id.
Bytes open_blob(const BlobKey& key, std::string_view blob_id, ByteView sealed);
// The same into `out` (no zero-filled buffer of its own), which must be exactly sealed.size() - 40
// bytes and either not overlap `sealed` or be exactly sealed[24..size-16] (opened in place: the blob
// ends up where its ciphertext was). Throws as open_blob, and Error{invalid_input} for a wrong size
// of `out` or any other overlap. On any throw `out` holds no plaintext (libsodium zeroes it when
// the tag does not authenticate; before that it is untouched).
void open_blob_into(const BlobKey& key, std::string_view blob_id, ByteView sealed, std::span<std::uint8_t> out);

// A blob opened in the buffer its sealed form arrived in (open_blob_in_place): bytes() is the blob,
// at offset kBlobOffset of that buffer, so a large blob is held once. Move-only; wipes the blob
// (secure_wipe) when destroyed or assigned over. Default-constructed: an empty blob.
class OpenedBlob {
 public:
  OpenedBlob() = default;
  OpenedBlob(OpenedBlob&& other) noexcept;
  OpenedBlob& operator=(OpenedBlob&& other) noexcept;
  ~OpenedBlob();

  ByteView bytes() const noexcept;
  std::span<std::uint8_t> bytes() noexcept;

 private:
  friend OpenedBlob open_blob_in_place(const BlobKey&, std::string_view, std::string);
  friend OpenedBlob open_blob_stream_whole(const BlobKey&, std::string_view, ByteView);
  void wipe() noexcept;
  void take(OpenedBlob& other) noexcept;

  std::string buffer_;  // nonce || blob || tag (the nonce and tag as they arrived)
};

// Opens `sealed` where it lies (no second buffer): open_blob_into in place. Throws as open_blob;
// on a throw no plaintext is left in the (then freed) buffer.
OpenedBlob open_blob_in_place(const BlobKey& key, std::string_view blob_id, std::string sealed);

}  // namespace synckit
