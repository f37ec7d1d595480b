// Conversions between the core's types and the values the JavaScript layer (js/src) sees. Private to
// platform/web: client_adapter.cpp uses them, bindings.cpp never does.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <emscripten/val.h>

#include "synckit/client/client.hpp"
#include "synckit/error.hpp"

namespace synckit::web {

// {kind, message, status, field}: kind is the core table's name, message the Error's what().
emscripten::val error_to_js(const Error& error);
emscripten::val account_to_js(const Account& account);
// {id, name, platform, createdAt} with createdAt an RFC 3339 string (js/ makes a Date of it).
emscripten::val device_to_js(const Device& device);
emscripten::val devices_to_js(const std::vector<Device>& devices);
emscripten::val status_to_js(const SyncStatus& status);
// {userId, appId, accessToken, refreshToken}, or null.
emscripten::val session_to_js(const std::optional<SessionTokens>& tokens);
// Throws Error{invalid_input} naming the missing or mistyped field.
SessionTokens session_from_js(const emscripten::val& tokens);

// The JSON text js/ makes of push()'s changes: [{table, op, rowId, timestamp, data}] with timestamp
// an RFC 3339 UTC string with milliseconds. One parse for the whole batch. Throws
// Error{invalid_input} naming the field ("changes[3].rowId").
std::vector<ChangeEntry> changes_from_json(std::string_view text);
// {cursor, hasMore, changes: [{seq, changeId, deviceId, table, op, rowId, timestamp, data} or
// {seq, changeId, deviceId, error: {kind, message}}]} as JSON text, for one JSON.parse in js/.
std::string pull_result_to_json(const PullResult& result);

// ClientConfig from {serverUrl, apiKey, pullLimit?, retry?: {maxRetries, baseDelayMs, maxDelayMs}};
// `host` may have log(line) and sessionChanged(tokens | null). Throws Error{invalid_input}.
ClientConfig client_config_from_js(const emscripten::val& options, emscripten::val host);

}  // namespace synckit::web
