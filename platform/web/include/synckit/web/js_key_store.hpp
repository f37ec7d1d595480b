// KeyStore over a JavaScript object, so the key storage itself (IndexedDB with a non-extractable
// WebCrypto key in browsers, memory or anything pluggable in Node) lives in the npm package.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <variant>

#include <emscripten/val.h>

#include "synckit/client/key_store.hpp"

namespace synckit::web {

// `host` has three methods; each starts the work and returns at once, and the JavaScript side later
// calls settle() with the same request id (from a Promise continuation, never synchronously):
//   save(entry, key: Uint8Array, id)  key is a view into the wasm heap, valid only during the call:
//                                     copy it, and wipe the copy when done
//   load(entry, id)                   settle(id, "", bytes) with the 32 key bytes, or null for none
//   remove(entry, id)
// entry is {serverUrl, appId, userId}. A host that throws, or settles with a non-empty error
// message, fails the call with Error{keychain}.
class JsKeyStore final : public KeyStore {
 public:
  explicit JsKeyStore(emscripten::val host);
  // Completes what is still pending with Error{keychain} ("shut down").
  ~JsKeyStore() override;
  JsKeyStore(const JsKeyStore&) = delete;
  JsKeyStore& operator=(const JsKeyStore&) = delete;

  void save(const KeyStoreEntry& entry, const MasterKey& key, KeyStoreDone done) override;
  void load(const KeyStoreEntry& entry, KeyStoreLoaded done) override;
  void remove(const KeyStoreEntry& entry, KeyStoreDone done) override;

  // Completes request `id`: `error` non-empty for a failure; for load, `key` is a Uint8Array of
  // 32 bytes (copied straight into the key's wiping storage) or null/undefined when none is stored.
  // Unknown ids are ignored.
  void settle(std::uint32_t id, const std::string& error, emscripten::val key);

 private:
  using Pending = std::variant<KeyStoreDone, KeyStoreLoaded>;
  std::uint32_t start(const char* method, const KeyStoreEntry& entry, Pending done, const MasterKey* key);
  void fail_later(std::uint32_t id, std::string message);

  emscripten::val host_;
  std::shared_ptr<JsKeyStore*> alive_;  // points here until the destructor runs
  std::uint32_t next_id_ = 1;
  std::unordered_map<std::uint32_t, Pending> pending_;
};

}  // namespace synckit::web
