// The platform's real random source for tests that need fresh randomness (not known answers).
// Which platform is linked in is chosen by CMake: system_random_native.cpp (libsodium's
// randombytes_buf) or system_random_web.cpp (batched crypto.getRandomValues).
#pragma once

#include "synckit/random.hpp"

namespace synckit::test {

// One process-wide instance; cryptographically secure.
RandomSource& system_random();

}  // namespace synckit::test
