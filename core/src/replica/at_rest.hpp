// The replica's at-rest crypto (replica.md, "At rest"): keyed tags for tables and rows, records
// sealed under the local key and bound to the store key they live under. Private to the core.
#pragma once

#include <string_view>

#include "synckit/bytes.hpp"
#include "synckit/crypto/keys.hpp"
#include "synckit/random.hpp"
#include "synckit/secret.hpp"

namespace synckit::detail {

inline constexpr std::size_t kTagHashBytes = 32;
inline constexpr std::size_t kRowKeyBytes = 2 * kTagHashBytes;  // table tag || row tag

// The keys a replica works with, derived once from the master key when it opens.
struct ReplicaKeys {
  ReplicaSealKey seal;
  ReplicaIndexKey index;
  ChangeKey change;
};
ReplicaKeys derive_replica_keys(const MasterKey& master);

// BLAKE2b-256 keyed with the index key over "t" 0x00 table: every row of a table shares it.
Bytes table_tag(const ReplicaIndexKey& key, std::string_view table);
// The rows space's key: table_tag || BLAKE2b-256 keyed over "r" 0x00 len16(table) table row_id.
Bytes row_store_key(const ReplicaIndexKey& key, std::string_view table, std::string_view row_id);

// What a sealed record is: a row ("synckit:v1:replica-row") or the state ("synckit:v1:replica-state").
enum class RecordKind { row, state };

// nonce || XChaCha20-Poly1305(plain) || tag under the seal key, AAD = label 0x00 store_key: a
// record cannot be moved to another key or read as another kind.
Bytes seal_record(const ReplicaSealKey& key, RecordKind kind, ByteView store_key, ByteView plain,
                  RandomSource& random);
// Opens a sealed record. Throws Error{crypto} when it does not authenticate (changed on disk,
// another account's replica, moved under another key).
SecretBuffer open_record(const ReplicaSealKey& key, RecordKind kind, ByteView store_key, ByteView sealed);

}  // namespace synckit::detail
