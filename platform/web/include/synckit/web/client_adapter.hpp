// The object the embind bindings expose to JavaScript as `WasmClient`: the core Client on the web
// platform's services (WebRandom, WebClock, WebScheduler, FetchTransport, JsKeyStore). It only
// converts: JavaScript values in, core calls, and completions out as Node-style callbacks
// `callback(error)` / `callback(null, value)`, where error is {kind, message, status, field}. It never
// throws into JavaScript. The idiomatic Promise API on top lives in js/src/sync-kit.ts.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <emscripten/val.h>

#include "synckit/client/client.hpp"
#include "synckit/web/fetch_transport.hpp"
#include "synckit/web/js_key_store.hpp"
#include "synckit/web/web_clock.hpp"
#include "synckit/web/web_random.hpp"
#include "synckit/web/web_scheduler.hpp"

namespace synckit::web {

class ClientAdapter {
 public:
  // host: the key store methods of JsKeyStore, plus optional log(line) and sessionChanged(tokens).
  explicit ClientAdapter(emscripten::val host);
  ~ClientAdapter();
  ClientAdapter(const ClientAdapter&) = delete;
  ClientAdapter& operator=(const ClientAdapter&) = delete;

  // Makes the core client from {serverUrl, apiKey, pullLimit?, timeoutMs?, retry?}: null, or the
  // error (invalid_input) for bad options. Every other call needs a successful open().
  emscripten::val open(emscripten::val options);

  void createAccount(std::string email, std::string password, emscripten::val callback);
  void authenticate(std::string email, std::string password, emscripten::val callback);
  // {url} or {error}.
  emscripten::val beginOAuth(std::string redirect_uri);
  void completeOAuth(std::string redirect_url, emscripten::val callback);
  // null, or the error for malformed tokens.
  emscripten::val restoreSession(emscripten::val tokens);
  emscripten::val session() const;

  void setupEncryptionNew(std::string password, emscripten::val callback);
  void setupEncryptionExisting(std::string password, emscripten::val callback);
  void unlock(emscripten::val callback);  // value: whether the key store had the key
  void changePassword(std::string old_password, std::string new_password, emscripten::val callback);
  bool encryptionReady() const;

  // The account (Client's create_recovery_code … delete_account). createRecoveryCode's value is
  // the code as a string (the heap copy is wiped after the call).
  void createRecoveryCode(emscripten::val callback);
  void recover(std::string email, std::string code, std::string new_password, emscripten::val callback);
  void changeSignInPassword(std::string old_password, std::string new_password, emscripten::val callback);
  void changePasswords(std::string old_password, std::string new_password, emscripten::val callback);
  void listSessions(emscripten::val callback);  // value: sessions_to_js
  void endSession(std::string session_id, emscripten::val callback);
  void deleteAccount(std::string password, emscripten::val callback);
  void registerDevice(std::string name, std::string platform, emscripten::val callback);
  void listDevices(emscripten::val callback);
  void revokeDevice(std::string device_id, emscripten::val callback);

  // changes_utf8: a Uint8Array of the UTF-8 JSON text changes_from_json reads (js_convert.hpp),
  // copied once into the heap and wiped there after the call. Value: the cursor (a number).
  void push(std::string device_id, emscripten::val changes_utf8, emscripten::val callback);
  // Value: JSON text of the pull result (pull_result_to_json), wiped from the heap after the call.
  // wait: live pull seconds (0..60); cancel_id: 0, or an id from newCancel() that cancel() fires.
  void pull(std::string device_id, double cursor, double wait, unsigned cancel_id, emscripten::val callback);
  // A cancel signal for one call (pull), and firing it (the call then fails with `cancelled`).
  unsigned newCancel();
  void cancel(unsigned id);
  // Client::watch_plaintexts: on_page(null, text) per page with news (as pull's value), then
  // on_page(error) once if an error ends it. Returns the id for stopWatch(); invalid_input errors
  // (a wait outside 1..60) come through on_page at once.
  unsigned watch(std::string device_id, double cursor, double wait, emscripten::val on_page);
  void stopWatch(unsigned id);

  // bytes: a Uint8Array, copied once into the wasm heap.
  void putBlob(std::string blob_id, emscripten::val bytes, emscripten::val callback);
  // Value: a Uint8Array view into the wasm heap, valid only during the callback (copy it); the
  // plaintext is wiped there right after.
  void getBlob(std::string blob_id, emscripten::val callback);
  void deleteBlob(std::string blob_id, emscripten::val callback);
  // Streamed upload of `size` plaintext bytes (Client::put_blob_stream): read(max, id) asks for
  // the next bytes, answered by settleRead(id, null, a Uint8Array of exactly max bytes, fewer only
  // at the end), which copies them into the heap, or settleRead(id, error) to end the upload;
  // progress(done, total) after each part (or null). cancel_id as for pull.
  void putBlobStream(std::string blob_id, double size, emscripten::val read, emscripten::val progress,
                     unsigned cancel_id, emscripten::val callback);
  // Streamed download (Client::get_blob_stream): write(view, id) gets each range's plaintext as a
  // Uint8Array view into the heap, valid only during the call (copy it), and the download waits
  // for settleWrite(id, null), or settleWrite(id, error) to end it. Value: {format, size}.
  // offset/length: a part of the plaintext (length < 0: to the end).
  void getBlobStream(std::string blob_id, double offset, double length, emscripten::val write, emscripten::val progress,
                     unsigned cancel_id, emscripten::val callback);
  void settleRead(unsigned id, emscripten::val error, emscripten::val bytes);
  void settleWrite(unsigned id, emscripten::val error);

  void status(emscripten::val callback);
  void logout(emscripten::val callback);

  // Completion of a key-store request the JavaScript host was given (JsKeyStore::settle).
  void settleKeyStore(unsigned id, std::string error, emscripten::val key);

  // The core client once open() succeeded, else null (for ReplicaAdapter; not bound).
  Client* core() noexcept { return core_.get(); }

 private:
  template <class Start>
  void run(const emscripten::val& callback, Start start);
  // The signal of cancel_id (nullptr for 0); throws invalid_input for an unknown id.
  std::shared_ptr<CancelSignal> cancel_of(unsigned cancel_id);

  emscripten::val host_;
  WebRandom random_;
  WebClock clock_;
  WebScheduler scheduler_;
  std::unique_ptr<FetchTransport> transport_;
  JsKeyStore key_store_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  unsigned next_id_ = 1;
  // Few at once (a pull or two, a watch or two): vectors keep the module small.
  std::vector<std::pair<unsigned, std::shared_ptr<CancelSignal>>> cancels_;
  std::vector<std::pair<unsigned, std::shared_ptr<Watch>>> watches_;
  struct PendingRead {
    std::span<std::uint8_t> into;
    std::function<void(Result<std::size_t>)> filled;
  };
  std::vector<std::pair<unsigned, PendingRead>> reads_;
  std::vector<std::pair<unsigned, std::function<void(std::optional<Error>)>>> writes_;
  std::unique_ptr<Client> core_;  // destroyed first (declared last)
};

// The core's error table as [{kind, message}], so js/ builds its kinds from the same table.
emscripten::val error_kinds();

}  // namespace synckit::web
