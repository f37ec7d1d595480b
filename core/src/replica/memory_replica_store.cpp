#include "synckit/replica/memory_replica_store.hpp"

#include <algorithm>

namespace synckit {

std::optional<Bytes> MemoryReplicaStore::get(StoreSpace which, ByteView key) {
  const auto& entries = space(which);
  const auto it = entries.find(Bytes(key.begin(), key.end()));
  if (it == entries.end()) return std::nullopt;
  return it->second;
}

std::vector<StoreEntry> MemoryReplicaStore::scan(StoreSpace which, ByteView prefix, std::size_t limit) {
  const auto& entries = space(which);
  std::vector<StoreEntry> out;
  for (auto it = entries.lower_bound(Bytes(prefix.begin(), prefix.end())); it != entries.end(); ++it) {
    const Bytes& key = it->first;
    if (key.size() < prefix.size() || !std::equal(prefix.begin(), prefix.end(), key.begin())) break;
    out.push_back(StoreEntry{key, it->second});
    if (limit != 0 && out.size() == limit) break;
  }
  return out;
}

std::size_t MemoryReplicaStore::count(StoreSpace which) { return space(which).size(); }

void MemoryReplicaStore::commit(std::vector<StoreWrite> writes, std::function<void(std::optional<Error>)> done) {
  if (fail_next_) {
    fail_next_ = false;
    return done(Error(ErrorKind::storage, "memory store: the commit was made to fail (test)"));
  }
  for (StoreWrite& write : writes) {
    auto& entries = space(write.space);
    if (write.value) {
      entries.insert_or_assign(std::move(write.key), std::move(*write.value));
    } else {
      entries.erase(write.key);
    }
  }
  done(std::nullopt);
}

}  // namespace synckit
