// A RandomSource that draws from the platform's generator in 4 KiB blocks and hands the bytes out,
// for generators with a high cost per call (a getrandom syscall natively, a JavaScript call in wasm);
// a change's 24-byte nonce then costs a copy, not a call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <span>

#include "synckit/random.hpp"
#include "synckit/secret.hpp"

namespace synckit {

// Platform random sources derive from this and implement draw(). Bytes are wiped from the pool as
// they are handed out, and the rest when the object is destroyed (the pool is SecretAllocator
// storage). Requests of a block or more go straight to draw(). Thread-safe.
class PooledRandom : public RandomSource {
 public:
  static constexpr std::size_t kPoolBytes = 4096;

  ~PooledRandom() override = default;
  PooledRandom(const PooledRandom&) = delete;
  PooledRandom& operator=(const PooledRandom&) = delete;

  // Throws what draw() throws; the pool is then left empty, never holding predictable bytes.
  void fill(std::span<std::uint8_t> out) final;

 protected:
  PooledRandom();
  // Fills `out` entirely from the generator, or throws (Error{crypto}).
  virtual void draw(std::span<std::uint8_t> out) = 0;

 private:
  void refill();

  std::mutex mutex_;
  SecretBuffer pool_;
  std::size_t next_;  // pool_[next_..] is unused; pool_[..next_] was handed out and wiped
};

}  // namespace synckit
