// The secret types' storage hook: every block comes from the installed SecretAllocator, goes back
// to the allocator that made it, and is wiped before it does.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <vector>

#include "synckit/secret.hpp"

namespace {

struct Returned {
  std::vector<std::uint8_t> bytes;  // the block's contents when it came back
};
std::vector<Returned> returned;
int made = 0;

void* keep_allocate(std::size_t size) {
  ++made;
  return std::malloc(size);
}
void keep_deallocate(void* block, std::size_t size) noexcept {
  const auto* bytes = static_cast<const std::uint8_t*>(block);
  returned.push_back({std::vector<std::uint8_t>(bytes, bytes + size)});
  std::free(block);
}
constexpr synckit::SecretAllocator kKeeping{keep_allocate, keep_deallocate};

bool all_zero(const std::vector<std::uint8_t>& bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; });
}

}  // namespace

TEST_CASE("secret storage comes from the installed allocator and goes back to it wiped", "[secret]") {
  returned.clear();
  made = 0;
  const synckit::SecretAllocator* previous = synckit::set_secret_allocator(&kKeeping);
  synckit::Secret<32> unused;  // never written: no storage
  {
    synckit::Secret<32> key;
    std::fill(key.data(), key.data() + 32, std::uint8_t{0xAB});
    synckit::Secret<32> moved = std::move(key);  // hands the block over: no copy, nothing freed
    CHECK(std::all_of(key.view().begin(), key.view().end(), [](auto b) { return b == 0; }));  // NOLINT
    CHECK(moved.data()[0] == 0xAB);
    synckit::SecretBuffer buffer(100);
    std::fill(buffer.data(), buffer.data() + 100, std::uint8_t{0x5C});
    synckit::SecretBuffer other = std::move(buffer);
    CHECK(returned.empty());
  }
  CHECK(made == 2);
  REQUIRE(returned.size() == 2);
  for (const Returned& block : returned) CHECK(all_zero(block.bytes));
  CHECK(std::all_of(unused.view().begin(), unused.view().end(), [](auto b) { return b == 0; }));

  // A block outlives the allocator switch: it still goes back to the allocator that made it.
  auto survivor = std::make_unique<synckit::Secret<16>>();
  survivor->data()[0] = 1;
  CHECK(synckit::set_secret_allocator(previous) == &kKeeping);
  survivor.reset();
  CHECK(returned.size() == 3);
  CHECK(all_zero(returned.back().bytes));
  CHECK(&synckit::current_secret_allocator() != &kKeeping);
}
