// The OS keychain, synchronously: where a native app caches the master key between runs
// (Secret Service on Linux, Keychain Services on macOS, Credential Manager on Windows).
// Calls may block (D-Bus, user prompts): AsyncKeyStore runs them off the event loop.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>

#include "synckit/client/key_store.hpp"
#include "synckit/crypto/keys.hpp"

namespace synckit::native {

// A store of master keys keyed by server URL + app + user. Every call throws
// Error{ErrorKind::keychain} on failure; no message ever contains key bytes.
class Keychain {
 public:
  virtual ~Keychain() = default;
  // Stores the key for `entry`, replacing any stored one. Throws Error{keychain}.
  virtual void save(const KeyStoreEntry& entry, const MasterKey& key) = 0;
  // The key stored for `entry`, or nullopt when there is none. Throws Error{keychain}, also when
  // the stored value is not a 32-byte key ("the stored key is corrupt").
  virtual std::optional<MasterKey> load(const KeyStoreEntry& entry) = 0;
  // Forgets the key for `entry`; no error when there was none. Throws Error{keychain}.
  virtual void remove(const KeyStoreEntry& entry) = 0;
};

// This platform's keychain (or a NullKeychain when built with SYNCKIT_KEYCHAIN=OFF).
// Opening it does not touch the OS yet; the first call may. Does not throw except bad_alloc.
std::unique_ptr<Keychain> make_os_keychain();

// Keeps nothing: save and remove do nothing, load always returns nullopt. Never throws.
class NullKeychain final : public Keychain {
 public:
  void save(const KeyStoreEntry& entry, const MasterKey& key) override;
  std::optional<MasterKey> load(const KeyStoreEntry& entry) override;
  void remove(const KeyStoreEntry& entry) override;
};

// Keys in this process only (tests, apps that opt out of persistence), wiped when replaced,
// removed or destroyed. Safe to use from several threads. Throws only bad_alloc.
class MemoryKeychain final : public Keychain {
 public:
  void save(const KeyStoreEntry& entry, const MasterKey& key) override;
  std::optional<MasterKey> load(const KeyStoreEntry& entry) override;
  void remove(const KeyStoreEntry& entry) override;

 private:
  using Id = std::tuple<std::string, std::string, std::string>;  // server URL, app, user
  static Id id_of(const KeyStoreEntry& entry);

  std::mutex mutex_;
  std::map<Id, MasterKey> keys_;
};

}  // namespace synckit::native
