// Where the core gets random bytes. The platform supplies the implementation: native uses
// libsodium's randombytes_buf, web batches crypto.getRandomValues. Tests may supply fixed bytes.
#pragma once

#include <cstdint>
#include <span>

namespace synckit {

// A cryptographically secure source of random bytes.
class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // Fills `out` entirely with random bytes. Implementations must not fail silently: they
  // throw (or abort) rather than return predictable bytes.
  virtual void fill(std::span<std::uint8_t> out) = 0;
};

}  // namespace synckit
