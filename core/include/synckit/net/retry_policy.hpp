// When to retry a request and how long to wait first: exponential backoff with jitter, honouring
// Retry-After. Pure logic: it computes delays; the platform's timer does the waiting.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "synckit/clock.hpp"
#include "synckit/random.hpp"

namespace synckit::net {

// Limits of the retry loop of one logical request.
struct RetryPolicy {
  int max_retries = 3;                               // tries after the first (3 -> at most 4 tries)
  std::chrono::milliseconds base_delay{250};         // backoff before the first retry
  std::chrono::milliseconds max_delay{8000};         // backoff never exceeds this
  std::chrono::milliseconds max_retry_after{60000};  // a server's Retry-After is capped here
};

// What one try of a request came to: a network error (no reply), or an HTTP status with the reply's
// Retry-After header value, if it had one.
struct AttemptOutcome {
  bool network_failure = false;
  int status = 0;                          // HTTP status; 0 for a network failure
  std::optional<std::string> retry_after;  // raw Retry-After header value

  static AttemptOutcome network() { return AttemptOutcome{true, 0, std::nullopt}; }
  static AttemptOutcome http(int status, std::optional<std::string> retry_after = std::nullopt) {
    return AttemptOutcome{false, status, std::move(retry_after)};
  }
};

// Whether trying again may succeed: network failures, any 5xx, and 429. Never other statuses
// (2xx/3xx/4xx such as 400, 401, 403, 404, 409, 413).
bool is_transient(const AttemptOutcome& outcome) noexcept;

// The backoff before retry number `retry` (0-based) without jitter: min(base_delay * 2^retry,
// max_delay); never overflows. Negative policy values count as 0.
std::chrono::milliseconds backoff_ceiling(const RetryPolicy& policy, int retry) noexcept;

// The retry state of one logical request: create one per request, before its first try, and ask
// it after every failed try. Keeps references to `clock` and `random`, which must outlive it.
class RetrySchedule {
 public:
  RetrySchedule(RetryPolicy policy, const Clock& clock, RandomSource& random);

  // The wait before the next try, or nullopt to give up: the outcome is not transient, or
  // max_retries retries were already granted. The wait is "equal jitter" of the backoff ceiling d
  // (uniform in [d/2, d], whole milliseconds, from 4 bytes of `random` read as a little-endian
  // uint32 modulo the range size; drawn for every granted retry), raised to the outcome's
  // Retry-After (parse_retry_after against clock.now(), capped at max_retry_after) when that is
  // valid and longer; an invalid Retry-After is ignored. Throws only what `random` throws.
  std::optional<std::chrono::milliseconds> next_delay(const AttemptOutcome& outcome);

  // Retries granted so far (0 before the first failure).
  int retries() const noexcept { return retries_; }

 private:
  std::chrono::milliseconds jittered(std::chrono::milliseconds ceiling);

  RetryPolicy policy_;
  const Clock& clock_;
  RandomSource& random_;
  int retries_ = 0;
};

}  // namespace synckit::net
