// Types that hold secrets (keys, decrypted plaintext) and wipe themselves with sodium_memzero.
// They cannot be copied by accident: copies are explicit (clone()).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <type_traits>
#include <vector>

namespace synckit {

// Overwrites n bytes at p with zeros in a way the compiler cannot drop (sodium_memzero).
void secure_wipe(void* p, std::size_t n) noexcept;

// Constant-time equality of two equally long byte ranges (sodium_memcmp); false if lengths differ.
bool constant_time_equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept;

// Where Secret and SecretBuffer keep their bytes: on the heap, through this allocator (default:
// std::malloc/std::free). It exists so a test can watch secret storage: an allocator that keeps
// the blocks it is given back shows whether every one was wiped (see tests/hostile/test_secrets.cpp).
// deallocate always receives a block already wiped with secure_wipe. Every block is returned to
// the allocator that made it, whatever is installed by then, so installing one is safe at any
// time; the allocator must outlive the blocks it made. Not for production use.
struct SecretAllocator {
  void* (*allocate)(std::size_t size);                   // throws std::bad_alloc on failure
  void (*deallocate)(void* block, std::size_t size) noexcept;
};
// Installs `allocator` for the storage made from now on (nullptr: the default) and returns the
// previous one. Thread-safe.
const SecretAllocator* set_secret_allocator(const SecretAllocator* allocator) noexcept;
// The allocator installed now (never null).
const SecretAllocator& current_secret_allocator() noexcept;

namespace detail {
// A std::allocator for SecretBuffer's vector: SecretAllocator storage, wiped before it is freed.
template <class T>
struct SecretStdAllocator {
  using value_type = T;
  using propagate_on_container_move_assignment = std::true_type;
  using propagate_on_container_swap = std::true_type;
  using is_always_equal = std::false_type;

  SecretStdAllocator() noexcept : source(&current_secret_allocator()) {}
  template <class U>
  SecretStdAllocator(const SecretStdAllocator<U>& other) noexcept : source(other.source) {}  // NOLINT

  T* allocate(std::size_t n) { return static_cast<T*>(source->allocate(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) noexcept {
    secure_wipe(p, n * sizeof(T));
    source->deallocate(p, n * sizeof(T));
  }
  friend bool operator==(const SecretStdAllocator& a, const SecretStdAllocator& b) noexcept {
    return a.source == b.source;
  }

  const SecretAllocator* source;
};
}  // namespace detail

// A fixed-size secret (N bytes) that wipes itself on destruction and when moved from.
// Tag makes keys of different roles distinct types (a blob key is not a change key).
// The bytes live in SecretAllocator storage, made on the first write (a secret never written
// reads as zeros); moving hands the storage over, so the moved-from secret reads as zeros.
template <std::size_t N, class Tag = void>
class Secret {
 public:
  static_assert(N > 0);
  static constexpr std::size_t size_bytes = N;

  Secret() noexcept = default;
  ~Secret() { release(); }
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;
  Secret(Secret&& other) noexcept : bytes_(other.bytes_), source_(other.source_) { other.bytes_ = nullptr; }
  Secret& operator=(Secret&& other) noexcept {
    if (this != &other) {
      release();
      bytes_ = other.bytes_;
      source_ = other.source_;
      other.bytes_ = nullptr;
    }
    return *this;
  }

  // An explicit copy, for the rare place that must keep two.
  Secret clone() const {
    Secret copy;
    if (bytes_) std::memcpy(copy.data(), bytes_, N);
    return copy;
  }

  // Writable access makes the storage if there is none yet (throws std::bad_alloc).
  std::uint8_t* data() {
    if (!bytes_) {
      source_ = &current_secret_allocator();
      bytes_ = static_cast<std::uint8_t*>(source_->allocate(N));
      std::memset(bytes_, 0, N);
    }
    return bytes_;
  }
  const std::uint8_t* data() const noexcept { return bytes_ ? bytes_ : zeros(); }
  static constexpr std::size_t size() noexcept { return N; }
  std::span<const std::uint8_t, N> view() const noexcept { return std::span<const std::uint8_t, N>(data(), N); }
  std::span<std::uint8_t, N> writable() { return std::span<std::uint8_t, N>(data(), N); }

  // Zeros the bytes now (the destructor does it too).
  void wipe() noexcept {
    if (bytes_) secure_wipe(bytes_, N);
  }

 private:
  static const std::uint8_t* zeros() noexcept {
    static const std::uint8_t none[N] = {};
    return none;
  }
  void release() noexcept {
    if (!bytes_) return;
    secure_wipe(bytes_, N);
    source_->deallocate(bytes_, N);
    bytes_ = nullptr;
  }

  std::uint8_t* bytes_ = nullptr;
  const SecretAllocator* source_ = nullptr;
};

// A variable-length secret buffer (decrypted plaintext, passwords read from files). Its size is
// fixed at construction so no reallocation leaves an unwiped copy behind. Its storage comes from
// the SecretAllocator and is wiped before it is freed.
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
  std::vector<std::uint8_t, detail::SecretStdAllocator<std::uint8_t>> bytes_;
};

}  // namespace synckit
