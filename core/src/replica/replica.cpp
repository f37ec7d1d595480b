// The replica: opening, local writes and reads, the commit queue, the merge path, subscribers.
#include <algorithm>

#include "replica/replica_impl.hpp"
#include "synckit/change_plaintext.hpp"
#include "synckit/crypto/change.hpp"
#include "synckit/ids.hpp"
#include "synckit/replica/hlc.hpp"
#include "synckit/wire/json_reader.hpp"

namespace synckit {
namespace {

const Bytes kStateKey{'s', 't', 'a', 't', 'e'};

Error closed_error() { return Error(ErrorKind::cancelled, "the replica is closed"); }

std::uint64_t to_ms(SystemTime time) {
  return static_cast<std::uint64_t>(std::max<std::int64_t>(time.time_since_epoch().count(), 0));
}

void check_row_address(std::string_view table, std::string_view row_id) {
  if (table.empty() || table.size() > kMaxTableBytes) {
    throw Error(ErrorKind::invalid_input, "a table is 1..128 bytes of UTF-8", "table");
  }
  if (row_id.empty() || row_id.size() > kMaxRowIdBytes) {
    throw Error(ErrorKind::invalid_input, "a row id is 1..256 bytes of UTF-8", "row_id");
  }
}

std::uint64_t random_node(RandomSource& random) {
  std::uint8_t bytes[8];
  random.fill(bytes);
  std::uint64_t node = 0;
  for (const std::uint8_t b : bytes) node = node << 8 | b;
  return node;
}

}  // namespace

Replica::Impl::Impl(std::shared_ptr<Client::Impl> client_impl, ReplicaStore& replica_store, std::string device_id,
                    ReplicaOptions replica_options)
    : client(std::move(client_impl)), store(replica_store), options(std::move(replica_options)) {
  if (auto error = client->require_keys()) throw *error;
  if (!wire::is_lowercase_uuid(device_id)) {
    throw Error(ErrorKind::invalid_input, "a device id is a lowercase UUID", "device_id");
  }
  if (options.wait_seconds < 1 || options.wait_seconds > kMaxPullWaitSeconds) {
    throw Error(ErrorKind::invalid_input, "a replica's wait is 1..60 seconds", "wait_seconds");
  }
  keys = std::make_unique<detail::ReplicaKeys>(detail::derive_replica_keys(client->keys->master));
  backoff = options.first_backoff;
  if (const auto sealed = store.get(StoreSpace::state, kStateKey)) {
    const SecretBuffer plain = detail::open_record(keys->seal, detail::RecordKind::state, kStateKey, *sealed);
    state = detail::decode_replica_state(plain.view());
    if (state.device_id != device_id) {
      throw Error(ErrorKind::invalid_input,
                  "this replica belongs to another device: register a device for every new replica", "device_id");
    }
  } else {
    // A new replica: nothing is stored before its first transaction, which stores the state too.
    state.device_id = std::move(device_id);
    state.node = random_node(client->services.random);
  }
}

std::optional<Error> Replica::Impl::require_open() const {
  if (closed) return closed_error();
  return std::nullopt;
}

void Replica::Impl::enqueue(Step step) {
  queue.push_back(std::move(step));
  schedule_drain();
}

void Replica::Impl::schedule_drain() {
  if (drain_scheduled || committing || queue.empty()) return;
  drain_scheduled = true;
  client->services.scheduler.post(std::chrono::milliseconds(0), [self = shared_from_this()] { self->drain(); });
}

void Replica::Impl::drain() {
  drain_scheduled = false;
  if (committing || queue.empty()) return;
  std::vector<Step> steps = std::move(queue);
  queue.clear();
  if (closed) {
    for (Step& step : steps) step.done(closed_error());
    return;
  }
  const detail::ReplicaState before = state;
  ReplicaTransaction tx(store);
  std::vector<Step> built;
  for (Step& step : steps) {
    const detail::ReplicaState saved = state;
    ReplicaTransaction own(store, &tx);
    try {
      step.build(own);
      own.join_parent();
      built.push_back(std::move(step));
    } catch (const Error& error) {
      state = saved;
      step.done(error);
    }
  }
  if (built.empty()) return schedule_drain();
  std::vector<StoreWrite> writes = tx.take_writes();
  writes.push_back(StoreWrite{StoreSpace::state, kStateKey,
                              detail::seal_record(keys->seal, detail::RecordKind::state, kStateKey,
                                                  detail::encode_replica_state(state), client->services.random)});
  committing = true;
  store.commit(std::move(writes), [self = shared_from_this(), before, built = std::move(built),
                                   events = tx.take_events()](std::optional<Error> error) {
    self->committing = false;
    if (error) {
      self->state = before;
    } else {
      self->notify(events);
    }
    for (const Step& step : built) step.done(error);
    self->schedule_drain();
  });
}

std::optional<detail::RowRecord> Replica::Impl::read_row(const ReplicaTransaction* tx, const Bytes& key) const {
  const auto sealed = tx != nullptr ? tx->get(StoreSpace::rows, key) : store.get(StoreSpace::rows, key);
  if (!sealed) return std::nullopt;
  const SecretBuffer plain = detail::open_record(keys->seal, detail::RecordKind::row, key, *sealed);
  return detail::decode_row_record(plain.view());
}

bool Replica::Impl::apply(ReplicaTransaction& tx, detail::RowRecord incoming, ChangeOrigin origin) {
  Bytes key = detail::row_store_key(keys->index, incoming.table, incoming.row_id);
  if (const auto current = read_row(&tx, key); current && !supersedes(incoming.version, current->version)) {
    return false;
  }
  const SecretBuffer plain = detail::encode_row_record(incoming);
  tx.put(StoreSpace::rows, key,
         detail::seal_record(keys->seal, detail::RecordKind::row, key, plain.view(), client->services.random));
  tx.note(incoming.table,
          ReplicaRowChange{incoming.row_id, incoming.deleted ? std::nullopt : std::optional<std::string>(incoming.data)},
          origin);
  return true;
}

void Replica::Impl::write_locally(ReplicaTransaction& tx, const std::string& table, const std::string& row_id,
                                  const JsonValue* data) {
  const SystemTime now = client->services.clock.now();
  HybridClock clock(state.node, state.clock_wall, state.clock_counter);
  const HlcStamp stamp = clock.tick(to_ms(now));
  state.clock_wall = clock.wall_ms();
  state.clock_counter = clock.counter();

  const auto current = read_row(&tx, detail::row_store_key(keys->index, table, row_id));
  ChangeEntry entry{table, ChangeOp::remove, row_id, now, nullptr, format_hlc(stamp)};
  if (data != nullptr) {
    entry.op = current && !current->deleted ? ChangeOp::update : ChangeOp::insert;
    entry.data = *data;
  }
  const ChangePlaintext plaintext(entry);  // checks every field: Error{invalid_input}
  std::string change_id = new_change_id(client->services.random);
  Bytes sealed = seal_change(keys->change, change_id, plaintext, client->services.random);

  detail::RowRecord record;
  record.table = table;
  record.row_id = row_id;
  record.version = RowVersion{entry.hlc, change_id};
  record.deleted = data == nullptr;
  if (data != nullptr) record.data = dump_json(*data);
  apply(tx, std::move(record), ChangeOrigin::local);
  tx.put(StoreSpace::outbox, detail::outbox_key(state.next_outbox_seq++),
         detail::encode_outbox_entry(detail::OutboxEntry{std::move(change_id), std::move(sealed)}));
}

void Replica::Impl::notify(const std::vector<ReplicaEvent>& events) {
  for (const ReplicaEvent& event : events) {
    // A copy: a callback may subscribe or unsubscribe.
    const auto listeners = subscribers;
    for (const auto& [id, listener] : listeners) {
      if (listener.first.empty() || listener.first == event.table) listener.second(event);
    }
  }
}

Replica::Replica(Client& client, ReplicaStore& store, std::string device_id, ReplicaOptions options)
    : impl_(std::make_shared<Impl>(client.impl_, store, std::move(device_id), std::move(options))) {}

Replica::~Replica() { close(); }

void Replica::put(std::string table, std::string row_id, JsonValue data, Callback<Done> done) {
  if (auto error = impl_->require_open()) return done(*error);
  auto value = std::make_shared<JsonValue>(std::move(data));
  if (value->is_null()) {
    return done(Error(ErrorKind::invalid_input, "a row's data is not null (delete the row instead)", "data"));
  }
  impl_->enqueue(Impl::Step{
      [impl = impl_.get(), table = std::move(table), row_id = std::move(row_id), value](ReplicaTransaction& tx) {
        check_row_address(table, row_id);
        impl->write_locally(tx, table, row_id, value.get());
      },
      [impl = impl_, done = std::move(done)](std::optional<Error> error) {
        if (error) return done(*error);
        impl->wake();
        done(Done{});
      }});
}

void Replica::remove(std::string table, std::string row_id, Callback<Done> done) {
  if (auto error = impl_->require_open()) return done(*error);
  impl_->enqueue(Impl::Step{
      [impl = impl_.get(), table = std::move(table), row_id = std::move(row_id)](ReplicaTransaction& tx) {
        check_row_address(table, row_id);
        impl->write_locally(tx, table, row_id, nullptr);
      },
      [impl = impl_, done = std::move(done)](std::optional<Error> error) {
        if (error) return done(*error);
        impl->wake();
        done(Done{});
      }});
}

std::optional<std::string> Replica::get(std::string_view table, std::string_view row_id) const {
  if (auto error = impl_->require_open()) throw *error;
  check_row_address(table, row_id);
  auto row = impl_->read_row(nullptr, detail::row_store_key(impl_->keys->index, table, row_id));
  if (!row || row->deleted) return std::nullopt;
  return std::move(row->data);
}

std::vector<ReplicaRow> Replica::list(std::string_view table) const {
  if (auto error = impl_->require_open()) throw *error;
  check_row_address(table, "-");
  std::vector<ReplicaRow> rows;
  for (const StoreEntry& entry : impl_->store.scan(StoreSpace::rows, detail::table_tag(impl_->keys->index, table), 0)) {
    const SecretBuffer plain = detail::open_record(impl_->keys->seal, detail::RecordKind::row, entry.key, entry.value);
    detail::RowRecord record = detail::decode_row_record(plain.view());
    if (!record.deleted) rows.push_back(ReplicaRow{std::move(record.row_id), std::move(record.data)});
  }
  std::sort(rows.begin(), rows.end(), [](const ReplicaRow& a, const ReplicaRow& b) { return a.row_id < b.row_id; });
  return rows;
}

std::uint64_t Replica::subscribe(std::string table, std::function<void(const ReplicaEvent&)> callback) {
  if (auto error = impl_->require_open()) throw *error;
  if (!callback) throw Error(ErrorKind::invalid_input, "subscribe needs a callback", "callback");
  const std::uint64_t id = impl_->next_subscriber++;
  impl_->subscribers.emplace(id, std::make_pair(std::move(table), std::move(callback)));
  return id;
}

void Replica::unsubscribe(std::uint64_t id) noexcept { impl_->subscribers.erase(id); }

ReplicaStatus Replica::status() const {
  ReplicaStatus out;
  if (!impl_->closed) out.pending = impl_->store.count(StoreSpace::outbox);
  if (impl_->state.last_sync_ms >= 0) {
    out.last_sync_at = SystemTime(std::chrono::milliseconds(impl_->state.last_sync_ms));
  }
  out.online = impl_->online;
  out.last_error = impl_->last_error;
  out.running = impl_->loop_running;
  return out;
}

void Replica::close() {
  if (!impl_ || impl_->closed) return;
  impl_->stop_loop();
  impl_->closed = true;
  impl_->subscribers.clear();
  impl_->keys.reset();
}

}  // namespace synckit
