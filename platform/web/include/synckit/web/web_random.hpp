// Web random source: the Web Crypto API's crypto.getRandomValues, fetched in batches.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "synckit/random.hpp"

namespace synckit::web {

// RandomSource over crypto.getRandomValues (browsers, workers, Node). libsodium 1.0.18 under
// Emscripten makes one JavaScript call per byte in randombytes_buf, so this class asks JavaScript
// for a 4 KiB pool at a time and hands it out; bytes are wiped as soon as they are handed out and
// the rest when the object is destroyed. Requests of a pool or more go straight to JavaScript.
// There is no fallback generator: without Web Crypto the constructor (or fill) throws Error{crypto}.
// Not thread-safe (the web platform has no threads); use one instance per thread if that changes.
class WebRandom final : public RandomSource {
 public:
  WebRandom();
  ~WebRandom() override;
  WebRandom(const WebRandom&) = delete;
  WebRandom& operator=(const WebRandom&) = delete;

  void fill(std::span<std::uint8_t> out) override;

  static constexpr std::size_t pool_size = 4096;

 private:
  void refill();

  std::array<std::uint8_t, pool_size> pool_{};
  std::size_t next_ = pool_size;  // pool_[next_..] is unused; pool_[..next_] is handed out and wiped
};

}  // namespace synckit::web
