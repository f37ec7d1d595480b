#include "synckit/native/sodium_random.hpp"

#include <sodium.h>

#include "synckit/error.hpp"

namespace synckit::native {

SodiumRandom::SodiumRandom() {
  if (sodium_init() < 0) throw Error(ErrorKind::crypto, "libsodium failed to initialise");
}

void SodiumRandom::draw(std::span<std::uint8_t> out) { randombytes_buf(out.data(), out.size()); }

}  // namespace synckit::native
