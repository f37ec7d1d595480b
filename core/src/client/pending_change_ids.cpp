#include "client/pending_change_ids.hpp"

#include <sodium.h>

#include <algorithm>

#include "synckit/ids.hpp"

namespace synckit::detail {
namespace {

void hash_field(crypto_generichash_state& state, std::string_view text) {
  // Length-prefixed, so field boundaries cannot shift.
  const std::uint64_t size = text.size();
  std::uint8_t prefix[8];
  for (int i = 0; i < 8; ++i) prefix[i] = static_cast<std::uint8_t>(size >> (8 * i));
  crypto_generichash_update(&state, prefix, sizeof prefix);
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(text.data()), text.size());
}

}  // namespace

PendingChangeIds::PendingChangeIds(RandomSource& random) { random.fill(key_.writable()); }

PendingChangeIds::Digest PendingChangeIds::digest(const std::string& device_id, const ChangePlaintext& change) const {
  crypto_generichash_state state;
  crypto_generichash_init(&state, key_.data(), key_.size(), 32);
  hash_field(state, user_id_);
  hash_field(state, device_id);
  hash_field(state, change.text());
  Digest out{};
  crypto_generichash_final(&state, out.data(), out.size());
  secure_wipe(&state, sizeof state);
  return out;
}

void PendingChangeIds::switch_user(const std::string& user_id) {
  if (user_id == user_id_) return;
  clear();
  user_id_ = user_id;
}

std::vector<std::string> PendingChangeIds::assign(const std::string& user_id, const std::string& device_id,
                                                  const std::vector<ChangePlaintext>& changes, RandomSource& random) {
  switch_user(user_id);
  std::vector<std::string> out;
  out.reserve(changes.size());
  if (ids_.empty()) {  // nothing to reuse: no hashing
    for (std::size_t i = 0; i < changes.size(); ++i) out.push_back(new_change_id(random));
    return out;
  }
  std::map<Digest, std::size_t> seen;  // copies of each change so far in this call
  for (const ChangePlaintext& change : changes) {
    const Digest d = digest(device_id, change);
    const std::size_t copy = seen[d]++;
    const auto it = ids_.find(d);
    out.push_back(it != ids_.end() && copy < it->second.size() ? it->second[copy] : new_change_id(random));
  }
  return out;
}

void PendingChangeIds::remember_failed(const std::string& user_id, const std::string& device_id,
                                       const std::vector<ChangePlaintext>& changes,
                                       const std::vector<std::string>& ids) {
  switch_user(user_id);
  for (std::size_t i = 0; i < changes.size() && i < ids.size(); ++i) {
    if (digest_of_.count(ids[i]) == 0) remember(digest(device_id, changes[i]), ids[i]);
  }
}

void PendingChangeIds::remember(const Digest& digest, const std::string& change_id) {
  ids_[digest].push_back(change_id);
  digest_of_.emplace(change_id, digest);
  order_.push_back(change_id);
  while (digest_of_.size() > kMaxRemembered && !order_.empty()) {
    forget(order_.front());
    order_.pop_front();
  }
  // order_ keeps confirmed ids until they reach its front; compact it when they dominate.
  if (order_.size() > 2 * digest_of_.size() + 1024) {
    std::deque<std::string> live;
    for (std::string& id : order_) {
      if (digest_of_.count(id)) live.push_back(std::move(id));
    }
    order_ = std::move(live);
  }
}

void PendingChangeIds::forget(const std::string& change_id) {
  const auto at = digest_of_.find(change_id);
  if (at == digest_of_.end()) return;
  const auto list = ids_.find(at->second);
  if (list != ids_.end()) {
    auto& ids = list->second;
    ids.erase(std::remove(ids.begin(), ids.end(), change_id), ids.end());
    if (ids.empty()) ids_.erase(list);
  }
  digest_of_.erase(at);
}

void PendingChangeIds::confirm(const std::vector<std::string>& change_ids) {
  for (const std::string& id : change_ids) forget(id);
  if (digest_of_.empty()) order_.clear();
}

void PendingChangeIds::clear() {
  ids_.clear();
  digest_of_.clear();
  order_.clear();
}

}  // namespace synckit::detail
