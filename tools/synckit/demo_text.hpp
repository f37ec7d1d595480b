// Small text helpers for the demo's layout.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "synckit/bytes.hpp"

namespace synckit::cli {

// `text` cut to `max` characters with "…" in the middle ("bEl4jOeD…Kw=="); unchanged when short.
std::string shorten(std::string_view text, std::size_t max);
// The first `count` bytes as lower-case hex pairs separated by spaces, "…" when there are more.
std::string hex_prefix(ByteView bytes, std::size_t count);
// `text` padded with spaces to `width` characters (UTF-8 aware enough for the demo's text).
std::string pad(std::string_view text, std::size_t width);
// Prints "== title" after a blank line.
void heading(std::string_view title);
// Prints `text` indented under the current heading.
void say(std::string_view text);

}  // namespace synckit::cli
