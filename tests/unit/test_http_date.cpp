#include <catch2/catch.hpp>

#include "synckit/net/http_date.hpp"

using namespace synckit;
using namespace synckit::net;
using namespace std::chrono;
using namespace std::chrono_literals;

TEST_CASE("parse_http_date reads IMF-fixdate", "[net][http_date]") {
  CHECK(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == SystemTime{784111777s});
  CHECK(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT") == SystemTime{0s});
  CHECK(parse_http_date("Thu, 29 Feb 2024 12:00:00 GMT") ==
        SystemTime{sys_days{2024y / February / 29} + 12h});
  // A leap second reads as the first second of the next minute.
  CHECK(parse_http_date("Wed, 31 Dec 2008 23:59:60 GMT") == SystemTime{sys_days{2009y / January / 1}});
}

TEST_CASE("parse_http_date is strict", "[net][http_date]") {
  for (const char* bad : {
           "",
           "Mon, 06 Nov 1994 08:49:37 GMT",   // wrong weekday
           "sun, 06 Nov 1994 08:49:37 GMT",   // weekday case
           "Sun, 06 nov 1994 08:49:37 GMT",   // month case
           "Sun, 6 Nov 1994 08:49:37 GMT",    // one-digit day
           "Sun, 06 Nov 1994 08:49:37 UTC",   // zone
           "Sun, 06 Nov 1994 08:49:37",       // no zone
           "Sun, 06 Nov 1994 08:49:37 GMT ",  // trailing space
           " Sun, 06 Nov 1994 08:49:37 GMT",  // leading space
           "Sun 06 Nov 1994 08:49:37 GMT",    // no comma
           "Sun, 06 Nov 1994 08-49-37 GMT",   // separators
           "Sunday, 06-Nov-94 08:49:37 GMT",  // RFC 850
           "Sun Nov  6 08:49:37 1994",        // asctime
           "Fri, 30 Feb 2024 08:49:37 GMT",   // no such date
           "Sun, 00 Nov 1994 08:49:37 GMT",   // day 0
           "Sun, 06 Nov 1994 24:00:00 GMT",   // hour 24
           "Sun, 06 Nov 1994 08:60:00 GMT",   // minute 60
           "Sun, 06 Nov 1994 08:49:61 GMT",   // second 61
           "Sun, 06 Nov 1994 08:4a:37 GMT",   // not a digit
           "Sun, 06 Nov -994 08:49:37 GMT",   // sign
       }) {
    INFO(bad);
    CHECK_FALSE(parse_http_date(bad).has_value());
  }
}

TEST_CASE("parse_retry_after: delta-seconds", "[net][http_date]") {
  const SystemTime now{1795624260s};
  CHECK(parse_retry_after("120", now) == 120s);
  CHECK(parse_retry_after("0", now) == 0s);
  CHECK(parse_retry_after("007", now) == 7s);
  CHECK(parse_retry_after(" 5\t", now) == 5s);
  CHECK(parse_retry_after("99999999999999999999999999", now) == seconds{std::int64_t{1} << 31});
  for (const char* bad : {"", " ", "-1", "+5", "1.5", "5s", "1e3", "0x10", "5 5", "soon"}) {
    INFO(bad);
    CHECK_FALSE(parse_retry_after(bad, now).has_value());
  }
}

TEST_CASE("parse_retry_after: HTTP-date against now", "[net][http_date]") {
  // 1795624260 = Wed, 25 Nov 2026 16:31:00 GMT
  const SystemTime date{1795624260s};
  CHECK(parse_retry_after("Wed, 25 Nov 2026 16:31:00 GMT", date - 10s) == 10s);
  CHECK(parse_retry_after("Wed, 25 Nov 2026 16:31:00 GMT", date - 9500ms) == 10s);  // rounded up
  CHECK(parse_retry_after("Wed, 25 Nov 2026 16:31:00 GMT", date - 1ms) == 1s);
  CHECK(parse_retry_after("Wed, 25 Nov 2026 16:31:00 GMT", date) == 0s);
  CHECK(parse_retry_after("Wed, 25 Nov 2026 16:31:00 GMT", date + 1h) == 0s);
  CHECK_FALSE(parse_retry_after("Thu, 25 Nov 2026 16:31:00 GMT", date).has_value());
}
