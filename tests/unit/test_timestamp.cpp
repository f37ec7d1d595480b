#include <catch2/catch.hpp>

#include "synckit/error.hpp"
#include "synckit/timestamp.hpp"

using namespace std::chrono;

TEST_CASE("timestamps format and parse as RFC 3339 UTC with milliseconds", "[timestamp]") {
  const auto parsed = synckit::parse_timestamp("2026-11-25T16:30:59.123Z");
  REQUIRE(parsed);
  CHECK(parsed->time_since_epoch().count() == 1795624259123);
  CHECK(synckit::format_timestamp(*parsed) == "2026-11-25T16:30:59.123Z");
  CHECK(synckit::format_timestamp(synckit::SystemTime{}) == "1970-01-01T00:00:00.000Z");
  CHECK(synckit::parse_timestamp("2024-02-29T23:59:59.999Z"));
  CHECK(synckit::parse_timestamp("0000-01-01T00:00:00.000Z"));
  CHECK(synckit::format_timestamp(*synckit::parse_timestamp("1969-12-31T23:59:59.999Z")) ==
        "1969-12-31T23:59:59.999Z");
}

TEST_CASE("timestamps that are not exactly the format are refused", "[timestamp]") {
  const char* bad[] = {"2026-11-25T16:30:59Z",      "2026-11-25T16:30:59.123",   "2026-11-25T16:30:59.123z",
                       "2026-11-25 16:30:59.123Z",  "2026-11-25T16:30:59.123+00:00", "2023-02-29T00:00:00.000Z",
                       "2026-13-01T00:00:00.000Z",  "2026-04-31T00:00:00.000Z",  "2026-11-25T24:00:00.000Z",
                       "2026-11-25T23:60:00.000Z",  "2026-11-25T23:59:60.000Z",  "2026-11-25T16:30:59.1234Z",
                       "+026-11-25T16:30:59.123Z",  "2026-11-2xT16:30:59.123Z",  ""};
  for (const char* text : bad) {
    INFO(text);
    CHECK_FALSE(synckit::parse_timestamp(text));
  }
}

TEST_CASE("timestamps outside years 0000..9999 cannot be formatted", "[timestamp]") {
  const auto far = synckit::SystemTime{} + duration_cast<milliseconds>(hours{24 * 366 * 9000});
  CHECK_THROWS_AS(synckit::format_timestamp(far), synckit::Error);
}
