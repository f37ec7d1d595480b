// The web ReplicaStore: the replica's records in memory, read in once when it opens, and each
// transaction handed to a JavaScript persister first (js/src/indexeddb-replica-store.ts: one
// IndexedDB readwrite transaction) and applied here only once that reports it stored. Without a
// persister (Node's default) the replica lives in memory only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <emscripten/val.h>

#include "synckit/replica/memory_replica_store.hpp"

namespace synckit::web {

class JsReplicaStore final : public ReplicaStore {
 public:
  // persister: null, or an object with commit(writes, id), where writes is an array of
  // [space, key, value] (Uint8Array copies; value null to delete) and the persister calls
  // settle(id, errorText) when the transaction completed ("") or failed.
  explicit JsReplicaStore(emscripten::val persister);
  ~JsReplicaStore() override;
  JsReplicaStore(const JsReplicaStore&) = delete;
  JsReplicaStore& operator=(const JsReplicaStore&) = delete;

  // Takes the stored records, [[space, key, value], ...] as the persister read them. Throws
  // Error{storage} for anything else.
  void load(const emscripten::val& records);
  void settle(std::uint32_t id, const std::string& error);

  std::optional<Bytes> get(StoreSpace space, ByteView key) override;
  std::vector<StoreEntry> scan(StoreSpace space, ByteView prefix, std::size_t limit) override;
  std::size_t count(StoreSpace space) override;
  void commit(std::vector<StoreWrite> writes, std::function<void(std::optional<Error>)> done) override;

 private:
  struct Pending {
    std::vector<StoreWrite> writes;
    std::function<void(std::optional<Error>)> done;
  };
  emscripten::val persister_;
  MemoryReplicaStore mirror_;
  std::map<std::uint32_t, Pending> pending_;
  std::uint32_t next_id_ = 1;
};

}  // namespace synckit::web
