#include "synckit/web/replica_adapter.hpp"

#include "js_convert.hpp"
#include "synckit/secret.hpp"

namespace synckit::web {
namespace {

using emscripten::val;

Error closed() { return Error(ErrorKind::cancelled, "the replica is closed"); }

// Wipes text that held row data before its memory is freed.
struct Wiped {
  std::string text;
  ~Wiped() { secure_wipe(text.data(), text.size()); }
};

void fail(const val& callback, const Error& error) { callback(error_to_js(error)); }

Callback<Done> done_to_js(val callback) {
  return [callback = std::move(callback)](Result<Done> result) {
    if (!result.ok()) return fail(callback, result.error());
    callback(val::null());
  };
}

}  // namespace

ReplicaAdapter::~ReplicaAdapter() { close(); }

val ReplicaAdapter::open(ClientAdapter& client, std::string device_id, val records, val host) {
  try {
    if (core_) throw Error(ErrorKind::invalid_input, "this replica is open already");
    Client* core = client.core();
    if (core == nullptr) throw Error(ErrorKind::not_set_up, "the client is not open");
    auto store = std::make_unique<JsReplicaStore>(host["persister"]);
    store->load(records);
    ReplicaOptions options;
    if (const val wait = host["waitSeconds"]; !wait.isUndefined()) {
      const double seconds = wait.isNumber() ? wait.as<double>() : 0;
      if (!(seconds >= 1 && seconds <= kMaxPullWaitSeconds) || seconds != static_cast<double>(static_cast<int>(seconds))) {
        throw Error(ErrorKind::invalid_input, "waitSeconds must be a whole number from 1 to 60", "waitSeconds");
      }
      options.wait_seconds = static_cast<int>(seconds);
    }
    const val on_rejected = host["onRejected"];
    const val on_error = host["onError"];
    options.on_rejected = [on_rejected](const RejectedChange& change) {
      val entry = val::object();
      entry.set("seq", static_cast<double>(change.seq));
      entry.set("changeId", change.change_id);
      entry.set("error", error_to_js(change.error));
      on_rejected(entry);
    };
    options.on_error = [on_error](const Error& error) { on_error(error_to_js(error)); };
    core_ = std::make_unique<Replica>(*core, *store, std::move(device_id), std::move(options));
    store_ = std::move(store);
    return val::null();
  } catch (const Error& error) {
    return error_to_js(error);
  }
}

void ReplicaAdapter::put(std::string table, std::string row_id, std::string data, val callback) {
  const Wiped text{std::move(data)};
  if (!core_) return fail(callback, closed());
  JsonValue value = text.text.find('\0') == std::string::npos ? parse_json_value(text.text)
                                                              : JsonValue(JsonValue::value_t::discarded);
  if (value.is_discarded()) {
    return fail(callback, Error(ErrorKind::invalid_input, "a row's data must be JSON", "data"));
  }
  core_->put(std::move(table), std::move(row_id), std::move(value), done_to_js(std::move(callback)));
}

void ReplicaAdapter::remove(std::string table, std::string row_id, val callback) {
  if (!core_) return fail(callback, closed());
  core_->remove(std::move(table), std::move(row_id), done_to_js(std::move(callback)));
}

val ReplicaAdapter::get(std::string table, std::string row_id) const {
  val out = val::object();
  try {
    if (!core_) throw closed();
    auto data = core_->get(table, row_id);
    const Wiped text{data ? std::move(*data) : std::string()};
    out.set("data", data ? val(text.text) : val::null());
  } catch (const Error& error) {
    out.set("error", error_to_js(error));
  }
  return out;
}

val ReplicaAdapter::list(std::string table) const {
  val out = val::object();
  try {
    if (!core_) throw closed();
    const Wiped text{replica_rows_to_json(core_->list(table))};
    out.set("rows", text.text);
  } catch (const Error& error) {
    out.set("error", error_to_js(error));
  }
  return out;
}

unsigned ReplicaAdapter::subscribe(std::string table, val callback) {
  if (!core_) return 0;
  return static_cast<unsigned>(core_->subscribe(std::move(table), [callback](const ReplicaEvent& event) {
    const Wiped text{replica_event_to_json(event)};
    callback(text.text);
  }));
}

void ReplicaAdapter::unsubscribe(unsigned id) {
  if (core_) core_->unsubscribe(id);
}

void ReplicaAdapter::sync(val callback) {
  if (!core_) return fail(callback, closed());
  core_->sync([callback](Result<SyncReport> result) {
    if (!result.ok()) return fail(callback, result.error());
    callback(val::null(), sync_report_to_js(result.value()));
  });
}

void ReplicaAdapter::start() {
  if (core_) core_->start();
}

void ReplicaAdapter::stop() {
  if (core_) core_->stop();
}

val ReplicaAdapter::status() const {
  if (!core_) return replica_status_to_js(ReplicaStatus{});
  return replica_status_to_js(core_->status());
}

void ReplicaAdapter::close() {
  if (core_) core_->close();
  core_.reset();
  store_.reset();
}

void ReplicaAdapter::settleCommit(unsigned id, std::string error) {
  if (store_) store_->settle(id, error);
}

}  // namespace synckit::web
