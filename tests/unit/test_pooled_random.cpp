// PooledRandom: draws 4 KiB blocks, hands every byte out once and in order, sends big requests
// straight through, and never hands out bytes of a draw that failed.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <vector>

#include "synckit/pooled_random.hpp"

using namespace synckit;

namespace {

// Counts its draws and fills them with a running counter (so order and reuse are visible).
class CountingRandom final : public PooledRandom {
 public:
  int draws = 0;
  bool fail_next = false;

 protected:
  void draw(std::span<std::uint8_t> out) override {
    if (fail_next) {
      fail_next = false;
      throw std::runtime_error("generator failed");
    }
    ++draws;
    for (std::uint8_t& byte : out) byte = static_cast<std::uint8_t>(counter_++);
  }

 private:
  unsigned counter_ = 0;
};

}  // namespace

TEST_CASE("small requests are served from one draw of 4 KiB, each byte once and in order", "[random]") {
  CountingRandom random;
  std::vector<std::uint8_t> all;
  for (int i = 0; i < 170; ++i) {  // 170 nonces of 24 bytes = 4080 bytes: one block
    std::uint8_t nonce[24];
    random.fill(nonce);
    all.insert(all.end(), nonce, nonce + 24);
  }
  CHECK(random.draws == 1);
  for (std::size_t i = 0; i < all.size(); ++i) REQUIRE(all[i] == static_cast<std::uint8_t>(i));
  std::uint8_t nonce[24];
  random.fill(nonce);  // 16 bytes left in the block, then a new block
  CHECK(random.draws == 2);
  for (std::size_t i = 0; i < 24; ++i) CHECK(nonce[i] == static_cast<std::uint8_t>(4080 + i));
}

TEST_CASE("requests of a block or more go straight to the generator", "[random]") {
  CountingRandom random;
  std::vector<std::uint8_t> big(PooledRandom::kPoolBytes);
  random.fill(big);
  CHECK(random.draws == 1);
  std::uint8_t small[8];
  random.fill(small);  // the pool is drawn only now
  CHECK(random.draws == 2);
}

TEST_CASE("a failed draw throws and leaves no bytes behind to hand out", "[random]") {
  CountingRandom random;
  random.fail_next = true;
  std::uint8_t out[16] = {};
  CHECK_THROWS_AS(random.fill(out), std::runtime_error);
  random.fill(out);  // draws again
  CHECK(random.draws == 1);
  for (std::size_t i = 0; i < sizeof out; ++i) CHECK(out[i] == static_cast<std::uint8_t>(i));
}
