// Sealing and opening one change (crypto-format.md, "Changes").
#pragma once

#include <string_view>

#include "synckit/bytes.hpp"
#include "synckit/change_entry.hpp"
#include "synckit/change_plaintext.hpp"
#include "synckit/crypto/keys.hpp"
#include "synckit/random.hpp"

namespace synckit {

// sealed = nonce(24) || ciphertext || tag(16): this many bytes more than the plaintext JSON.
inline constexpr std::size_t kSealedOverhead = 40;
// The protocol's limit on one sealed change (1 MiB decoded).
inline constexpr std::size_t kMaxSealedChangeBytes = std::size_t{1} << 20;

// Seals `entry` under the change key, bound to `change_id` (AAD "synckit:v1:change\0" + id).
// Throws Error{invalid_input} for an invalid entry or change id, or when sealed it would exceed 1 MiB.
Bytes seal_change(const ChangeKey& key, std::string_view change_id, const ChangeEntry& entry,
                  RandomSource& random);
// The same for a plaintext already written (ChangePlaintext). Throws Error{invalid_input} for an
// invalid change id, or when sealed it would exceed 1 MiB.
Bytes seal_change(const ChangeKey& key, std::string_view change_id, const ChangePlaintext& plain,
                  RandomSource& random);

// Opens a sealed change. Throws Error{crypto} when it is short, tampered with, under another key
// or bound to another change id; Error{invalid_data} when it authenticates but breaks the format.
ChangeEntry open_change(const ChangeKey& key, std::string_view change_id, ByteView sealed);
// The same, yielding the plaintext (ChangePlaintext::from_json with invalid_data: kept as it is
// when in the format's form, else read and written again) instead of a parsed entry.
ChangePlaintext open_change_plaintext(const ChangeKey& key, std::string_view change_id, ByteView sealed);

}  // namespace synckit
