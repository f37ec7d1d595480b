// Where a client caches the master key between runs (OS keychain, browser IndexedDB, memory).
// Entries are keyed by server URL + app + user, so several accounts never collide.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "synckit/crypto/keys.hpp"
#include "synckit/error.hpp"

namespace synckit {

struct KeyStoreEntry {
  std::string server_url;
  std::string app_id;
  std::string user_id;
};

// Completion of a key-store call: no error, or an Error (kind keychain) that says what failed.
using KeyStoreDone = std::function<void(std::optional<Error>)>;
using KeyStoreLoaded = std::function<void(std::optional<MasterKey>, std::optional<Error>)>;

// Every call completes exactly once, on the thread of the platform's Scheduler, never
// synchronously from inside the call.
class KeyStore {
 public:
  virtual ~KeyStore() = default;
  // Stores (replacing) the key for `entry`.
  virtual void save(const KeyStoreEntry& entry, const MasterKey& key, KeyStoreDone done) = 0;
  // The key for `entry`, or nullopt when none is stored.
  virtual void load(const KeyStoreEntry& entry, KeyStoreLoaded done) = 0;
  // Forgets the key for `entry` (no error when there was none).
  virtual void remove(const KeyStoreEntry& entry, KeyStoreDone done) = 0;
};

}  // namespace synckit
