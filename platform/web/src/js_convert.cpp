#include "js_convert.hpp"

#include <cmath>
#include <utility>

#include "synckit/change_entry.hpp"
#include "synckit/timestamp.hpp"

namespace synckit::web {
namespace {

using emscripten::val;

[[noreturn]] void bad(const std::string& field, std::string_view problem) {
  throw Error(ErrorKind::invalid_input, field + " " + std::string(problem), field);
}

std::string js_string(const val& object, const char* key, const char* field_prefix = "") {
  const val value = object[key];
  if (!value.isString()) bad(std::string(field_prefix) + key, "must be a string");
  return value.as<std::string>();
}

// A whole number in [min, max] from an optional JS property, or `fallback` when it is undefined.
long long js_integer(const val& object, const char* key, long long min, long long max, long long fallback) {
  const val value = object[key];
  if (value.isUndefined()) return fallback;
  if (!value.isNumber()) bad(key, "must be a number");
  const double number = value.as<double>();
  if (!std::isfinite(number) || std::floor(number) != number || number < static_cast<double>(min) ||
      number > static_cast<double>(max)) {
    bad(key, "is out of range");
  }
  return static_cast<long long>(number);
}

const JsonValue& member(const JsonValue& object, const char* key, const std::string& prefix) {
  const auto found = object.find(key);
  if (found == object.end()) bad(prefix + key, "is missing");
  return *found;
}

std::string string_member(const JsonValue& object, const char* key, const std::string& prefix) {
  const JsonValue& value = member(object, key, prefix);
  if (!value.is_string()) bad(prefix + key, "must be a string");
  return value.get<std::string>();
}

}  // namespace

val error_to_js(const Error& error) {
  val object = val::object();
  object.set("kind", std::string(error_kind_name(error.kind())));
  object.set("message", std::string(error.what()));
  object.set("status", error.status());
  object.set("field", error.field());
  return object;
}

val account_to_js(const Account& account) {
  val object = val::object();
  object.set("userId", account.user_id);
  object.set("appId", account.app_id);
  return object;
}

val device_to_js(const Device& device) {
  val object = val::object();
  object.set("id", device.id);
  object.set("name", device.name);
  object.set("platform", device.platform);
  object.set("createdAt", format_timestamp(device.created_at));
  return object;
}

val devices_to_js(const std::vector<Device>& devices) {
  val array = val::array();
  for (const Device& device : devices) array.call<void>("push", device_to_js(device));
  return array;
}

val status_to_js(const SyncStatus& status) {
  val object = val::object();
  object.set("userId", status.user_id);
  object.set("appId", status.app_id);
  object.set("devices", static_cast<double>(status.devices));
  object.set("latestCursor", static_cast<double>(status.latest_cursor));
  object.set("changes", static_cast<double>(status.changes));
  object.set("blobs", static_cast<double>(status.blobs));
  object.set("blobBytes", static_cast<double>(status.blob_bytes));
  return object;
}

val session_to_js(const std::optional<SessionTokens>& tokens) {
  if (!tokens) return val::null();
  val object = val::object();
  object.set("userId", tokens->user_id);
  object.set("appId", tokens->app_id);
  object.set("accessToken", tokens->access_token);
  object.set("refreshToken", tokens->refresh_token);
  return object;
}

SessionTokens session_from_js(const val& tokens) {
  if (tokens.isNull() || tokens.isUndefined() || tokens.typeOf().as<std::string>() != "object") {
    bad("session", "must be an object");
  }
  return SessionTokens{js_string(tokens, "userId", "session."), js_string(tokens, "appId", "session."),
                       js_string(tokens, "accessToken", "session."), js_string(tokens, "refreshToken", "session.")};
}

std::vector<ChangeEntry> changes_from_json(std::string_view text) {
  JsonValue parsed = parse_json_value(text);
  if (parsed.is_discarded() || !parsed.is_array()) bad("changes", "must be an array of change objects");
  std::vector<ChangeEntry> entries;
  entries.reserve(parsed.size());
  for (std::size_t i = 0; i < parsed.size(); ++i) {
    JsonValue& item = parsed[i];
    const std::string prefix = "changes[" + std::to_string(i) + "].";
    if (!item.is_object()) bad("changes[" + std::to_string(i) + "]", "must be an object");
    ChangeEntry entry;
    entry.table = string_member(item, "table", prefix);
    const auto op = parse_change_op(string_member(item, "op", prefix));
    if (!op) bad(prefix + "op", "must be 'insert', 'update' or 'delete'");
    entry.op = *op;
    entry.row_id = string_member(item, "rowId", prefix);
    const auto timestamp = parse_timestamp(string_member(item, "timestamp", prefix));
    if (!timestamp) bad(prefix + "timestamp", "must be a valid date");
    entry.timestamp = *timestamp;
    const auto data = item.find("data");
    if (data != item.end()) entry.data = std::move(*data);  // absent: null (deletes)
    try {
      validate_change_entry(entry);  // here, so the error names the change's index
    } catch (const Error& error) {
      const std::string& field = error.field();
      throw Error(error.kind(), error.detail(), prefix + (field == "row_id" ? std::string("rowId") : field));
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

std::string pull_result_to_json(const PullResult& result) {
  JsonValue changes = JsonValue::array();
  for (const PulledEntry& pulled : result.changes) {
    JsonValue item = JsonValue::object();
    item["seq"] = pulled.seq;
    item["changeId"] = pulled.change_id;
    item["deviceId"] = pulled.device_id;
    if (pulled.entry) {
      item["table"] = pulled.entry->table;
      item["op"] = change_op_name(pulled.entry->op);
      item["rowId"] = pulled.entry->row_id;
      item["timestamp"] = format_timestamp(pulled.entry->timestamp);
      item["data"] = pulled.entry->data;
    } else {
      const Error& error = pulled.error ? *pulled.error : Error(ErrorKind::invalid_data, "not opened");
      item["error"] = {{"kind", error_kind_name(error.kind())}, {"message", error.what()}};
    }
    changes.push_back(std::move(item));
  }
  JsonValue out = JsonValue::object();
  out["cursor"] = result.cursor;
  out["hasMore"] = result.has_more;
  out["changes"] = std::move(changes);
  return dump_json(out);
}

ClientConfig client_config_from_js(const val& options, val host) {
  if (options.isNull() || options.isUndefined() || options.typeOf().as<std::string>() != "object") {
    bad("options", "must be an object");
  }
  ClientConfig config;
  config.server_url = js_string(options, "serverUrl");
  config.api_key = js_string(options, "apiKey");
  config.pull_limit = static_cast<int>(js_integer(options, "pullLimit", 1, 1000, config.pull_limit));
  const val retry = options["retry"];
  if (!retry.isUndefined()) {
    if (retry.isNull() || retry.typeOf().as<std::string>() != "object") bad("retry", "must be an object");
    config.retry.max_retries = static_cast<int>(js_integer(retry, "maxRetries", 0, 10, config.retry.max_retries));
    config.retry.base_delay = std::chrono::milliseconds(
        js_integer(retry, "baseDelayMs", 0, 600'000, config.retry.base_delay.count()));
    config.retry.max_delay = std::chrono::milliseconds(
        js_integer(retry, "maxDelayMs", 0, 600'000, config.retry.max_delay.count()));
  }
  if (host["log"].typeOf().as<std::string>() == "function") {
    config.log = [host](std::string_view line) { host.call<void>("log", std::string(line)); };
  }
  if (host["sessionChanged"].typeOf().as<std::string>() == "function") {
    config.on_session_change = [host](const std::optional<SessionTokens>& tokens) {
      host.call<void>("sessionChanged", session_to_js(tokens));
    };
  }
  return config;
}

}  // namespace synckit::web
