// The web platform's wall clock: JavaScript's Date.now().
#pragma once

#include "synckit/clock.hpp"

namespace synckit::web {

class WebClock final : public Clock {
 public:
  SystemTime now() const override;
};

}  // namespace synckit::web
