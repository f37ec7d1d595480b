#include "synckit/change_entry.hpp"

#include "synckit/error.hpp"
#include "synckit/timestamp.hpp"

namespace synckit {
namespace {

[[noreturn]] void fail(ErrorKind kind, std::string_view field, std::string_view problem) {
  throw Error(kind, "change field '" + std::string(field) + "' " + std::string(problem), std::string(field));
}

void check_text(ErrorKind kind, std::string_view field, const std::string& value, std::size_t max_bytes) {
  if (value.empty() || value.size() > max_bytes) {
    fail(kind, field, "must be 1.." + std::to_string(max_bytes) + " bytes of UTF-8");
  }
}

void check_data(ErrorKind kind, ChangeOp op, const JsonValue& data) {
  if ((op == ChangeOp::remove) != data.is_null()) fail(kind, "data", "must be null exactly when op is delete");
}

// dump() that reports invalid UTF-8 as a typed error instead of nlohmann's exception.
template <class Json>
std::string dump_field(const Json& value, std::string_view field) {
  try {
    return value.dump();
  } catch (const nlohmann::json::exception&) {
    fail(ErrorKind::invalid_input, field, "is not valid UTF-8");
  }
}

const JsonValue& member(ErrorKind kind, const JsonValue& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end()) fail(kind, key, "is missing");
  return *it;
}

std::string text_member(ErrorKind kind, const JsonValue& object, const char* key, std::size_t max_bytes) {
  const JsonValue& value = member(kind, object, key);
  if (!value.is_string()) fail(kind, key, "must be a string");
  std::string text = value.get<std::string>();
  check_text(kind, key, text, max_bytes);
  return text;
}

}  // namespace

std::string_view change_op_name(ChangeOp op) noexcept {
  switch (op) {
    case ChangeOp::insert: return "insert";
    case ChangeOp::update: return "update";
    case ChangeOp::remove: return "delete";
  }
  return "insert";
}

std::optional<ChangeOp> parse_change_op(std::string_view name) noexcept {
  if (name == "insert") return ChangeOp::insert;
  if (name == "update") return ChangeOp::update;
  if (name == "delete") return ChangeOp::remove;
  return std::nullopt;
}

void validate_change_entry(const ChangeEntry& entry) {
  const auto kind = ErrorKind::invalid_input;
  check_text(kind, "table", entry.table, kMaxTableBytes);
  check_text(kind, "row_id", entry.row_id, kMaxRowIdBytes);
  check_data(kind, entry.op, entry.data);
}

std::string change_entry_to_json(const ChangeEntry& entry) {
  validate_change_entry(entry);
  std::string out;
  out += "{\"table\":" + dump_field(nlohmann::json(entry.table), "table");
  out += ",\"op\":\"" + std::string(change_op_name(entry.op)) + "\"";
  out += ",\"row_id\":" + dump_field(nlohmann::json(entry.row_id), "row_id");
  out += ",\"timestamp\":\"" + format_timestamp(entry.timestamp) + "\"";
  out += ",\"data\":" + dump_field(entry.data, "data");
  out += "}";
  return out;
}

ChangeEntry change_entry_from_json(std::string_view text, ErrorKind kind) {
  const JsonValue object = JsonValue::parse(text.begin(), text.end(), nullptr, false);
  if (object.is_discarded() || !object.is_object()) {
    throw Error(kind, "change plaintext is not a JSON object");
  }
  ChangeEntry entry;
  entry.table = text_member(kind, object, "table", kMaxTableBytes);
  const JsonValue& op = member(kind, object, "op");
  const auto parsed_op = op.is_string() ? parse_change_op(op.get<std::string>()) : std::nullopt;
  if (!parsed_op) fail(kind, "op", "must be \"insert\", \"update\" or \"delete\"");
  entry.op = *parsed_op;
  entry.row_id = text_member(kind, object, "row_id", kMaxRowIdBytes);
  const JsonValue& timestamp = member(kind, object, "timestamp");
  const auto parsed_time = timestamp.is_string() ? parse_timestamp(timestamp.get<std::string>()) : std::nullopt;
  if (!parsed_time) fail(kind, "timestamp", "must be RFC 3339 UTC with milliseconds");
  entry.timestamp = *parsed_time;
  entry.data = member(kind, object, "data");
  check_data(kind, entry.op, entry.data);
  return entry;
}

}  // namespace synckit
