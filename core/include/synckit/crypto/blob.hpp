// Sealing and opening binary blobs (crypto-format.md, "Blobs"): exactly 40 bytes of overhead.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "synckit/bytes.hpp"
#include "synckit/crypto/keys.hpp"
#include "synckit/random.hpp"

namespace synckit {

inline constexpr std::size_t kBlobOverhead = 40;

// nonce(24) || ciphertext || tag(16) under the blob key, AAD "synckit:v1:blob\0" + blob_id.
// Throws Error{invalid_input} for an invalid blob id.
Bytes seal_blob(const BlobKey& key, std::string_view blob_id, ByteView plain, RandomSource& random);
// The same into `out`, which must be exactly plain.size() + 40 bytes and not overlap `plain` (lets
// a caller seal straight into a request body). Throws Error{invalid_input} for a wrong size too.
void seal_blob_into(const BlobKey& key, std::string_view blob_id, ByteView plain, RandomSource& random,
                    std::span<std::uint8_t> out);

// Opens a sealed blob. Throws Error{crypto} if shorter than 40 bytes, tampered with, under
// another key or sealed for another blob id; Error{invalid_input} for an invalid blob id.
Bytes open_blob(const BlobKey& key, std::string_view blob_id, ByteView sealed);

}  // namespace synckit
