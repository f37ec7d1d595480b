#include "system_random.hpp"

#include "synckit/native/sodium_random.hpp"

namespace synckit::test {

RandomSource& system_random() {
  static native::SodiumRandom random;
  return random;
}

}  // namespace synckit::test
