#include "synckit/web/js_replica_store.hpp"

#include <utility>

namespace synckit::web {
namespace {

using emscripten::val;

val bytes_to_js(const Bytes& bytes) {
  return val::global("Uint8Array").new_(emscripten::typed_memory_view(bytes.size(), bytes.data()));
}

Bytes bytes_from_js(const val& value) {
  if (!value.instanceof(val::global("Uint8Array"))) {
    throw Error(ErrorKind::storage, "a stored replica record is not bytes (not one SyncKit wrote)");
  }
  Bytes out(value["length"].as<std::size_t>());
  val(emscripten::typed_memory_view(out.size(), out.data())).call<void>("set", value);
  return out;
}

}  // namespace

JsReplicaStore::JsReplicaStore(val persister) : persister_(std::move(persister)) {}

JsReplicaStore::~JsReplicaStore() {
  auto pending = std::move(pending_);
  for (auto& [id, entry] : pending) entry.done(Error(ErrorKind::storage, "the replica's store was closed"));
}

void JsReplicaStore::load(const val& records) {
  std::vector<StoreWrite> writes;
  const auto count = records["length"].as<std::size_t>();
  writes.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const val record = records[i];
    const val space = record[0];
    if (!space.isNumber() || space.as<double>() < 0 || space.as<double>() > 2 ||
        space.as<double>() != static_cast<double>(space.as<int>())) {
      throw Error(ErrorKind::storage, "a stored replica record has no valid space (not one SyncKit wrote)");
    }
    writes.push_back(StoreWrite{static_cast<StoreSpace>(space.as<int>()), bytes_from_js(record[1]),
                                bytes_from_js(record[2])});
  }
  mirror_.commit(std::move(writes), [](const std::optional<Error>&) {});
}

std::optional<Bytes> JsReplicaStore::get(StoreSpace space, ByteView key) { return mirror_.get(space, key); }

std::vector<StoreEntry> JsReplicaStore::scan(StoreSpace space, ByteView prefix, std::size_t limit) {
  return mirror_.scan(space, prefix, limit);
}

std::size_t JsReplicaStore::count(StoreSpace space) { return mirror_.count(space); }

void JsReplicaStore::commit(std::vector<StoreWrite> writes, std::function<void(std::optional<Error>)> done) {
  if (persister_.isNull() || persister_.isUndefined()) return mirror_.commit(std::move(writes), std::move(done));
  val list = val::array();
  for (const StoreWrite& write : writes) {
    val entry = val::array();
    entry.call<void>("push", static_cast<int>(write.space));
    entry.call<void>("push", bytes_to_js(write.key));
    entry.call<void>("push", write.value ? bytes_to_js(*write.value) : val::null());
    list.call<void>("push", entry);
  }
  const std::uint32_t id = next_id_++;
  pending_.emplace(id, Pending{std::move(writes), std::move(done)});
  try {
    persister_.call<void>("commit", list, id);
  } catch (...) {
    settle(id, "the persister's commit threw");
  }
}

void JsReplicaStore::settle(std::uint32_t id, const std::string& error) {
  const auto found = pending_.find(id);
  if (found == pending_.end()) return;
  Pending entry = std::move(found->second);
  pending_.erase(found);
  if (!error.empty()) return entry.done(Error(ErrorKind::storage, "IndexedDB: " + error));
  mirror_.commit(std::move(entry.writes), std::move(entry.done));
}

}  // namespace synckit::web
