#include <catch2/catch.hpp>

#include "fixed_random.hpp"
#include "synckit/net/retry_policy.hpp"

using namespace synckit;
using namespace synckit::net;
using namespace std::chrono_literals;
using std::chrono::milliseconds;

namespace {

// 1795624260 = Wed, 25 Nov 2026 16:31:00 GMT
const SystemTime kNow{1795624260s};

// `n` jitter draws of r = 0, each 4 bytes (little-endian uint32).
Bytes zero_draws(std::size_t n) { return Bytes(4 * n, 0); }

}  // namespace

TEST_CASE("is_transient", "[net][retry]") {
  CHECK(is_transient(AttemptOutcome::network()));
  for (const int status : {429, 500, 502, 503, 504, 599}) {
    INFO(status);
    CHECK(is_transient(AttemptOutcome::http(status)));
  }
  for (const int status : {200, 201, 204, 302, 304, 400, 401, 403, 404, 408, 409, 413, 499, 600}) {
    INFO(status);
    CHECK_FALSE(is_transient(AttemptOutcome::http(status)));
  }
}

TEST_CASE("backoff_ceiling doubles up to max_delay", "[net][retry]") {
  const RetryPolicy policy;
  CHECK(backoff_ceiling(policy, 0) == 250ms);
  CHECK(backoff_ceiling(policy, 1) == 500ms);
  CHECK(backoff_ceiling(policy, 2) == 1000ms);
  CHECK(backoff_ceiling(policy, 3) == 2000ms);
  CHECK(backoff_ceiling(policy, 4) == 4000ms);
  CHECK(backoff_ceiling(policy, 5) == 8000ms);
  CHECK(backoff_ceiling(policy, 6) == 8000ms);
  CHECK(backoff_ceiling(policy, 1000000) == 8000ms);
  CHECK(backoff_ceiling(RetryPolicy{3, 300ms, 1000ms, 60s}, 2) == 1000ms);
  CHECK(backoff_ceiling(RetryPolicy{3, 9000ms, 8000ms, 60s}, 0) == 8000ms);
  CHECK(backoff_ceiling(RetryPolicy{3, 0ms, 8000ms, 60s}, 5) == 0ms);
  CHECK(backoff_ceiling(RetryPolicy{3, milliseconds::max(), milliseconds::max(), 60s}, 80) ==
        milliseconds::max());
}

TEST_CASE("full schedule: equal jitter from the random source, then give up", "[net][retry]") {
  // Draws: r = 0 -> d/2; r = 250 -> 250 + 250 % 251; r = 0xFFFFFFFF -> 500 + 4294967295 % 501 (= 6).
  test::FixedRandom random({0, 0, 0, 0, 0xFA, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF});
  test::FakeClock clock(kNow);
  RetrySchedule schedule(RetryPolicy{}, clock, random);
  CHECK(schedule.retries() == 0);
  CHECK(schedule.next_delay(AttemptOutcome::network()) == 125ms);  // d = 250: [125, 250]
  CHECK(schedule.next_delay(AttemptOutcome::http(503)) == 500ms);  // d = 500: [250, 500]
  CHECK(schedule.next_delay(AttemptOutcome::http(500)) == 506ms);  // d = 1000: [500, 1000]
  CHECK(schedule.retries() == 3);
  CHECK(random.remaining() == 0);
  // Three retries (four tries) used up: give up without drawing more bytes.
  CHECK_FALSE(schedule.next_delay(AttemptOutcome::network()).has_value());
  CHECK_FALSE(schedule.next_delay(AttemptOutcome::http(503)).has_value());
  CHECK(schedule.retries() == 3);
}

TEST_CASE("jitter stays within [d/2, d]", "[net][retry]") {
  test::FixedRandom random(Bytes(4 * 6, 0xFF));
  test::FakeClock clock(kNow);
  RetrySchedule schedule(RetryPolicy{6, 250ms, 8000ms, 60s}, clock, random);
  for (int retry = 0; retry < 6; ++retry) {
    const milliseconds ceiling = backoff_ceiling(RetryPolicy{}, retry);
    const auto delay = schedule.next_delay(AttemptOutcome::network());
    REQUIRE(delay.has_value());
    CHECK(*delay >= ceiling / 2);
    CHECK(*delay <= ceiling);
  }
}

TEST_CASE("non-transient outcomes are never retried", "[net][retry]") {
  for (const int status : {400, 401, 403, 404, 409, 413, 200}) {
    INFO(status);
    test::FixedRandom random(zero_draws(1));
    test::FakeClock clock(kNow);
    RetrySchedule schedule(RetryPolicy{}, clock, random);
    CHECK_FALSE(schedule.next_delay(AttemptOutcome::http(status, "1")).has_value());
    CHECK(schedule.retries() == 0);
    CHECK(random.remaining() == 4);
  }
}

TEST_CASE("max_retries = 0 never retries", "[net][retry]") {
  test::FixedRandom random(zero_draws(1));
  test::FakeClock clock(kNow);
  RetrySchedule schedule(RetryPolicy{0, 250ms, 8000ms, 60s}, clock, random);
  CHECK_FALSE(schedule.next_delay(AttemptOutcome::network()).has_value());
}

TEST_CASE("429 honours Retry-After delta-seconds", "[net][retry]") {
  test::FixedRandom random(zero_draws(3));
  test::FakeClock clock(kNow);
  RetrySchedule schedule(RetryPolicy{}, clock, random);
  CHECK(schedule.next_delay(AttemptOutcome::http(429, "5")) == 5000ms);  // longer than backoff 125
  CHECK(schedule.next_delay(AttemptOutcome::http(429, "0")) == 250ms);   // backoff is longer
  CHECK(schedule.next_delay(AttemptOutcome::http(503, "2")) == 2000ms);  // 503 too
  CHECK_FALSE(schedule.next_delay(AttemptOutcome::http(429, "1")).has_value());
}

TEST_CASE("429 honours Retry-After HTTP-date against the injected clock", "[net][retry]") {
  test::FixedRandom random(zero_draws(3));
  test::FakeClock clock(kNow - 12s);
  RetrySchedule schedule(RetryPolicy{}, clock, random);
  CHECK(schedule.next_delay(AttemptOutcome::http(429, "Wed, 25 Nov 2026 16:31:00 GMT")) == 12000ms);
  clock.advance(2500ms);  // 9.5 s left, rounded up to whole seconds
  CHECK(schedule.next_delay(AttemptOutcome::http(429, "Wed, 25 Nov 2026 16:31:00 GMT")) == 10000ms);
  clock.set(kNow + 1min);  // date in the past: plain backoff
  CHECK(schedule.next_delay(AttemptOutcome::http(429, "Wed, 25 Nov 2026 16:31:00 GMT")) == 500ms);
}

TEST_CASE("Retry-After is capped at max_retry_after", "[net][retry]") {
  test::FixedRandom random(zero_draws(3));
  test::FakeClock clock(kNow);
  RetrySchedule schedule(RetryPolicy{}, clock, random);
  CHECK(schedule.next_delay(AttemptOutcome::http(429, "3600")) == 60000ms);
  CHECK(schedule.next_delay(AttemptOutcome::http(429, "99999999999999999999")) == 60000ms);
  CHECK(schedule.next_delay(AttemptOutcome::http(429, "Thu, 26 Nov 2026 16:31:00 GMT")) == 60000ms);

  test::FixedRandom random2(zero_draws(1));
  RetrySchedule small(RetryPolicy{3, 250ms, 8000ms, 3s}, clock, random2);
  CHECK(small.next_delay(AttemptOutcome::http(429, "10")) == 3000ms);
}

TEST_CASE("invalid Retry-After values are ignored", "[net][retry]") {
  test::FixedRandom random(zero_draws(3));
  test::FakeClock clock(kNow);
  RetrySchedule schedule(RetryPolicy{}, clock, random);
  CHECK(schedule.next_delay(AttemptOutcome::http(429, "soon")) == 125ms);
  CHECK(schedule.next_delay(AttemptOutcome::http(429, "-5")) == 250ms);
  CHECK(schedule.next_delay(AttemptOutcome::http(503, "Wed, 25 Nov 2026 16:31:00")) == 500ms);
}
