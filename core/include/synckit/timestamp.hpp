// RFC 3339 UTC timestamps with milliseconds ("2026-11-25T16:30:59.123Z"), as the format and the
// protocol write them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "synckit/clock.hpp"

namespace synckit {

// Formats a time as "YYYY-MM-DDTHH:MM:SS.mmmZ". Throws Error{invalid_input} outside years 0000..9999.
std::string format_timestamp(SystemTime time);

// Parses exactly "YYYY-MM-DDTHH:MM:SS.mmmZ" (a real calendar date, hour 0..23, second 0..59);
// returns nullopt for anything else.
std::optional<SystemTime> parse_timestamp(std::string_view text) noexcept;

}  // namespace synckit
