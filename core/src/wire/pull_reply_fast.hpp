// A pull reply read without a DOM when it is written the way a server writes it (private to the
// core; parse_pull_reply_text tries it first).
#pragma once

#include <optional>
#include <string_view>

#include "synckit/wire/sync_messages.hpp"

namespace synckit::wire::detail {

// The reply, if `text` is compact JSON (no whitespace) whose object and change objects hold
// exactly their keys ({"changes","cursor","has_more"}; {"change_id","device_id","payload","seq"})
// in any order, once each, with strings free of escapes and integers in plain form, and every
// rule parse_pull_reply checks holds. Else nullopt, and the caller reads the text with
// parse_pull_reply, whose answer (reply or error) counts.
std::optional<PullReply> read_pull_reply_fast(std::string_view text);

}  // namespace synckit::wire::detail
