// A SecretAllocator for tests that never frees: it keeps every block handed back, so a test can
// check afterwards that each was wiped, and which blocks are still alive. Install it with Scope.
#pragma once

#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <new>
#include <span>
#include <vector>

#include "synckit/secret.hpp"

namespace synckit::hostile {

class KeepingAllocator {
 public:
  struct Block {
    std::uint8_t* data;
    std::size_t size;
  };

  // Installs the allocator while it lives (one at a time); frees the kept blocks when it ends.
  KeepingAllocator() {
    instance() = this;
    previous_ = set_secret_allocator(&kAllocator);
  }
  ~KeepingAllocator() {
    set_secret_allocator(previous_);
    std::lock_guard lock(mutex_);
    // Blocks still alive go back to std::free when their secret dies (the default deallocator).
    for (const Block& block : freed_) std::free(block.data);
    instance() = nullptr;
  }
  KeepingAllocator(const KeepingAllocator&) = delete;
  KeepingAllocator& operator=(const KeepingAllocator&) = delete;

  std::vector<Block> live() const {
    std::lock_guard lock(mutex_);
    std::vector<Block> out;
    for (const auto& [data, size] : live_) out.push_back({data, size});
    return out;
  }
  std::vector<Block> freed() const {
    std::lock_guard lock(mutex_);
    return freed_;
  }
  // Whether `needle` occurs in any block (live or freed).
  static bool contains(const std::vector<Block>& blocks, std::span<const std::uint8_t> needle) {
    for (const Block& block : blocks) {
      if (block.size < needle.size()) continue;
      for (std::size_t i = 0; i + needle.size() <= block.size; ++i) {
        if (std::memcmp(block.data + i, needle.data(), needle.size()) == 0) return true;
      }
    }
    return false;
  }

 private:
  static KeepingAllocator*& instance() {
    static KeepingAllocator* current = nullptr;
    return current;
  }
  static void* allocate(std::size_t size) {
    void* block = std::malloc(size == 0 ? 1 : size);
    if (!block) throw std::bad_alloc();
    KeepingAllocator& self = *instance();
    std::lock_guard lock(self.mutex_);
    self.live_[static_cast<std::uint8_t*>(block)] = size;
    return block;
  }
  static void deallocate(void* block, std::size_t size) noexcept {
    KeepingAllocator* self = instance();
    if (!self) return std::free(block);  // outlived the allocator: nothing is watching any more
    std::lock_guard lock(self->mutex_);
    self->live_.erase(static_cast<std::uint8_t*>(block));
    self->freed_.push_back({static_cast<std::uint8_t*>(block), size});
  }
  static constexpr SecretAllocator kAllocator{allocate, deallocate};

  const SecretAllocator* previous_ = nullptr;
  mutable std::mutex mutex_;
  std::map<std::uint8_t*, std::size_t> live_;
  std::vector<Block> freed_;
};

}  // namespace synckit::hostile
