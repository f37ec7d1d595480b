#include <catch2/catch.hpp>

#include "synckit/error.hpp"
#include "synckit/replica/hlc.hpp"

using namespace synckit;

TEST_CASE("hlc stamps: text as replica.md writes it", "[replica][hlc]") {
  const HlcStamp stamp{1764772345123, 0, 0x9f30ba274f874d50};
  CHECK(format_hlc(stamp) == "001764772345123-0000-9f30ba274f874d50");
  CHECK(format_hlc(HlcStamp{0, 0xffff, ~std::uint64_t{0}}) == "000000000000000-ffff-ffffffffffffffff");
  CHECK(format_hlc(HlcStamp{kMaxHlcWall, 1, 2}) == "999999999999999-0001-0000000000000002");
  CHECK_THROWS_AS(format_hlc(HlcStamp{kMaxHlcWall + 1, 0, 0}), Error);
  CHECK(parse_hlc("001764772345123-0000-9f30ba274f874d50") == stamp);
  CHECK(parse_hlc("001764772345123-00a0-9f30ba274f874d50")->counter == 0xa0);
}

TEST_CASE("hlc stamps: anything else is refused", "[replica][hlc]") {
  for (const char* bad : {"", "001764772345123-0000-9f30ba274f874d5", "001764772345123-0000-9f30ba274f874d500",
                          "001764772345123-0000-9F30BA274F874D50", "001764772345123-000A-9f30ba274f874d50",
                          "00176477234512a-0000-9f30ba274f874d50", "001764772345123_0000-9f30ba274f874d50",
                          "001764772345123-0000_9f30ba274f874d50", "+01764772345123-0000-9f30ba274f874d50",
                          "001764772345123-0000-9f30ba274f874d5g", " 01764772345123-0000-9f30ba274f874d50"}) {
    INFO(bad);
    CHECK_FALSE(parse_hlc(bad));
  }
}

TEST_CASE("hlc stamps compare as text in the order of their fields", "[replica][hlc]") {
  const HlcStamp stamps[] = {{5, 0, 9}, {5, 1, 0}, {5, 1, 1}, {6, 0, 0}, {60, 0, 0}, {kMaxHlcWall, 0xffff, 0}};
  for (std::size_t i = 0; i + 1 < std::size(stamps); ++i) {
    CHECK(stamps[i] < stamps[i + 1]);
    CHECK(format_hlc(stamps[i]) < format_hlc(stamps[i + 1]));
  }
}

TEST_CASE("legacy_hlc: a plain v1 change's stamp is its timestamp", "[replica][hlc]") {
  const SystemTime t{std::chrono::milliseconds{1764772345123}};
  CHECK(format_hlc(legacy_hlc(t)) == "001764772345123-0000-0000000000000000");
  CHECK(legacy_hlc(SystemTime{std::chrono::milliseconds{-5}}).wall_ms == 0);
}

TEST_CASE("HybridClock: local writes", "[replica][hlc]") {
  HybridClock clock(7);
  CHECK(clock.tick(1000) == HlcStamp{1000, 0, 7});
  CHECK(clock.tick(1000) == HlcStamp{1000, 1, 7});  // same millisecond: the counter
  CHECK(clock.tick(999) == HlcStamp{1000, 2, 7});   // the wall clock went back: never the stamp
  CHECK(clock.tick(1005) == HlcStamp{1005, 0, 7});
}

TEST_CASE("HybridClock: a write after seeing a remote stamp sorts after it", "[replica][hlc]") {
  HybridClock clock(1);
  clock.tick(1000);
  // A device hours ahead.
  const HlcStamp ahead{1000 + 3 * 3600 * 1000, 4, 2};
  clock.observe(ahead, 1001);
  const HlcStamp next = clock.tick(1002);
  CHECK(next > ahead);
  CHECK(next == HlcStamp{ahead.wall_ms, 6, 1});  // observe takes 5, the write 6

  // Equal walls: the greater counter plus one.
  HybridClock a(1, 50, 9);
  a.observe(HlcStamp{50, 3, 2}, 10);
  CHECK(a.counter() == 10);
  HybridClock b(1, 50, 2);
  b.observe(HlcStamp{50, 8, 2}, 10);
  CHECK(b.counter() == 9);
  // The local wall is ahead of both.
  HybridClock c(1, 60, 2);
  c.observe(HlcStamp{50, 8, 2}, 10);
  CHECK((c.wall_ms() == 60 && c.counter() == 3));
  // The present is ahead of both: counter 0.
  HybridClock d(1, 60, 2);
  d.observe(HlcStamp{50, 8, 2}, 70);
  CHECK((d.wall_ms() == 70 && d.counter() == 0));
}

TEST_CASE("HybridClock: counter overflow moves the wall by 1 ms, never reusing a stamp", "[replica][hlc]") {
  HybridClock clock(3, 500, 0xfffe);
  CHECK(clock.tick(100) == HlcStamp{500, 0xffff, 3});
  CHECK(clock.tick(100) == HlcStamp{501, 0, 3});
  HybridClock seen(3, 500, 0);
  seen.observe(HlcStamp{500, 0xffff, 4}, 0);
  CHECK((seen.wall_ms() == 501 && seen.counter() == 0));
  HybridClock end(3, kMaxHlcWall, 0xffff);
  CHECK_THROWS_AS(end.tick(0), Error);
}
