// HTTP dates (RFC 9110 IMF-fixdate) and Retry-After values, evaluated against an injected clock.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "synckit/clock.hpp"

namespace synckit::net {

// Parses exactly an IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT": the weekday must be the date's,
// a real calendar date, hour 0..23, minute 0..59, second 0..60 (60 = leap second, read as the next
// minute). The obsolete RFC 850 and asctime forms are not accepted. Returns nullopt otherwise.
std::optional<SystemTime> parse_http_date(std::string_view text) noexcept;

// A Retry-After value (spaces/tabs around it ignored): delta-seconds (1*DIGIT; values too large
// saturate at 2^31 s) or an IMF-fixdate, turned into max(0, date - now) rounded up to whole seconds.
// Returns nullopt for anything else (the caller then ignores the header).
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value, SystemTime now) noexcept;

}  // namespace synckit::net
