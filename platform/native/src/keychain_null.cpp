// NullKeychain and MemoryKeychain: built on every platform. make_os_keychain() lives in the
// platform's keychain_*.cpp, or in keychain_factory_null.cpp when SYNCKIT_KEYCHAIN=OFF.
#include "synckit/native/keychain.hpp"

namespace synckit::native {

void NullKeychain::save(const KeyStoreEntry&, const MasterKey&) {}

std::optional<MasterKey> NullKeychain::load(const KeyStoreEntry&) { return std::nullopt; }

void NullKeychain::remove(const KeyStoreEntry&) {}

MemoryKeychain::Id MemoryKeychain::id_of(const KeyStoreEntry& entry) {
  return {entry.server_url, entry.app_id, entry.user_id};
}

void MemoryKeychain::save(const KeyStoreEntry& entry, const MasterKey& key) {
  Id id = id_of(entry);
  std::lock_guard lock(mutex_);
  keys_.insert_or_assign(std::move(id), key.clone());  // the replaced key wipes itself
}

std::optional<MasterKey> MemoryKeychain::load(const KeyStoreEntry& entry) {
  const Id id = id_of(entry);
  std::lock_guard lock(mutex_);
  const auto found = keys_.find(id);
  if (found == keys_.end()) return std::nullopt;
  return found->second.clone();
}

void MemoryKeychain::remove(const KeyStoreEntry& entry) {
  const Id id = id_of(entry);
  std::lock_guard lock(mutex_);
  keys_.erase(id);
}

}  // namespace synckit::native
