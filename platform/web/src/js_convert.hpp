// Conversions between the core's types and the values the JavaScript layer (js/src) sees. Private to
// platform/web: client_adapter.cpp uses them, bindings.cpp never does.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <emscripten/val.h>

#include "synckit/client/client.hpp"
#include "synckit/replica/replica.hpp"
#include "synckit/error.hpp"

namespace synckit::web {

// {kind, message, status, field}: kind is the core table's name, message the Error's what().
emscripten::val error_to_js(const Error& error);
emscripten::val account_to_js(const Account& account);
// {id, name, platform, createdAt} with createdAt an RFC 3339 string (js/ makes a Date of it).
emscripten::val device_to_js(const Device& device);
emscripten::val devices_to_js(const std::vector<Device>& devices);
emscripten::val status_to_js(const SyncStatus& status);
// [{id, createdAt, lastUsedAt, current}], times as RFC 3339 strings (js/ makes Dates of them).
emscripten::val sessions_to_js(const std::vector<SessionInfo>& sessions);
// {userId, appId, accessToken, refreshToken, email?} (email when known), or null.
emscripten::val session_to_js(const std::optional<SessionTokens>& tokens);
// Throws Error{invalid_input} naming the missing or mistyped field.
SessionTokens session_from_js(const emscripten::val& tokens);

// The UTF-8 bytes of a Uint8Array, copied into the heap in one call (embind's string conversion
// would walk them in JavaScript). Throws Error{invalid_input} naming `field` for anything else.
std::string text_from_js_bytes(const emscripten::val& bytes, const char* field);
// The JSON text js/src/change-text.ts makes of push()'s changes: [{table, op, row_id, timestamp,
// data}], read by change_plaintexts_from_json_array (each change kept byte for byte when in the
// format's form). Throws Error{invalid_input} naming the field as the app knows it
// ("changes[3].rowId").
std::vector<ChangePlaintext> changes_from_json(std::string_view text);
// {cursor, hasMore, changes: [{seq, changeId, deviceId, change: <the plaintext as it is>} or
// {seq, changeId, deviceId, error: {kind, message}}]} as JSON text, for one JSON.parse in
// js/src/change-text.ts (which names the fields as the app knows them). Each opened plaintext is
// copied in as it is (ChangePlaintext is checked JSON), not parsed and written again.
std::string pull_result_to_json(const PlaintextPullResult& result);

// Appends `text` as a JSON string.
void append_json_text(std::string& out, std::string_view text);

// The replica's values (replica_convert.cpp). Rows and events as JSON text for one JSON.parse:
// [{rowId, data}] and {rows: [{rowId, data | null}], origin: "local" | "remote"}, each row's data
// copied in as the JSON text it is.
std::string replica_rows_to_json(const std::vector<ReplicaRow>& rows);
std::string replica_event_to_json(const ReplicaEvent& event);
// {pushed, pulled, rejected: [{seq, changeId, error}]}.
emscripten::val sync_report_to_js(const SyncReport& report);
// {pending, lastSyncAt: ms | null, online, lastError: error | null, running}.
emscripten::val replica_status_to_js(const ReplicaStatus& status);

// ClientConfig from {serverUrl, apiKey, pullLimit?, retry?: {maxRetries, baseDelayMs, maxDelayMs}};
// `host` may have log(line) and sessionChanged(tokens | null). Throws Error{invalid_input}.
ClientConfig client_config_from_js(const emscripten::val& options, emscripten::val host);

}  // namespace synckit::web
