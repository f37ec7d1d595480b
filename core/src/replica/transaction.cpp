#include "replica/replica_impl.hpp"

namespace synckit {

std::optional<Bytes> ReplicaTransaction::get(StoreSpace space, const Bytes& key) const {
  for (const ReplicaTransaction* tx = this; tx != nullptr; tx = tx->parent_) {
    if (const auto it = tx->writes_.find({space, key}); it != tx->writes_.end()) return it->second;
  }
  return store_.get(space, key);
}

void ReplicaTransaction::put(StoreSpace space, Bytes key, Bytes value) {
  writes_.insert_or_assign({space, std::move(key)}, std::move(value));
}

void ReplicaTransaction::erase(StoreSpace space, Bytes key) {
  writes_.insert_or_assign({space, std::move(key)}, std::nullopt);
}

void ReplicaTransaction::note(const std::string& table, ReplicaRowChange change, ChangeOrigin origin) {
  if (events_.empty() || events_.back().table != table || events_.back().origin != origin) {
    events_.push_back(ReplicaEvent{table, {}, origin});
  }
  events_.back().rows.push_back(std::move(change));
}

void ReplicaTransaction::join_parent() {
  for (auto& [key, value] : writes_) parent_->writes_.insert_or_assign(key, std::move(value));
  writes_.clear();
  for (ReplicaEvent& event : events_) {
    for (ReplicaRowChange& row : event.rows) parent_->note(event.table, std::move(row), event.origin);
  }
  events_.clear();
}

std::vector<StoreWrite> ReplicaTransaction::take_writes() {
  std::vector<StoreWrite> out;
  out.reserve(writes_.size());
  for (auto& [key, value] : writes_) out.push_back(StoreWrite{key.first, key.second, std::move(value)});
  writes_.clear();
  return out;
}

}  // namespace synckit
