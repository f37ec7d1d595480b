// The JSON lines push reads and pull writes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "synckit/change_entry.hpp"
#include "synckit/client/client.hpp"
#include "synckit/clock.hpp"

namespace synckit::cli {

// One input line {"table","op","row_id","timestamp","data"} (timestamp optional: `now`; data may be
// left out of a delete). Throws Error{invalid_input} naming the field.
ChangeEntry parse_change_line(std::string_view line, SystemTime now);
// Every non-blank line of `text` as a change; errors say which line (1-based) is wrong.
std::vector<ChangeEntry> parse_change_lines(std::string_view text, SystemTime now);

// {"seq","change_id","device_id","table","op","row_id","timestamp","data"} (and "hlc" when a
// replica wrote it) for an entry that opened, {"seq","change_id","device_id","error":{"kind",
// "message"}} for one that did not.
std::string pulled_entry_line(const PulledEntry& pulled);

}  // namespace synckit::cli
