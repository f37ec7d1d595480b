// The local replica (replica.md): an account's rows kept on the device in a ReplicaStore, written
// offline or online, merged with other devices' writes by one rule, and synced through the
// client: push the outbox, pull and merge, save the cursor. Asynchronous and platform-free like
// Client: it runs on the client's Scheduler thread and must only be used from there.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "synckit/client/client.hpp"
#include "synckit/json_value.hpp"
#include "synckit/replica/replica_store.hpp"

namespace synckit {

// A row as the replica holds it: its id and its data as JSON text.
struct ReplicaRow {
  std::string row_id;
  std::string data;
};

// A row a transaction changed: its data (JSON text) now, or nullopt when it was deleted.
struct ReplicaRowChange {
  std::string row_id;
  std::optional<std::string> data;
};

enum class ChangeOrigin { local, remote };

// What a subscriber of a table hears after each transaction that changed rows of it.
struct ReplicaEvent {
  std::string table;
  std::vector<ReplicaRowChange> rows;  // in the order they changed
  ChangeOrigin origin = ChangeOrigin::local;
};

// A pulled change that could not be opened (tampered, another key, breaks the format): it changed
// no row and the cursor moved past it (replica.md, "Merge").
struct RejectedChange {
  std::int64_t seq = 0;
  std::string change_id;
  Error error;  // kind crypto or invalid_data
};

// One sync round: changes pushed from the outbox, pulled changes merged, and those rejected.
struct SyncReport {
  std::size_t pushed = 0;
  std::size_t pulled = 0;
  std::vector<RejectedChange> rejected;
};

struct ReplicaStatus {
  std::size_t pending = 0;                 // local writes not yet acknowledged by the server
  std::optional<SystemTime> last_sync_at;  // the end of the last complete round
  bool online = false;                     // the last request reached the server
  std::optional<Error> last_error;         // of the last round; cleared by a round that succeeds
  bool running = false;                    // the sync loop is on (start() until stop() or a fatal error)
};

struct ReplicaOptions {
  // The sync loop: how long a live pull is held (1..60 s), how often a server without live pull
  // (protocol 1.0) is polled, and the backoff while the server is away (network, 5xx, 429).
  int wait_seconds = 30;
  std::chrono::milliseconds poll_interval{2000};
  std::chrono::milliseconds first_backoff{500};
  std::chrono::milliseconds max_backoff{30'000};
  // Hears every rejected change (sync() also returns them), and every error of the loop: it goes
  // on after transient ones, stops after others (unauthorized, forbidden, storage, ...). Optional.
  std::function<void(const RejectedChange&)> on_rejected;
  std::function<void(const Error&)> on_error;
};

class Replica {
 public:
  // Opens the replica `store` holds for `device_id` (a device registered for it, replica.md "One
  // replica, one device"), or starts one in an empty store. The client must be signed in and
  // unlocked, and both must outlive the replica. Throws Error{not_set_up} (locked client),
  // invalid_input (device id not a UUID, or the store holds another device's replica), crypto (it
  // holds another account's replica, or was changed), storage.
  Replica(Client& client, ReplicaStore& store, std::string device_id, ReplicaOptions options = {});
  ~Replica();
  Replica(const Replica&) = delete;
  Replica& operator=(const Replica&) = delete;

  // Sets a row's data (insert or update: the whole row) / deletes it. Completes once one store
  // transaction holds the row and the outbox entry that will push it. Errors: invalid_input (table,
  // row id, data), storage (nothing was written then), cancelled (the replica closed).
  void put(std::string table, std::string row_id, JsonValue data, Callback<Done> done);
  void remove(std::string table, std::string row_id, Callback<Done> done);
  // A row's data as JSON text, or nullopt for a row never written or deleted. Throws
  // Error{invalid_input} for a bad table or row id, crypto or storage for a damaged store.
  std::optional<std::string> get(std::string_view table, std::string_view row_id) const;
  // The rows of a table (deleted ones left out), sorted by row id bytewise. Throws as get.
  std::vector<ReplicaRow> list(std::string_view table) const;

  // Calls `callback` after every transaction that changed rows of `table` (an empty table: of
  // every table); returns the id for unsubscribe. Callbacks run on the client's thread.
  std::uint64_t subscribe(std::string table, std::function<void(const ReplicaEvent&)> callback);
  void unsubscribe(std::uint64_t id) noexcept;

  // One round: push the whole outbox, then pull and merge until the server has no more. A round
  // asked for while one runs starts after it. Errors: the client's (network, unauthorized,
  // forbidden for a revoked device, ...), storage; what the round stored before stays stored.
  void sync(Callback<SyncReport> done);
  // The sync loop: rounds one after another, waiting on live pull when the server offers it,
  // else polling; a local write wakes it. stop() ends it (a held pull is cancelled).
  void start();
  void stop();
  ReplicaStatus status() const;

  // Stops the loop and drops the subscribers; writes not yet begun and every later call fail with
  // Error{cancelled}, a transaction already handed to the store still completes. Then wipes the
  // keys. The destructor closes.
  void close();

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace synckit
