#include <catch2/catch.hpp>

#include <algorithm>

#include "synckit/secret.hpp"

using Key = synckit::Secret<32, struct TestTag>;

namespace {
bool all_zero(std::span<const std::uint8_t> bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; });
}
}  // namespace

TEST_CASE("a secret cannot be copied implicitly and wipes what it leaves", "[secret]") {
  static_assert(!std::is_copy_constructible_v<Key>);
  static_assert(!std::is_copy_assignable_v<Key>);
  static_assert(std::is_nothrow_move_constructible_v<Key>);
  Key a;
  std::fill(a.data(), a.data() + a.size(), std::uint8_t{0xAB});
  Key b = std::move(a);
  CHECK(all_zero(a.view()));  // NOLINT(bugprone-use-after-move): the moved-from key is wiped
  CHECK(b.data()[31] == 0xAB);
  const Key c = b.clone();
  CHECK(synckit::constant_time_equal(b.view(), c.view()));
  b.wipe();
  CHECK(all_zero(b.view()));
  CHECK_FALSE(synckit::constant_time_equal(b.view(), c.view()));
}

TEST_CASE("constant-time comparison compares lengths and bytes", "[secret]") {
  const std::uint8_t x[] = {1, 2, 3}, y[] = {1, 2, 4};
  CHECK(synckit::constant_time_equal(std::span(x), std::span(x)));
  CHECK_FALSE(synckit::constant_time_equal(std::span(x), std::span(y)));
  CHECK_FALSE(synckit::constant_time_equal(std::span(x), std::span(x).first(2)));
}

TEST_CASE("a secret buffer keeps its size and wipes a dropped tail", "[secret]") {
  synckit::SecretBuffer buffer(8);
  std::fill(buffer.data(), buffer.data() + 8, std::uint8_t{7});
  buffer.truncate(3);
  CHECK(buffer.size() == 3);
  CHECK(buffer.data()[2] == 7);
  synckit::SecretBuffer moved = std::move(buffer);
  CHECK(moved.size() == 3);
}
