#include "synckit/net/http_date.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

#include "ascii_digits.hpp"

namespace synckit::net {
namespace {

using namespace std::chrono;

constexpr std::array<std::string_view, 7> kWeekdays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
// Retry-After delta-seconds saturate here (as RFC 9111 does for delta-seconds).
constexpr std::int64_t kMaxDeltaSeconds = std::int64_t{1} << 31;

constexpr auto digits = detail::ascii_digits;

// Index of `name` in `names`, or -1.
template <std::size_t N>
int index_of(const std::array<std::string_view, N>& names, std::string_view name) noexcept {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<int>(i);
  }
  return -1;
}

std::string_view trim(std::string_view text) noexcept {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// delta-seconds: 1*DIGIT, saturating; nullopt for anything else.
std::optional<seconds> parse_delta_seconds(std::string_view text) noexcept {
  if (text.empty()) return std::nullopt;
  std::int64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = std::min<std::int64_t>(value * 10 + (c - '0'), kMaxDeltaSeconds);
  }
  return seconds{value};
}

}  // namespace

std::optional<SystemTime> parse_http_date(std::string_view text) noexcept {
  // 01234567890123456789012345678
  // Sun, 06 Nov 1994 08:49:37 GMT
  if (text.size() != 29 || text.substr(3, 2) != ", " || text[7] != ' ' || text[11] != ' ' ||
      text[16] != ' ' || text[19] != ':' || text[22] != ':' || text.substr(25) != " GMT") {
    return std::nullopt;
  }
  const int wday = index_of(kWeekdays, text.substr(0, 3));
  const int mon = index_of(kMonths, text.substr(8, 3));
  const int d = digits(text, 5, 2), y = digits(text, 12, 4);
  const int h = digits(text, 17, 2), mi = digits(text, 20, 2), s = digits(text, 23, 2);
  if (wday < 0 || mon < 0 || d < 0 || y < 0 || h < 0 || mi < 0 || s < 0) return std::nullopt;
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mon + 1)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) return std::nullopt;
  const sys_days date{ymd};
  if (weekday{date}.c_encoding() != static_cast<unsigned>(wday)) return std::nullopt;
  return time_point_cast<milliseconds>(date) + hours{h} + minutes{mi} + seconds{s};
}

std::optional<seconds> parse_retry_after(std::string_view value, SystemTime now) noexcept {
  value = trim(value);
  if (const auto delta = parse_delta_seconds(value)) return delta;
  const auto date = parse_http_date(value);
  if (!date) return std::nullopt;
  if (*date <= now) return seconds{0};
  return ceil<seconds>(*date - now);
}

}  // namespace synckit::net
