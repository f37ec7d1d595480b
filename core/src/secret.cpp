#include "synckit/secret.hpp"

#include <sodium.h>

#include <atomic>
#include <cstdlib>
#include <new>

namespace synckit {
namespace {

void* default_allocate(std::size_t size) {
  void* block = std::malloc(size == 0 ? 1 : size);
  if (block == nullptr) throw std::bad_alloc();
  return block;
}

void default_deallocate(void* block, std::size_t) noexcept { std::free(block); }

constexpr SecretAllocator kDefaultAllocator{default_allocate, default_deallocate};
std::atomic<const SecretAllocator*> installed{&kDefaultAllocator};

}  // namespace

const SecretAllocator* set_secret_allocator(const SecretAllocator* allocator) noexcept {
  return installed.exchange(allocator ? allocator : &kDefaultAllocator);
}

const SecretAllocator& current_secret_allocator() noexcept { return *installed.load(); }

void secure_wipe(void* p, std::size_t n) noexcept {
  if (p != nullptr && n != 0) sodium_memzero(p, n);
}

bool constant_time_equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

void SecretBuffer::truncate(std::size_t size) noexcept {
  if (size >= bytes_.size()) return;
  secure_wipe(bytes_.data() + size, bytes_.size() - size);
  bytes_.resize(size);
}

}  // namespace synckit
