// replica put|delete|get|list|sync: the profile's local replica (replica.md), one SQLite file per
// device in the profile directory. put, delete, get and list work offline (with the master key in
// the key cache); sync pushes and pulls, and with --follow keeps the sync loop running.
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>

#include "commands.hpp"
#include "file_io.hpp"
#include "session.hpp"
#include "stop_signal.hpp"
#include "synckit/error.hpp"
#include "synckit/json_value.hpp"
#include "synckit/native/replica.hpp"

namespace synckit::cli {
namespace {

constexpr std::chrono::milliseconds kStopCheck{200};

// The profile's replica for its current device (a new device starts a new replica file).
std::unique_ptr<native::Replica> open_replica(Session& session, ReplicaOptions options = {}) {
  const std::string device = session.device_id();
  native::Client& client = session.unlocked();
  const std::string path = (session.dir() / ("replica-" + device + ".db")).string();
  return std::make_unique<native::Replica>(client, path, device, std::move(options));
}

JsonValue parse_data(const std::string& text) {
  JsonValue data = text.find('\0') == std::string::npos ? parse_json_value(text) : JsonValue(JsonValue::value_t::discarded);
  if (data.is_discarded()) throw Error(ErrorKind::invalid_input, "the row's data is not JSON", "data");
  return data;
}

// A line on stderr (the loop's callbacks run on the client's thread: one fputs per line).
void print_error_line(const std::string& line) { std::fputs(("synckit: " + line + "\n").c_str(), stderr); }

// The loop goes on after these (the server or the network is away); other errors end it.
bool is_retried(const Error& error) {
  return error.kind() == ErrorKind::network || error.kind() == ErrorKind::rate_limited ||
         (error.kind() == ErrorKind::server_status && (error.status() == 0 || error.status() >= 500));
}

std::string row_line(const std::string& row_id, const JsonValue& data) {
  JsonValue line = JsonValue::object();
  line["row_id"] = row_id;
  line["data"] = data;
  return dump_json(line);
}

}  // namespace

void replica_put(const Invocation& in) {
  Session session(in.args);
  const JsonValue data = parse_data(in.operands[2]);
  open_replica(session)->put(in.operands[0], in.operands[1], data);
  session.check_saved();
}

void replica_delete(const Invocation& in) {
  Session session(in.args);
  open_replica(session)->remove(in.operands[0], in.operands[1]);
  session.check_saved();
}

void replica_get(const Invocation& in) {
  Session session(in.args);
  const auto data = open_replica(session)->get(in.operands[0], in.operands[1]);
  print_line(data ? dump_json(*data) : "null");  // a row's data is never null: null means no row
  session.check_saved();
}

void replica_list(const Invocation& in) {
  Session session(in.args);
  for (const auto& [row_id, data] : open_replica(session)->list(in.operands[0])) print_line(row_line(row_id, data));
  session.check_saved();
}

void replica_sync(const Invocation& in) {
  Session session(in.args);
  std::mutex mutex;
  std::optional<Error> failure;
  ReplicaOptions options;
  options.on_rejected = [](const RejectedChange& change) {
    print_error_line("rejected change " + change.change_id + " (seq " + std::to_string(change.seq) +
                     "): " + change.error.what());
  };
  options.on_error = [&](const Error& error) {
    print_error_line(std::string("sync: ") + error.what());
    const std::lock_guard lock(mutex);
    if (!is_retried(error)) failure = error;
  };
  auto replica = open_replica(session, options);
  if (!in.args.has("--follow")) {
    const SyncReport report = replica->sync();
    session.check_saved();
    print_line("pushed " + std::to_string(report.pushed) + ", pulled " + std::to_string(report.pulled) +
               (report.rejected.empty() ? "" : ", rejected " + std::to_string(report.rejected.size())));
    return;
  }
  // --follow: the sync loop until SIGINT or SIGTERM; each row a pull changes is printed.
  catch_stop_signals();
  replica->subscribe("", [](const ReplicaEvent& event) {
    if (event.origin != ChangeOrigin::remote) return;
    for (const auto& row : event.rows) {
      JsonValue line = JsonValue::object();
      line["table"] = event.table;
      line["row_id"] = row.row_id;
      line["data"] = row.data ? parse_json_value(*row.data) : JsonValue(nullptr);
      print_line(dump_json(line));
    }
  });
  replica->start();
  while (sleep_unless_stopped(kStopCheck)) {
    const std::lock_guard lock(mutex);
    if (failure) break;
  }
  replica->stop();
  session.check_saved();
  const std::lock_guard lock(mutex);
  if (failure) throw *failure;
}

}  // namespace synckit::cli
