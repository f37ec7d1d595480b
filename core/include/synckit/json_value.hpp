// The core's one JSON type.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace synckit {

// Every JSON value in the core: row data, whose key order is the app's and is kept, and the wire
// messages. One type on purpose: each nlohmann::basic_json specialisation brings its own lexer,
// parser and serializer, and the WebAssembly module paid for two (docs/performance.md).
// The wire's to_json functions insert their keys in alphabetical order, so their text is the same
// as nlohmann::json (sorted keys) would write.
using JsonValue = nlohmann::ordered_json;

// Parses JSON text (the whole of it); a discarded value (is_discarded()) when it is not valid JSON.
// The one way the core parses into a JsonValue, for the same reason: JsonValue::parse(...) with
// another input type (byte iterators, a std::string) or with its callback argument instantiates
// another copy of nlohmann's lexer and parser, and an inline parse in a -Oz object could be the
// copy the linker keeps (see dump_json). Like nlohmann's lexer, it ends the input at a NUL
// byte; callers that take text from outside refuse NUL bytes first.
JsonValue parse_json_value(std::string_view text);

// value.dump(): compact JSON text; throws JsonValue::exception (type_error 316) for invalid UTF-8.
// Out of line for the same reason as parse_json_value, and so that the one copy of the serializer
// is the one compiled for speed (cmake/SynckitWasmSize.cmake: an inline dump() in a -Oz object
// could be the copy the linker keeps for the whole module).
std::string dump_json(const JsonValue& value);

}  // namespace synckit
