#include "synckit/replica/memory_replica_store.hpp"

#include <algorithm>

namespace synckit {

std::optional<Bytes> MemoryReplicaStore::get(StoreSpace space, ByteView key) {
  const auto it = entries_.find({space, Bytes(key.begin(), key.end())});
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

std::vector<StoreEntry> MemoryReplicaStore::scan(StoreSpace space, ByteView prefix, std::size_t limit) {
  std::vector<StoreEntry> out;
  for (auto it = entries_.lower_bound({space, Bytes(prefix.begin(), prefix.end())});
       it != entries_.end() && it->first.first == space; ++it) {
    const Bytes& key = it->first.second;
    if (key.size() < prefix.size() || !std::equal(prefix.begin(), prefix.end(), key.begin())) break;
    out.push_back(StoreEntry{key, it->second});
    if (limit != 0 && out.size() == limit) break;
  }
  return out;
}

std::size_t MemoryReplicaStore::count(StoreSpace space) {
  return static_cast<std::size_t>(std::count_if(entries_.begin(), entries_.end(),
                                                [space](const auto& entry) { return entry.first.first == space; }));
}

void MemoryReplicaStore::commit(std::vector<StoreWrite> writes, std::function<void(std::optional<Error>)> done) {
  if (fail_next_) {
    fail_next_ = false;
    return done(Error(ErrorKind::storage, "memory store: the commit was made to fail (test)"));
  }
  for (StoreWrite& write : writes) {
    if (write.value) {
      entries_.insert_or_assign({write.space, std::move(write.key)}, std::move(*write.value));
    } else {
      entries_.erase({write.space, write.key});
    }
  }
  done(std::nullopt);
}

}  // namespace synckit
