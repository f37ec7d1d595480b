// The wall clock the core reads (token expiry, Retry-After dates). Injected so tests need no sleep.
#pragma once

#include <chrono>

namespace synckit {

using SystemTime = std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;

// Current UTC time, as the platform sees it.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual SystemTime now() const = 0;
};

}  // namespace synckit
