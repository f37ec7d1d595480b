#include "synckit/json_value.hpp"

namespace synckit {

JsonValue parse_json_value(std::string_view text) {
  // What JsonValue::parse(first, last, nullptr, false) does, minus its callback branch (a second
  // SAX parser instantiation that no caller needs). nlohmann's parser is used directly rather than
  // through JsonValue::sax_parse, whose binary-format branch would instantiate its binary reader
  // wherever the call is not inlined.
  using Adapter = nlohmann::detail::iterator_input_adapter<const char*>;
  JsonValue value;
  nlohmann::detail::json_sax_dom_parser<JsonValue> dom(value, /*allow_exceptions_=*/false);
  nlohmann::detail::parser<JsonValue, Adapter> parser(Adapter(text.data(), text.data() + text.size()), nullptr,
                                                      /*allow_exceptions_=*/false);
  if (!parser.sax_parse(&dom, /*strict=*/true)) value = JsonValue::value_t::discarded;
  return value;
}

std::string dump_json(const JsonValue& value) { return value.dump(); }

}  // namespace synckit
