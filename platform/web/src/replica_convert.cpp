// The replica's values as the JavaScript layer sees them (js_convert.hpp).
#include "js_convert.hpp"

namespace synckit::web {
namespace {

using emscripten::val;

void append_row(std::string& out, std::string_view row_id, const std::string* data) {
  out += "{\"rowId\":";
  append_json_text(out, row_id);
  out += ",\"data\":";
  out += data != nullptr ? std::string_view(*data) : std::string_view("null");
  out += '}';
}

}  // namespace

std::string replica_rows_to_json(const std::vector<ReplicaRow>& rows) {
  std::string out = "[";
  for (const ReplicaRow& row : rows) {
    if (out.size() > 1) out += ',';
    append_row(out, row.row_id, &row.data);
  }
  out += ']';
  return out;
}

std::string replica_event_to_json(const ReplicaEvent& event) {
  std::string out = "{\"rows\":[";
  bool first = true;
  for (const ReplicaRowChange& row : event.rows) {
    if (!first) out += ',';
    first = false;
    append_row(out, row.row_id, row.data ? &*row.data : nullptr);
  }
  out += event.origin == ChangeOrigin::local ? "],\"origin\":\"local\"}" : "],\"origin\":\"remote\"}";
  return out;
}

val sync_report_to_js(const SyncReport& report) {
  val out = val::object();
  out.set("pushed", static_cast<double>(report.pushed));
  out.set("pulled", static_cast<double>(report.pulled));
  val rejected = val::array();
  for (const RejectedChange& change : report.rejected) {
    val entry = val::object();
    entry.set("seq", static_cast<double>(change.seq));
    entry.set("changeId", change.change_id);
    entry.set("error", error_to_js(change.error));
    rejected.call<void>("push", entry);
  }
  out.set("rejected", rejected);
  return out;
}

val replica_status_to_js(const ReplicaStatus& status) {
  val out = val::object();
  out.set("pending", static_cast<double>(status.pending));
  out.set("lastSyncAt", status.last_sync_at
                            ? val(static_cast<double>(status.last_sync_at->time_since_epoch().count()))
                            : val::null());
  out.set("online", status.online);
  out.set("lastError", status.last_error ? error_to_js(*status.last_error) : val::null());
  out.set("running", status.running);
  return out;
}

}  // namespace synckit::web
