#include "synckit/native/replica.hpp"

#include <exception>

#include "client_parts.hpp"
#include "synckit/native/sqlite_replica_store.hpp"

namespace synckit::native {

Replica::Replica(Client& client, const std::string& path, const std::string& device_id, ReplicaOptions options)
    : parts_(*client.parts_) {
  // Opened, used and closed on the loop thread only (the store and the core replica are not
  // thread-safe).
  run_on_loop(parts_.loop, [&] {
    auto store = SqliteReplicaStore::open(path);
    core_ = std::make_unique<synckit::Replica>(parts_.core, *store, device_id, std::move(options));
    store_ = std::move(store);
    return Done{};
  });
}

Replica::~Replica() {
  if (parts_.loop.on_loop_thread()) std::terminate();  // documented: never from a callback
  run_on_loop(parts_.loop, [&] {
    core_.reset();
    store_.reset();
    return Done{};
  });
}

void Replica::put(const std::string& table, const std::string& row_id, const JsonValue& data) {
  wait_on_loop<Done>(parts_.loop, [&](Callback<Done> done) { core_->put(table, row_id, data, std::move(done)); });
}

void Replica::remove(const std::string& table, const std::string& row_id) {
  wait_on_loop<Done>(parts_.loop, [&](Callback<Done> done) { core_->remove(table, row_id, std::move(done)); });
}

std::optional<JsonValue> Replica::get(const std::string& table, const std::string& row_id) {
  auto text = run_on_loop(parts_.loop, [&] { return core_->get(table, row_id); });
  if (!text) return std::nullopt;
  return parse_json_value(*text);
}

std::vector<std::pair<std::string, JsonValue>> Replica::list(const std::string& table) {
  auto rows = run_on_loop(parts_.loop, [&] { return core_->list(table); });
  std::vector<std::pair<std::string, JsonValue>> out;
  out.reserve(rows.size());
  for (ReplicaRow& row : rows) out.emplace_back(std::move(row.row_id), parse_json_value(row.data));
  return out;
}

std::uint64_t Replica::subscribe(const std::string& table, std::function<void(const ReplicaEvent&)> callback) {
  return run_on_loop(parts_.loop, [&] { return core_->subscribe(table, std::move(callback)); });
}

void Replica::unsubscribe(std::uint64_t id) {
  run_on_loop(parts_.loop, [&] {
    core_->unsubscribe(id);
    return Done{};
  });
}

SyncReport Replica::sync() {
  return wait_on_loop<SyncReport>(parts_.loop, [&](Callback<SyncReport> done) { core_->sync(std::move(done)); });
}

void Replica::start() {
  run_on_loop(parts_.loop, [&] {
    core_->start();
    return Done{};
  });
}

void Replica::stop() {
  run_on_loop(parts_.loop, [&] {
    core_->stop();
    return Done{};
  });
}

ReplicaStatus Replica::status() {
  return run_on_loop(parts_.loop, [&] { return core_->status(); });
}

}  // namespace synckit::native
