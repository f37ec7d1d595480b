// Native wall clock: std::chrono::system_clock at millisecond resolution.
#pragma once

#include "synckit/clock.hpp"

namespace synckit::native {

class SystemClock final : public Clock {
 public:
  SystemTime now() const override;
};

}  // namespace synckit::native
