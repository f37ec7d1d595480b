// Token-bucket rate limiting per client key (an address, or address + API key).
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace synckit::server {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // `capacity` requests per `period`, refilled continuously; capacity 0 disables the limiter.
  RateLimiter(double capacity, std::chrono::duration<double> period);

  // Takes one token for `key`: nullopt when allowed, else the whole seconds (≥ 1) until one is
  // available, for Retry-After. Thread-safe.
  std::optional<int> take(const std::string& key, Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    double tokens;
    Clock::time_point updated;
  };
  void forget_idle(Clock::time_point now);

  double capacity_;
  double per_second_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace synckit::server
