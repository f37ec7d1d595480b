#include "synckit/native/system_clock.hpp"

namespace synckit::native {

SystemTime SystemClock::now() const {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

}  // namespace synckit::native
