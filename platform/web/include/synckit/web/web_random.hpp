// Web random source: the Web Crypto API's crypto.getRandomValues, fetched in batches.
#pragma once

#include "synckit/pooled_random.hpp"

namespace synckit::web {

// RandomSource over crypto.getRandomValues (browsers, workers, Node). libsodium 1.0.18 under
// Emscripten makes one JavaScript call per byte in randombytes_buf, so this class asks JavaScript
// for a 4 KiB block at a time (PooledRandom). There is no fallback generator: without Web Crypto
// the constructor (or fill) throws Error{crypto}.
class WebRandom final : public PooledRandom {
 public:
  // Draws the first block, so a missing Web Crypto API shows here.
  WebRandom();

 protected:
  void draw(std::span<std::uint8_t> out) override;
};

}  // namespace synckit::web
