#include "replica/at_rest.hpp"

#include <sodium.h>

#include <algorithm>

#include "crypto/aead.hpp"
#include "sodium_init.hpp"
#include "synckit/error.hpp"

namespace synckit::detail {
namespace {

std::string_view label_of(RecordKind kind) {
  return kind == RecordKind::row ? "synckit:v1:replica-row" : "synckit:v1:replica-state";
}

std::string_view as_text(ByteView bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

void hash_into(const ReplicaIndexKey& key, std::span<std::uint8_t> out, std::string_view prefix,
               std::initializer_list<std::string_view> parts) {
  ensure_sodium();
  crypto_generichash_state state;
  crypto_generichash_init(&state, key.data(), key.size(), out.size());
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(prefix.data()), prefix.size());
  for (const std::string_view part : parts) {
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(part.data()), part.size());
  }
  crypto_generichash_final(&state, out.data(), out.size());
  secure_wipe(&state, sizeof state);
}

}  // namespace

ReplicaKeys derive_replica_keys(const MasterKey& master) {
  return ReplicaKeys{derive_replica_seal_key(master), derive_replica_index_key(master), derive_change_key(master)};
}

Bytes table_tag(const ReplicaIndexKey& key, std::string_view table) {
  Bytes tag(kTagHashBytes);
  hash_into(key, tag, std::string_view("t\0", 2), {table});
  return tag;
}

Bytes row_store_key(const ReplicaIndexKey& key, std::string_view table, std::string_view row_id) {
  Bytes out = table_tag(key, table);
  out.resize(kRowKeyBytes);
  const char length[2] = {static_cast<char>(table.size() >> 8), static_cast<char>(table.size() & 0xFF)};
  hash_into(key, std::span<std::uint8_t>(out).subspan(kTagHashBytes), std::string_view("r\0", 2),
            {std::string_view(length, 2), table, row_id});
  return out;
}

Bytes seal_record(const ReplicaSealKey& key, RecordKind kind, ByteView store_key, ByteView plain,
                  RandomSource& random) {
#ifdef SYNCKIT_BENCH_PLAIN_AT_REST
  // Benchmark-only build (bench/CMakeLists.txt, never a shipped one): zeros || plain || zeros, the
  // same size, so bench/replica_native can price sealing at rest.
  static_cast<void>(key), static_cast<void>(kind), static_cast<void>(store_key), static_cast<void>(random);
  Bytes sealed(kNonceBytes + plain.size() + kTagBytes);
  std::copy(plain.begin(), plain.end(), sealed.begin() + kNonceBytes);
  return sealed;
#else
  return seal_with_nonce(key.view(), plain, bound_aad(label_of(kind), as_text(store_key)), random);
#endif
}

SecretBuffer open_record(const ReplicaSealKey& key, RecordKind kind, ByteView store_key, ByteView sealed) {
  if (sealed.size() < kNonceBytes + kTagBytes) {
    throw Error(ErrorKind::crypto, "a replica record is shorter than 40 bytes");
  }
  SecretBuffer plain(sealed.size() - kNonceBytes - kTagBytes);
#ifdef SYNCKIT_BENCH_PLAIN_AT_REST
  static_cast<void>(key), static_cast<void>(kind), static_cast<void>(store_key);
  std::copy(sealed.begin() + kNonceBytes, sealed.end() - kTagBytes, plain.data());
#else
  open_with_nonce(key.view(), sealed, bound_aad(label_of(kind), as_text(store_key)),
                  std::span<std::uint8_t>(plain.data(), plain.size()),
                  kind == RecordKind::row ? "a replica row" : "the replica's state");
#endif
  return plain;
}

}  // namespace synckit::detail
