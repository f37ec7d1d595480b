// Test doubles for the core's injected dependencies.
#pragma once

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "synckit/bytes.hpp"
#include "synckit/clock.hpp"
#include "synckit/random.hpp"

namespace synckit::test {

// Hands out the given bytes in order (for known-answer tests); throws when they run out.
class FixedRandom final : public RandomSource {
 public:
  explicit FixedRandom(Bytes bytes) : bytes_(std::move(bytes)) {}
  void fill(std::span<std::uint8_t> out) override {
    if (out.size() > bytes_.size() - used_) throw std::logic_error("FixedRandom ran out of bytes");
    std::copy_n(bytes_.begin() + static_cast<std::ptrdiff_t>(used_), out.size(), out.begin());
    used_ += out.size();
  }
  std::size_t remaining() const { return bytes_.size() - used_; }

 private:
  Bytes bytes_;
  std::size_t used_ = 0;
};

// A clock that says what the test tells it to.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(SystemTime now = SystemTime{}) : now_(now) {}
  SystemTime now() const override { return now_; }
  void set(SystemTime now) { now_ = now; }
  void advance(std::chrono::milliseconds by) { now_ += by; }

 private:
  SystemTime now_;
};

}  // namespace synckit::test
