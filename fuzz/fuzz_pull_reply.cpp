// A pull reply as a whole, as the client handles it (core/src/client/client_sync.cpp): parse the
// text, check the cursor rules, then open every change under the fixed change key, each failure
// kept per change. The seeds hold changes sealed under that key, so mutations reach open_change
// and change_entry_from_json past authentication. parse_pull_reply_text, which tries a fast reader
// of the servers' form first, must give what the DOM reader alone gives: the same reply, or an
// error of the same kind naming the same field.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "synckit/crypto/change.hpp"
#include "synckit/wire/json_reader.hpp"
#include "synckit/wire/sync_messages.hpp"

namespace synckit_fuzz {

inline void pull_reply_matches_dom_reader(std::string_view text) {
  std::optional<synckit::wire::PullReply> actual, expected;
  std::optional<synckit::Error> actual_error, expected_error;
  try {
    actual = synckit::wire::parse_pull_reply_text(text);
  } catch (const synckit::Error& e) {
    actual_error = e;
  }
  try {
    expected = synckit::wire::parse_object_text(
        text, "pull reply", [](const synckit::wire::ObjectReader& r) { return synckit::wire::parse_pull_reply(r); });
  } catch (const synckit::Error& e) {
    expected_error = e;
  }
  check(actual.has_value() == expected.has_value(), "pull reply readers agree on success");
  if (actual) check(*actual == *expected, "pull reply readers agree on the reply");
  if (actual_error) {
    check(actual_error->kind() == expected_error->kind() && actual_error->field() == expected_error->field(),
          "pull reply readers agree on the failing field");
  }
}

inline void pull_reply(std::string_view input) {
  pull_reply_matches_dom_reader(input);
  guarded(input, [](std::string_view text) {
    const synckit::wire::PullReply reply = synckit::wire::parse_pull_reply_text(text);
    check(reply.changes.size() <= synckit::wire::kMaxChangesPerPull, "pull reply change count");
    std::int64_t previous = 0;
    for (const synckit::wire::PulledChange& pulled : reply.changes) {
      check(pulled.seq > previous && pulled.seq <= reply.cursor, "pull reply seq order and cursor");
      previous = pulled.seq;
      std::optional<synckit::ChangeEntry> entry;
      try {
        entry = synckit::open_change(fixed_change_key(), pulled.change.change_id, pulled.change.payload);
      } catch (const synckit::Error& e) {
        check(e.kind() == synckit::ErrorKind::crypto || e.kind() == synckit::ErrorKind::invalid_data,
              "open_change fails only as crypto or invalid_data");
        continue;
      }
      const synckit::ChangeEntry again = must_succeed("opened change round trip", [&] {
        return synckit::change_entry_from_json(synckit::change_entry_to_json(*entry),
                                               synckit::ErrorKind::invalid_data);
      });
      check(again == *entry, "opened change round trip");
    }
  });
}

}  // namespace synckit_fuzz

SYNCKIT_FUZZ_ENTRY(pull_reply)
