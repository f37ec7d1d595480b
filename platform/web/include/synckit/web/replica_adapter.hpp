// The object the embind bindings expose to JavaScript as `WasmReplica`: a core Replica over a
// JsReplicaStore, on the client of a ClientAdapter. Like ClientAdapter it only converts, reports
// completions as callback(error) / callback(null, value) and never throws into JavaScript. The
// package's Replica class (js/src/replica.ts) wraps it.
#pragma once

#include <memory>
#include <string>

#include <emscripten/val.h>

#include "synckit/replica/replica.hpp"
#include "synckit/web/client_adapter.hpp"
#include "synckit/web/js_replica_store.hpp"

namespace synckit::web {

class ReplicaAdapter {
 public:
  ReplicaAdapter() = default;
  ~ReplicaAdapter();
  ReplicaAdapter(const ReplicaAdapter&) = delete;
  ReplicaAdapter& operator=(const ReplicaAdapter&) = delete;

  // Opens the replica of `device_id` over the records the persister read ([[space, key, value]])
  // on `client`'s core, which must outlive it (js/ closes replicas before disposing a client).
  // host: {persister: null | {commit(writes, id)}, onRejected(change), onError(error), waitSeconds?}. Returns
  // null, or the error (not_set_up, invalid_input, crypto, storage).
  emscripten::val open(ClientAdapter& client, std::string device_id, emscripten::val records, emscripten::val host);

  // data: the row's JSON text. Completions: callback(error) or callback(null).
  void put(std::string table, std::string row_id, std::string data, emscripten::val callback);
  void remove(std::string table, std::string row_id, emscripten::val callback);
  // {data: JSON text | null} or {error}.
  emscripten::val get(std::string table, std::string row_id) const;
  // {rows: JSON text of [{rowId, data}]} or {error}.
  emscripten::val list(std::string table) const;
  // callback(JSON text of {rows: [{rowId, data | null}], origin}) after each transaction that
  // changed `table`'s rows. Returns the id for unsubscribe, or 0 when closed.
  unsigned subscribe(std::string table, emscripten::val callback);
  void unsubscribe(unsigned id);
  // Value: {pushed, pulled, rejected: [{seq, changeId, error}]}.
  void sync(emscripten::val callback);
  void start();
  void stop();
  // {pending, lastSyncAt (ms since the epoch) | null, online, lastError | null, running}.
  emscripten::val status() const;
  void close();
  // Completion of a persister's commit (JsReplicaStore::settle).
  void settleCommit(unsigned id, std::string error);

 private:
  std::unique_ptr<JsReplicaStore> store_;
  std::unique_ptr<Replica> core_;  // destroyed first (declared last)
};

}  // namespace synckit::web
