#include "synckit/crypto/keys.hpp"

#include <sodium.h>

#include "sodium_init.hpp"
#include "synckit/error.hpp"

namespace synckit {
namespace {

constexpr char kKdfContext[crypto_kdf_CONTEXTBYTES + 1] = "SYNCKIT1";

template <class SubKey>
SubKey derive(const MasterKey& master, unsigned subkey_id) {
  detail::ensure_sodium();
  SubKey key;
  crypto_kdf_derive_from_key(key.data(), key.size(), subkey_id, kKdfContext, master.data());
  return key;
}

}  // namespace

MasterKey generate_master_key(RandomSource& random) {
  MasterKey key;
  random.fill(key.writable());
  return key;
}

MasterKey master_key_from_bytes(ByteView bytes) {
  if (bytes.size() != kKeyBytes) {
    throw Error(ErrorKind::invalid_input, "a master key is exactly 32 bytes", "master_key");
  }
  MasterKey key;
  std::copy(bytes.begin(), bytes.end(), key.data());
  return key;
}

ChangeKey derive_change_key(const MasterKey& master) { return derive<ChangeKey>(master, kChangeSubkeyId); }

BlobKey derive_blob_key(const MasterKey& master) { return derive<BlobKey>(master, kBlobSubkeyId); }

ReplicaSealKey derive_replica_seal_key(const MasterKey& master) {
  return derive<ReplicaSealKey>(master, kReplicaSealSubkeyId);
}

ReplicaIndexKey derive_replica_index_key(const MasterKey& master) {
  return derive<ReplicaIndexKey>(master, kReplicaIndexSubkeyId);
}

}  // namespace synckit
