#include "synckit/secret.hpp"

#include <sodium.h>

namespace synckit {

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
