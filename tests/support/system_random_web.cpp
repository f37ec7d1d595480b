#include "system_random.hpp"

#include "synckit/web/web_random.hpp"

namespace synckit::test {

RandomSource& system_random() {
  static web::WebRandom random;
  return random;
}

}  // namespace synckit::test
