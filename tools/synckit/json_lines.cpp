#include "json_lines.hpp"

#include "synckit/error.hpp"
#include "synckit/timestamp.hpp"

namespace synckit::cli {

ChangeEntry parse_change_line(std::string_view line, SystemTime now) {
  JsonValue json = JsonValue::parse(line, nullptr, false);
  if (json.is_discarded()) throw Error(ErrorKind::invalid_input, "not JSON");
  if (!json.is_object()) throw Error(ErrorKind::invalid_input, "not a JSON object");
  if (!json.contains("timestamp")) json["timestamp"] = format_timestamp(now);
  if (!json.contains("data") && json.value("op", JsonValue()) == "delete") json["data"] = nullptr;
  return change_entry_from_json(json.dump(), ErrorKind::invalid_input);
}

std::vector<ChangeEntry> parse_change_lines(std::string_view text, SystemTime now) {
  std::vector<ChangeEntry> changes;
  std::size_t number = 0;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    try {
      changes.push_back(parse_change_line(line, now));
    } catch (const Error& e) {
      throw Error(e.kind(), "line " + std::to_string(number) + ": " + e.detail(), e.field());
    }
  }
  return changes;
}

std::string pulled_entry_line(const PulledEntry& pulled) {
  JsonValue line{{"seq", pulled.seq}, {"change_id", pulled.change_id}, {"device_id", pulled.device_id}};
  if (pulled.entry) {
    const ChangeEntry& entry = *pulled.entry;
    line["table"] = entry.table;
    line["op"] = std::string(change_op_name(entry.op));
    line["row_id"] = entry.row_id;
    line["timestamp"] = format_timestamp(entry.timestamp);
    line["data"] = entry.data;
    if (!entry.hlc.empty()) line["hlc"] = entry.hlc;  // written by a replica (replica.md)
  } else {
    const Error& error = pulled.error ? *pulled.error : Error(ErrorKind::invalid_data, "no entry");
    line["error"] =
        JsonValue{{"kind", std::string(error_kind_name(error.kind()))}, {"message", error.what()}};
  }
  return line.dump();
}

}  // namespace synckit::cli
