// Deferred work for the core (backoff waits). The platform runs `task` after `delay` on the same
// thread or queue that delivers transport completions, so the core never needs a lock.
#pragma once

#include <chrono>
#include <functional>

namespace synckit {

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  // Runs `task` once, no sooner than `delay` from now (0 = as soon as possible, never inline).
  virtual void post(std::chrono::milliseconds delay, std::function<void()> task) = 0;
};

}  // namespace synckit
