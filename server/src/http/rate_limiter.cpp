#include "http/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace synckit::server {
namespace {
constexpr std::size_t kMaxBuckets = 100000;
}  // namespace

RateLimiter::RateLimiter(double capacity, std::chrono::duration<double> period)
    : capacity_(capacity), per_second_(period.count() > 0 ? capacity / period.count() : 0) {}

std::optional<int> RateLimiter::take(const std::string& key, Clock::time_point now) {
  if (capacity_ <= 0) return std::nullopt;
  const std::lock_guard lock(mutex_);
  if (buckets_.size() >= kMaxBuckets) forget_idle(now);
  auto [it, fresh] = buckets_.try_emplace(key, Bucket{capacity_, now});
  Bucket& bucket = it->second;
  if (!fresh) {
    const double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
    bucket.tokens = std::min(capacity_, bucket.tokens + elapsed * per_second_);
    bucket.updated = now;
  }
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return std::nullopt;
  }
  const double seconds = (1 - bucket.tokens) / per_second_;
  return std::max(1, static_cast<int>(std::ceil(seconds)));
}

// Drops buckets that have refilled completely: they hold no state worth keeping.
void RateLimiter::forget_idle(Clock::time_point now) {
  const double full_after = capacity_ / per_second_;
  std::erase_if(buckets_, [&](const auto& item) {
    return std::chrono::duration<double>(now - item.second.updated).count() >= full_after;
  });
}

}  // namespace synckit::server
