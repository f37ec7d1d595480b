#include "synckit/web/web_clock.hpp"

#include <emscripten/html5.h>

namespace synckit::web {

SystemTime WebClock::now() const {
  return SystemTime(std::chrono::milliseconds(static_cast<long long>(emscripten_date_now())));
}

}  // namespace synckit::web
