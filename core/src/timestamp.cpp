#include "synckit/timestamp.hpp"

#include <array>
#include <cstdio>

#include "ascii_digits.hpp"
#include "synckit/error.hpp"

namespace synckit {
namespace {

using namespace std::chrono;

constexpr auto digits = detail::ascii_digits;

constexpr SystemTime kFirst = time_point_cast<milliseconds>(sys_days{year{0} / January / 1});
constexpr SystemTime kEnd = time_point_cast<milliseconds>(sys_days{year{10000} / January / 1});

}  // namespace

std::string format_timestamp(SystemTime time) {
  if (time < kFirst || time >= kEnd) {
    throw Error(ErrorKind::invalid_input, "timestamp outside years 0000..9999", "timestamp");
  }
  const auto day = floor<days>(time);
  const year_month_day ymd{day};
  const hh_mm_ss<milliseconds> clock{time - day};
  std::array<char, 64> buffer{};  // ample: the compiler cannot see the fields are in range
  std::snprintf(buffer.data(), buffer.size(), "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), int(clock.hours().count()),
                int(clock.minutes().count()), int(clock.seconds().count()),
                int(clock.subseconds().count()));
  return std::string(buffer.data());
}

std::optional<SystemTime> parse_timestamp(std::string_view text) noexcept {
  // 0123456789012345678901234
  // 2026-11-25T16:30:59.123Z
  if (text.size() != 24 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || text[19] != '.' || text[23] != 'Z') {
    return std::nullopt;
  }
  const int y = digits(text, 0, 4), mo = digits(text, 5, 2), d = digits(text, 8, 2);
  const int h = digits(text, 11, 2), mi = digits(text, 14, 2), s = digits(text, 17, 2);
  const int ms = digits(text, 20, 3);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || s < 0 || ms < 0) return std::nullopt;
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 59) return std::nullopt;
  return time_point_cast<milliseconds>(sys_days{ymd}) + hours{h} + minutes{mi} + seconds{s} +
         milliseconds{ms};
}

}  // namespace synckit
