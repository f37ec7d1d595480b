#include "synckit/web/js_key_store.hpp"

#include <emscripten/eventloop.h>

#include <memory>
#include <string>
#include <utility>

#include "synckit/crypto/keys.hpp"
#include "synckit/error.hpp"

namespace synckit::web {
namespace {

using emscripten::val;

val entry_object(const KeyStoreEntry& entry) {
  val object = val::object();
  object.set("serverUrl", entry.server_url);
  object.set("appId", entry.app_id);
  object.set("userId", entry.user_id);
  return object;
}

Error keychain_error(const std::string& message) { return Error(ErrorKind::keychain, message); }

}  // namespace

JsKeyStore::JsKeyStore(val host) : host_(std::move(host)), alive_(std::make_shared<JsKeyStore*>(this)) {}

JsKeyStore::~JsKeyStore() {
  *alive_ = nullptr;
  auto pending = std::move(pending_);
  for (auto& [id, done] : pending) {
    const Error error = keychain_error("the key store was shut down");
    if (auto* plain = std::get_if<KeyStoreDone>(&done)) (*plain)(error);
    else std::get<KeyStoreLoaded>(done)(std::nullopt, error);
  }
}

std::uint32_t JsKeyStore::start(const char* method, const KeyStoreEntry& entry, Pending done, const MasterKey* key) {
  const std::uint32_t id = next_id_++;
  pending_.emplace(id, std::move(done));
  try {
    if (key != nullptr) {
      // A view into the key's own storage: the host copies it during the call; nothing else of it
      // is left in JavaScript by SyncKit.
      host_.call<void>(method, entry_object(entry),
                       val(emscripten::typed_memory_view(key->size(), key->data())), id);
    } else {
      host_.call<void>(method, entry_object(entry), id);
    }
  } catch (...) {
    fail_later(id, std::string("the key store's ") + method + " threw");
  }
  return id;
}

void JsKeyStore::fail_later(std::uint32_t id, std::string message) {
  struct Later {
    std::shared_ptr<JsKeyStore*> store;  // null inside once the store is gone
    std::uint32_t id;
    std::string message;
  };
  // Completions never run inside the call that started them.
  emscripten_set_timeout(
      [](void* raw) {
        std::unique_ptr<Later> later(static_cast<Later*>(raw));
        if (JsKeyStore* store = *later->store) store->settle(later->id, later->message, val::null());
      },
      0, new Later{alive_, id, std::move(message)});
}

void JsKeyStore::save(const KeyStoreEntry& entry, const MasterKey& key, KeyStoreDone done) {
  start("save", entry, std::move(done), &key);
}

void JsKeyStore::load(const KeyStoreEntry& entry, KeyStoreLoaded done) {
  start("load", entry, std::move(done), nullptr);
}

void JsKeyStore::remove(const KeyStoreEntry& entry, KeyStoreDone done) {
  start("remove", entry, std::move(done), nullptr);
}

void JsKeyStore::settle(std::uint32_t id, const std::string& error, val key) {
  auto found = pending_.find(id);
  if (found == pending_.end()) return;
  Pending done = std::move(found->second);
  pending_.erase(found);
  if (auto* plain = std::get_if<KeyStoreDone>(&done)) {
    if (error.empty()) (*plain)(std::nullopt);
    else (*plain)(keychain_error(error));
    return;
  }
  auto& loaded = std::get<KeyStoreLoaded>(done);
  if (!error.empty()) return loaded(std::nullopt, keychain_error(error));
  if (key.isNull() || key.isUndefined()) return loaded(std::nullopt, std::nullopt);
  if (!key.instanceof(val::global("Uint8Array")) || key["length"].as<std::size_t>() != MasterKey::size()) {
    return loaded(std::nullopt, keychain_error("the key store returned a key of the wrong size"));
  }
  MasterKey master;
  val(emscripten::typed_memory_view(master.size(), master.data())).call<void>("set", key);
  loaded(std::move(master), std::nullopt);
}

}  // namespace synckit::web
