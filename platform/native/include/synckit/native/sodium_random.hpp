// Native random source: libsodium's randombytes_buf (the OS CSPRNG), drawn in 4 KiB blocks.
#pragma once

#include "synckit/pooled_random.hpp"

namespace synckit::native {

// RandomSource over randombytes_buf (one getrandom call per 4 KiB instead of per request; see
// PooledRandom). Throws Error{crypto} if libsodium cannot initialise. Thread-safe.
class SodiumRandom final : public PooledRandom {
 public:
  SodiumRandom();

 protected:
  void draw(std::span<std::uint8_t> out) override;
};

}  // namespace synckit::native
