// The core's one JSON type.
#pragma once

#include <nlohmann/json.hpp>

namespace synckit {

// Every JSON value in the core: row data, whose key order is the app's and is kept, and the wire
// messages. One type on purpose: each nlohmann::basic_json specialisation brings its own lexer,
// parser and serializer, and the WebAssembly module paid for two (docs/performance.md).
// The wire's to_json functions insert their keys in alphabetical order, so their text is the same
// as nlohmann::json (sorted keys) would write.
using JsonValue = nlohmann::ordered_json;

}  // namespace synckit
