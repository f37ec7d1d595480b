// A ReplicaStore in memory: for tests, and for a replica that need not outlive the process (the
// npm package in Node without an IndexedDB). Commits complete at once.
#pragma once

#include <array>
#include <map>

#include "synckit/replica/replica_store.hpp"

namespace synckit {

class MemoryReplicaStore final : public ReplicaStore {
 public:
  std::optional<Bytes> get(StoreSpace space, ByteView key) override;
  std::vector<StoreEntry> scan(StoreSpace space, ByteView prefix, std::size_t limit) override;
  std::size_t count(StoreSpace space) override;
  void commit(std::vector<StoreWrite> writes, std::function<void(std::optional<Error>)> done) override;

  // Tests: the next commit fails with Error{storage} and changes nothing.
  void fail_next_commit() noexcept { fail_next_ = true; }

 private:
  std::map<Bytes, Bytes>& space(StoreSpace space) { return spaces_[static_cast<std::size_t>(space)]; }
  std::array<std::map<Bytes, Bytes>, 3> spaces_;
  bool fail_next_ = false;
};

}  // namespace synckit
