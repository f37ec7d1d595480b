// The replica's state and its parts, shared by the replica*.cpp files. Private to the core.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/client_impl.hpp"
#include "replica/at_rest.hpp"
#include "replica/records.hpp"
#include "synckit/replica/replica.hpp"

namespace synckit {

// Writes gathered for one store transaction, readable before they are committed; a step's writes
// join their parent only when the step succeeds (transaction.cpp).
class ReplicaTransaction {
 public:
  explicit ReplicaTransaction(ReplicaStore& store, ReplicaTransaction* parent = nullptr)
      : store_(store), parent_(parent) {}

  std::optional<Bytes> get(StoreSpace space, const Bytes& key) const;
  void put(StoreSpace space, Bytes key, Bytes value);
  void erase(StoreSpace space, Bytes key);
  // A row change for the subscribers of its table, told once the transaction is committed.
  void note(const std::string& table, ReplicaRowChange change, ChangeOrigin origin);

  // Moves this step's writes and notes into the parent.
  void join_parent();
  std::vector<StoreWrite> take_writes();
  std::vector<ReplicaEvent> take_events() { return std::move(events_); }

 private:
  ReplicaStore& store_;
  ReplicaTransaction* parent_;
  std::map<std::pair<StoreSpace, Bytes>, std::optional<Bytes>> writes_;
  std::vector<ReplicaEvent> events_;
};

struct Replica::Impl : std::enable_shared_from_this<Replica::Impl> {
  Impl(std::shared_ptr<Client::Impl> client, ReplicaStore& store, std::string device_id, ReplicaOptions options);

  // --- transactions and the merge (replica.cpp) ---
  // A unit of work for the next store transaction: `build` reads through and writes into its
  // step (and may change `state`; a step that throws is undone), `done` hears how the commit went.
  struct Step {
    std::function<void(ReplicaTransaction&)> build;
    std::function<void(std::optional<Error>)> done;
  };
  // Queues a step; queued steps are committed together, one transaction at a time.
  void enqueue(Step step);
  void drain();
  void schedule_drain();
  // The one merge path of local and pulled changes: the row becomes `incoming` when incoming
  // supersedes what the row holds (or it holds nothing). Returns whether it did.
  bool apply(ReplicaTransaction& tx, detail::RowRecord incoming, ChangeOrigin origin);
  std::optional<detail::RowRecord> read_row(const ReplicaTransaction* tx, const Bytes& key) const;
  // A local write: a fresh stamp, the merge, and the outbox entry with its change id and sealed change.
  void write_locally(ReplicaTransaction& tx, const std::string& table, const std::string& row_id,
                     const JsonValue* data);
  void notify(const std::vector<ReplicaEvent>& events);
  std::optional<Error> require_open() const;

  // --- a sync round (replica_sync.cpp) ---
  struct Round;
  void request_round(Callback<SyncReport> done);
  void start_round();
  void push_next(const std::shared_ptr<Round>& round);
  void pull_next(const std::shared_ptr<Round>& round);
  void finish_round(const std::shared_ptr<Round>& round, std::optional<Error> error);
  // Merges one pulled page and stores it with the new cursor (a step).
  void merge_page(ReplicaTransaction& tx, PullResult& page);

  // --- the sync loop (replica_loop.cpp) ---
  void start_loop();
  void stop_loop();
  void next_loop_round();  // asks whether the server holds pulls first, once
  void after_round(const std::optional<Error>& error, bool held_briefly);
  void wake();  // a local write or sync(): cut a held pull or a poll wait short
  void schedule_round(std::chrono::milliseconds delay, bool wakeable);

  std::shared_ptr<Client::Impl> client;
  ReplicaStore& store;
  ReplicaOptions options;
  std::unique_ptr<detail::ReplicaKeys> keys;  // null once closed
  detail::ReplicaState state;
  bool closed = false;

  std::vector<Step> queue;
  bool committing = false;
  bool drain_scheduled = false;

  std::map<std::uint64_t, std::pair<std::string, std::function<void(const ReplicaEvent&)>>> subscribers;
  std::uint64_t next_subscriber = 1;

  // Rounds: one at a time; requests made during one wait for the next.
  bool round_running = false;
  std::vector<Callback<SyncReport>> round_waiters;
  std::shared_ptr<CancelSignal> held_pull;  // set while a round's pull is held (cancel to cut it short)
  bool online = false;
  std::optional<Error> last_error;

  // The loop.
  bool loop_running = false;
  std::optional<bool> live;  // the server holds pulls; asked when the loop starts
  std::uint64_t loop_generation = 0;  // a scheduled round runs only if no newer schedule or stop came
  bool wakeable_wait = false;         // the scheduled round may be started early by wake()
  std::chrono::milliseconds backoff{0};
};

}  // namespace synckit
