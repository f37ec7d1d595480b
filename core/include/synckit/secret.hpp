// Types that hold secrets (keys, decrypted plaintext) and wipe themselves with sodium_memzero.
// They cannot be copied by accident: copies are explicit (clone()).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace synckit {

// Overwrites n bytes at p with zeros in a way the compiler cannot drop (sodium_memzero).
void secure_wipe(void* p, std::size_t n) noexcept;

// Constant-time equality of two equally long byte ranges (sodium_memcmp); false if lengths differ.
bool constant_time_equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept;

// A fixed-size secret (N bytes) that wipes itself on destruction and when moved from.
// Tag makes keys of different roles distinct types (a blob key is not a change key).
template <std::size_t N, class Tag = void>
class Secret {
 public:
  static constexpr std::size_t size_bytes = N;

  Secret() noexcept { bytes_.fill(0); }
  ~Secret() { wipe(); }
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;
  Secret(Secret&& other) noexcept : bytes_(other.bytes_) { other.wipe(); }
  Secret& operator=(Secret&& other) noexcept {
    if (this != &other) {
      bytes_ = other.bytes_;
      other.wipe();
    }
    return *this;
  }

  // An explicit copy, for the rare place that must keep two.
  Secret clone() const {
    Secret copy;
    copy.bytes_ = bytes_;
    return copy;
  }

  std::uint8_t* data() noexcept { return bytes_.data(); }
  const std::uint8_t* data() const noexcept { return bytes_.data(); }
  static constexpr std::size_t size() noexcept { return N; }
  std::span<const std::uint8_t, N> view() const noexcept { return std::span<const std::uint8_t, N>(bytes_); }
  std::span<std::uint8_t, N> writable() noexcept { return std::span<std::uint8_t, N>(bytes_); }

  // Zeros the bytes now (the destructor does it too).
  void wipe() noexcept { secure_wipe(bytes_.data(), N); }

 private:
  std::array<std::uint8_t, N> bytes_;
};

// A variable-length secret buffer (decrypted plaintext, passwords read from files). Its size is
// fixed at construction so no reallocation leaves an unwiped copy behind.
class SecretBuffer {
 public:
  SecretBuffer() = default;
  explicit SecretBuffer(std::size_t size) : bytes_(size) {}
  ~SecretBuffer() { wipe(); }
  SecretBuffer(const SecretBuffer&) = delete;
  SecretBuffer& operator=(const SecretBuffer&) = delete;
  SecretBuffer(SecretBuffer&& other) noexcept = default;
  SecretBuffer& operator=(SecretBuffer&& other) noexcept {
    if (this != &other) {
      wipe();
      bytes_ = std::move(other.bytes_);
    }
    return *this;
  }

  std::uint8_t* data() noexcept { return bytes_.data(); }
  const std::uint8_t* data() const noexcept { return bytes_.data(); }
  std::size_t size() const noexcept { return bytes_.size(); }
  bool empty() const noexcept { return bytes_.empty(); }
  std::span<const std::uint8_t> view() const noexcept { return bytes_; }
  // Shrinks the logical size (after a parse that used fewer bytes); wipes the dropped tail.
  void truncate(std::size_t size) noexcept;
  void wipe() noexcept { secure_wipe(bytes_.data(), bytes_.size()); }

 private:
  std::vector<std::uint8_t> bytes_;
};

}  // namespace synckit
