// The bytes a replica keeps, and the small transactional store the platforms implement for it
// (native: one SQLite file; web: IndexedDB; tests: memory). The store sees only what the core
// hands it: keyed hashes, sealed records, sealed changes; never plaintext (replica.md, "At rest").
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "synckit/bytes.hpp"
#include "synckit/error.hpp"

namespace synckit {

// The store's three key spaces; within each, keys are ordered bytewise.
enum class StoreSpace : std::uint8_t {
  state = 0,   // the replica's sealed state record (key "state")
  rows = 1,    // table tag (32) || row tag (32) -> sealed row record
  outbox = 2,  // sequence number, 8 bytes big-endian -> change id and sealed change
};

// One write of a transaction: value set, or nullopt to delete the key.
struct StoreWrite {
  StoreSpace space = StoreSpace::state;
  Bytes key;
  std::optional<Bytes> value;
};

struct StoreEntry {
  Bytes key;
  Bytes value;
};

// Implementations throw Error{storage} when the medium fails (disk full, database closed, quota).
// Reads see every committed transaction; calls come from one thread (the replica's client thread).
class ReplicaStore {
 public:
  virtual ~ReplicaStore() = default;
  virtual std::optional<Bytes> get(StoreSpace space, ByteView key) = 0;
  // The entries whose key starts with `prefix`, in key order; at most `limit` of them (0: all).
  virtual std::vector<StoreEntry> scan(StoreSpace space, ByteView prefix, std::size_t limit) = 0;
  // How many entries the space holds.
  virtual std::size_t count(StoreSpace space) = 0;
  // Applies all `writes` in one durable transaction, or none of them; then calls `done` with
  // nullopt or the Error{storage} that stopped it. `done` may run inside commit (a synchronous
  // store) or later on the same thread (an asynchronous one). Reads made after `done` see the
  // writes; reads made before it see the store as it was.
  virtual void commit(std::vector<StoreWrite> writes, std::function<void(std::optional<Error>)> done) = 0;
};

}  // namespace synckit
