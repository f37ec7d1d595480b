#include "synckit/net/retry_policy.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

#include "synckit/net/http_date.hpp"

namespace synckit::net {

using std::chrono::milliseconds;

bool is_transient(const AttemptOutcome& outcome) noexcept {
  return outcome.network_failure || outcome.status == 429 || (outcome.status >= 500 && outcome.status <= 599);
}

milliseconds backoff_ceiling(const RetryPolicy& policy, int retry) noexcept {
  const milliseconds cap = std::max(policy.max_delay, milliseconds{0});
  milliseconds delay = std::clamp(policy.base_delay, milliseconds{0}, cap);
  for (int i = 0; i < retry && delay < cap; ++i) delay = delay > cap / 2 ? cap : delay * 2;
  return delay;
}

RetrySchedule::RetrySchedule(RetryPolicy policy, const Clock& clock, RandomSource& random)
    : policy_(policy), clock_(clock), random_(random) {}

std::optional<milliseconds> RetrySchedule::next_delay(const AttemptOutcome& outcome) {
  if (!is_transient(outcome) || retries_ >= policy_.max_retries) return std::nullopt;
  milliseconds delay = jittered(backoff_ceiling(policy_, retries_));
  ++retries_;
  if (outcome.retry_after) {
    if (const auto wait = parse_retry_after(*outcome.retry_after, clock_.now())) {
      const milliseconds cap = std::max(policy_.max_retry_after, milliseconds{0});
      delay = std::max(delay, std::min<milliseconds>(*wait, cap));  // *wait <= 2^31 s: no overflow
    }
  }
  return delay;
}

milliseconds RetrySchedule::jittered(milliseconds ceiling) {
  std::array<std::uint8_t, 4> bytes{};
  random_.fill(bytes);
  const std::uint32_t r = std::uint32_t{bytes[0]} | std::uint32_t{bytes[1]} << 8 |
                          std::uint32_t{bytes[2]} << 16 | std::uint32_t{bytes[3]} << 24;
  const auto low = ceiling.count() / 2;
  const auto range = static_cast<std::uint64_t>(ceiling.count() - low) + 1;
  return milliseconds{low + static_cast<milliseconds::rep>(r % range)};
}

}  // namespace synckit::net
