// Native random source: libsodium's randombytes_buf (the OS CSPRNG).
#pragma once

#include "synckit/random.hpp"

namespace synckit::native {

// RandomSource over randombytes_buf. Throws Error{crypto} if libsodium cannot initialise.
class SodiumRandom final : public RandomSource {
 public:
  SodiumRandom();
  void fill(std::span<std::uint8_t> out) override;
};

}  // namespace synckit::native
