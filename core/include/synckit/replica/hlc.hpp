// The replica's hybrid logical clock (replica.md, "Clock"): stamps
// "WWWWWWWWWWWWWWW-CCCC-NNNNNNNNNNNNNNNN" (wall ms as 15 decimal digits, counter as 4 hex, node id
// as 16 hex, lowercase) that compare as byte strings in the order of writes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "synckit/clock.hpp"

namespace synckit {

inline constexpr std::size_t kHlcTextBytes = 37;
inline constexpr std::uint64_t kMaxHlcWall = 999'999'999'999'999;  // 15 decimal digits

struct HlcStamp {
  std::uint64_t wall_ms = 0;  // 0..kMaxHlcWall
  std::uint16_t counter = 0;
  std::uint64_t node = 0;

  friend auto operator<=>(const HlcStamp&, const HlcStamp&) = default;  // the text's order
};

// The stamp's text (37 bytes). Throws Error{invalid_input} for a wall past kMaxHlcWall.
std::string format_hlc(const HlcStamp& stamp);
// Reads a stamp's text exactly as format_hlc writes it (upper-case hex refused), or nullopt.
std::optional<HlcStamp> parse_hlc(std::string_view text) noexcept;
// The stamp replica.md gives a change without "hlc": its timestamp in ms, counter 0, node 0.
HlcStamp legacy_hlc(SystemTime timestamp) noexcept;

// One replica's clock: the last stamp it issued or saw. Not thread-safe.
class HybridClock {
 public:
  explicit HybridClock(std::uint64_t node, std::uint64_t wall_ms = 0, std::uint16_t counter = 0) noexcept
      : node_(node), wall_(wall_ms), counter_(counter) {}

  // The stamp of a local write at `now` (ms since the epoch), greater than every stamp issued or
  // observed before. Throws Error{invalid_input} when the clock would pass kMaxHlcWall.
  HlcStamp tick(std::uint64_t now_ms);
  // Takes a remote stamp into account, so that every later tick sorts after it. Throws as tick.
  void observe(const HlcStamp& remote, std::uint64_t now_ms);

  std::uint64_t node() const noexcept { return node_; }
  std::uint64_t wall_ms() const noexcept { return wall_; }
  std::uint16_t counter() const noexcept { return counter_; }

 private:
  void advance(std::uint64_t wall, std::uint32_t counter);

  std::uint64_t node_;
  std::uint64_t wall_;
  std::uint16_t counter_;
};

}  // namespace synckit
