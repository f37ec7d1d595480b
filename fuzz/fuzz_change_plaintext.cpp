// ChangePlaintext::from_json (which keeps text already in the format's own form after its own fast
// checks, and reads anything else the plain way) against the plain way itself
// (change_entry_from_json, then change_entry_to_json), on the input as a whole and on the input as
// the `data` of a change in the format's own form (the fast path's usual case):
// - both refuse, with the same kind and field, or both succeed and their texts read back as equal
//   entries; where from_json kept the text byte for byte, nlohmann accepts it;
// - in an array of two copies of a change that from_json accepts, each element is exactly what
//   from_json makes of it alone (change_plaintexts_from_json_array).
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "synckit/change_plaintext.hpp"

namespace synckit_fuzz {
namespace plaintext_detail {

inline std::optional<synckit::ChangePlaintext> agrees_with_plain_way(const std::string& text) {
  std::optional<synckit::ChangePlaintext> fast;
  std::optional<synckit::Error> fast_error, plain_error;
  std::optional<std::string> plain;
  try {
    fast.emplace(synckit::ChangePlaintext::from_json(text));
  } catch (const synckit::Error& e) {
    fast_error = e;
  }
  try {
    plain = synckit::change_entry_to_json(synckit::change_entry_from_json(text, synckit::ErrorKind::invalid_input));
  } catch (const synckit::Error& e) {
    plain_error = e;
  }
  check(fast.has_value() == plain.has_value(), "from_json agrees with the plain way on success");
  if (fast_error) {
    check(fast_error->kind() == plain_error->kind() && fast_error->field() == plain_error->field(),
          "from_json agrees with the plain way on the failing field");
    return std::nullopt;
  }
  const auto read = [](std::string_view t) { return synckit::change_entry_from_json(t, synckit::ErrorKind::invalid_data); };
  check(must_succeed("from_json's text reads back", [&] { return read(fast->text()); }) == read(*plain),
        "from_json's text reads back as the plain way's entry");
  if (fast->text() == text) {
    check(synckit::JsonValue::accept(text.begin(), text.end()), "text kept as is is JSON nlohmann accepts");
  }
  return fast;
}

inline void array_matches_single(const std::string& text, const synckit::ChangePlaintext& single) {
  const auto changes = must_succeed("an array of accepted changes is accepted",
                                    [&] { return synckit::change_plaintexts_from_json_array("[" + text + "," + text + "]"); });
  check(changes.size() == 2 && changes[0].text() == single.text() && changes[1].text() == single.text(),
        "array elements are read as they are alone");
}

}  // namespace plaintext_detail

inline void change_plaintext(std::string_view input) {
  using namespace plaintext_detail;
  const std::string as_data =
      R"({"table":"t","op":"update","row_id":"r","timestamp":"2026-11-25T16:30:59.123Z","data":)" + std::string(input) + "}";
  for (const std::string& text : {std::string(input), as_data}) {
    if (const auto single = agrees_with_plain_way(text)) array_matches_single(text, *single);
    guarded(text, [](std::string_view t) { synckit::change_plaintexts_from_json_array(t); });
  }
}

}  // namespace synckit_fuzz

SYNCKIT_FUZZ_ENTRY(change_plaintext)
