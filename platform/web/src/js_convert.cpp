#include "js_convert.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>

#include "synckit/change_entry.hpp"
#include "synckit/change_plaintext.hpp"
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

}  // namespace

// Appends `text` as a JSON string (ids and messages: short, usually plain ASCII).
void append_json_text(std::string& out, std::string_view text) {
  const bool plain = std::all_of(text.begin(), text.end(), [](char c) {
    return c >= 0x20 && c < 0x7F && c != '"' && c != '\\';
  });
  if (plain) {
    out += '"';
    out += text;
    out += '"';
  } else {
    out += dump_json(JsonValue(std::string(text)));
  }
}

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

val sessions_to_js(const std::vector<SessionInfo>& sessions) {
  val array = val::array();
  for (const SessionInfo& session : sessions) {
    val object = val::object();
    object.set("id", session.id);
    object.set("createdAt", format_timestamp(session.created_at));
    object.set("lastUsedAt", format_timestamp(session.last_used_at));
    object.set("current", session.current);
    array.call<void>("push", object);
  }
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
  if (!tokens->email.empty()) object.set("email", tokens->email);
  return object;
}

SessionTokens session_from_js(const val& tokens) {
  if (tokens.isNull() || tokens.isUndefined() || tokens.typeOf().as<std::string>() != "object") {
    bad("session", "must be an object");
  }
  const bool has_email = !tokens["email"].isUndefined() && !tokens["email"].isNull();
  return SessionTokens{js_string(tokens, "userId", "session."), js_string(tokens, "appId", "session."),
                       js_string(tokens, "accessToken", "session."), js_string(tokens, "refreshToken", "session."),
                       has_email ? js_string(tokens, "email", "session.") : std::string()};
}

std::string text_from_js_bytes(const val& bytes, const char* field) {
  if (!bytes.instanceof(val::global("Uint8Array"))) bad(field, "must arrive as a Uint8Array");
  std::string text(bytes["length"].as<std::size_t>(), '\0');
  val(emscripten::typed_memory_view(text.size(), reinterpret_cast<std::uint8_t*>(text.data()))).call<void>("set", bytes);
  return text;
}

std::vector<ChangePlaintext> changes_from_json(std::string_view text) {
  try {
    return change_plaintexts_from_json_array(text);
  } catch (const Error& error) {
    constexpr std::string_view kRowId = ".row_id";
    const std::string& field = error.field();
    if (!field.ends_with(kRowId)) throw;
    throw Error(error.kind(), error.detail(), field.substr(0, field.size() - kRowId.size()) + ".rowId");
  }
}

std::string pull_result_to_json(const PlaintextPullResult& result) {
  std::size_t size = 64;
  for (const PulledPlaintext& pulled : result.changes) {
    // Escaped, an id or message is at most 6 bytes a byte (\u00XX): the text never outgrows this,
    // so no reallocation leaves a copy of a plaintext behind unwiped.
    const std::size_t ids = 6 * (pulled.change_id.size() + pulled.device_id.size());
    const std::size_t body = pulled.plaintext ? pulled.plaintext->text().size()
                                              : 64 + 6 * (pulled.error ? std::strlen(pulled.error->what()) : 16);
    size += 96 + ids + body;
  }
  std::string out;
  out.reserve(size);  // one allocation: the text holds plaintexts, and is wiped by the caller
  out += "{\"cursor\":";
  out += std::to_string(result.cursor);
  out += ",\"hasMore\":";
  out += result.has_more ? "true" : "false";
  out += ",\"changes\":[";
  for (const PulledPlaintext& pulled : result.changes) {
    if (&pulled != result.changes.data()) out += ',';
    out += "{\"seq\":";
    out += std::to_string(pulled.seq);
    out += ",\"changeId\":";
    append_json_text(out, pulled.change_id);
    out += ",\"deviceId\":";
    append_json_text(out, pulled.device_id);
    if (pulled.plaintext) {
      out += ",\"change\":";
      out += pulled.plaintext->text();
    } else {
      const Error& error = pulled.error ? *pulled.error : Error(ErrorKind::invalid_data, "not opened");
      out += ",\"error\":{\"kind\":";
      append_json_text(out, error_kind_name(error.kind()));
      out += ",\"message\":";
      append_json_text(out, error.what());
      out += '}';
    }
    out += '}';
  }
  out += "]}";
  return out;
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
