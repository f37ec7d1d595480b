// The local replica for native apps (replica.md): the rows of an account in one SQLite file
// (SqliteReplicaStore), encrypted at rest, written offline or online and synced through a
// native Client. Blocking like Client: every method waits for its result and throws
// synckit::Error; usable from several threads. Subscriber callbacks and the options' callbacks
// run on the client's loop thread: keep them short and never call a blocking method of this
// Replica or its Client from them.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "synckit/json_value.hpp"
#include "synckit/native/client.hpp"
#include "synckit/replica/replica.hpp"

namespace synckit::native {

class SqliteReplicaStore;

class Replica {
 public:
  // Opens (or creates) the replica file at `path` for `device_id`, a device registered for this
  // replica (replica.md, "One replica, one device"). The client must be signed in and unlocked, and
  // outlive the replica. Throws Error{storage} (the file cannot be opened, is in use by another
  // process, or is not a replica file), invalid_input (the file holds another device's replica, a
  // bad device id), crypto (another account's replica), not_set_up (a locked client).
  Replica(Client& client, const std::string& path, const std::string& device_id, ReplicaOptions options = {});
  // Stops the loop and closes the file.
  ~Replica();
  Replica(const Replica&) = delete;
  Replica& operator=(const Replica&) = delete;

  // Durable when they return: the row and its outbox entry are in the file. Throw invalid_input,
  // storage.
  void put(const std::string& table, const std::string& row_id, const JsonValue& data);
  void remove(const std::string& table, const std::string& row_id);
  // The row's data, or nullopt (never written, or deleted). Throws invalid_input, crypto, storage.
  std::optional<JsonValue> get(const std::string& table, const std::string& row_id);
  // The table's rows sorted by row id: (row id, data).
  std::vector<std::pair<std::string, JsonValue>> list(const std::string& table);

  // `callback` hears every committed change of `table`'s rows (local and pulled; an empty table:
  // of every table); the returned id ends it through unsubscribe.
  std::uint64_t subscribe(const std::string& table, std::function<void(const ReplicaEvent&)> callback);
  void unsubscribe(std::uint64_t id);

  // One round: push the outbox, pull and merge. Throws the client's errors and storage.
  SyncReport sync();
  // The background loop (live pull when the server offers it, else polling; backoff while the
  // server is away). Errors reach options.on_error.
  void start();
  void stop();
  ReplicaStatus status();

 private:
  Client::Parts& parts_;
  std::unique_ptr<SqliteReplicaStore> store_;
  std::unique_ptr<synckit::Replica> core_;
};

}  // namespace synckit::native
