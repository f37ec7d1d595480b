// The master key and the subkeys derived from it (crypto-format.md, "Master key", "Subkeys").
#pragma once

#include "synckit/bytes.hpp"
#include "synckit/random.hpp"
#include "synckit/secret.hpp"

namespace synckit {

inline constexpr std::size_t kKeyBytes = 32;

using MasterKey = Secret<kKeyBytes, struct MasterKeyTag>;
using ChangeKey = Secret<kKeyBytes, struct ChangeKeyTag>;
using BlobKey = Secret<kKeyBytes, struct BlobKeyTag>;
using ReplicaSealKey = Secret<kKeyBytes, struct ReplicaSealKeyTag>;    // seals replica records at rest
using ReplicaIndexKey = Secret<kKeyBytes, struct ReplicaIndexKeyTag>;  // keys the replica's table/row tags

// Subkey ids of crypto_kdf_derive_from_key under context "SYNCKIT1".
inline constexpr unsigned kChangeSubkeyId = 1;
inline constexpr unsigned kBlobSubkeyId = 2;
inline constexpr unsigned kReplicaSealSubkeyId = 3;   // replica.md, "At rest"
inline constexpr unsigned kReplicaIndexSubkeyId = 4;

// A new random master key (32 bytes from `random`).
MasterKey generate_master_key(RandomSource& random);
// A master key from exactly 32 bytes; throws Error{invalid_input} for any other length.
MasterKey master_key_from_bytes(ByteView bytes);
// crypto_kdf_derive_from_key(32, 1, "SYNCKIT1", mk).
ChangeKey derive_change_key(const MasterKey& master);
// crypto_kdf_derive_from_key(32, 2, "SYNCKIT1", mk).
BlobKey derive_blob_key(const MasterKey& master);
// crypto_kdf_derive_from_key(32, 3, "SYNCKIT1", mk).
ReplicaSealKey derive_replica_seal_key(const MasterKey& master);
// crypto_kdf_derive_from_key(32, 4, "SYNCKIT1", mk).
ReplicaIndexKey derive_replica_index_key(const MasterKey& master);

}  // namespace synckit
