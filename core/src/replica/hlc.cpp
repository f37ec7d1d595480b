#include "synckit/replica/hlc.hpp"

#include <algorithm>

#include "synckit/error.hpp"

namespace synckit {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void put_hex(std::string& out, std::size_t at, std::uint64_t value, int digits) {
  for (int i = digits - 1; i >= 0; --i, value >>= 4) out[at + static_cast<std::size_t>(i)] = kHex[value & 0xF];
}

// Reads `digits` characters of text[at..] in `base` (10, or 16 lowercase) into value.
bool read_digits(std::string_view text, std::size_t at, int digits, unsigned base, std::uint64_t& value) {
  value = 0;
  for (int i = 0; i < digits; ++i) {
    const char c = text[at + static_cast<std::size_t>(i)];
    unsigned d = 0;
    if (c >= '0' && c <= '9') d = static_cast<unsigned>(c - '0');
    else if (base == 16 && c >= 'a' && c <= 'f') d = static_cast<unsigned>(c - 'a' + 10);
    else return false;
    value = value * base + d;
  }
  return true;
}

[[noreturn]] void clock_overflow() {
  throw Error(ErrorKind::invalid_input, "the replica's clock would pass the largest stamp (year 33658)", "hlc");
}

}  // namespace

std::string format_hlc(const HlcStamp& stamp) {
  if (stamp.wall_ms > kMaxHlcWall) clock_overflow();
  std::string out(kHlcTextBytes, '-');
  std::uint64_t wall = stamp.wall_ms;
  for (int i = 14; i >= 0; --i, wall /= 10) out[static_cast<std::size_t>(i)] = static_cast<char>('0' + wall % 10);
  put_hex(out, 16, stamp.counter, 4);
  put_hex(out, 21, stamp.node, 16);
  return out;
}

std::optional<HlcStamp> parse_hlc(std::string_view text) noexcept {
  if (text.size() != kHlcTextBytes || text[15] != '-' || text[20] != '-') return std::nullopt;
  HlcStamp stamp;
  std::uint64_t counter = 0;
  if (!read_digits(text, 0, 15, 10, stamp.wall_ms) || !read_digits(text, 16, 4, 16, counter) ||
      !read_digits(text, 21, 16, 16, stamp.node)) {
    return std::nullopt;
  }
  stamp.counter = static_cast<std::uint16_t>(counter);
  return stamp;
}

HlcStamp legacy_hlc(SystemTime timestamp) noexcept {
  const auto ms = timestamp.time_since_epoch().count();
  return HlcStamp{static_cast<std::uint64_t>(std::clamp<std::int64_t>(ms, 0, static_cast<std::int64_t>(kMaxHlcWall))),
                  0, 0};
}

void HybridClock::advance(std::uint64_t wall, std::uint32_t counter) {
  if (counter > 0xFFFF) {  // the counter overflows: move the wall on by 1 ms
    ++wall;
    counter = 0;
  }
  if (wall > kMaxHlcWall) clock_overflow();
  wall_ = wall;
  counter_ = static_cast<std::uint16_t>(counter);
}

HlcStamp HybridClock::tick(std::uint64_t now_ms) {
  const std::uint64_t wall = std::max(wall_, now_ms);
  advance(wall, wall == wall_ ? std::uint32_t{counter_} + 1 : 0);
  return HlcStamp{wall_, counter_, node_};
}

void HybridClock::observe(const HlcStamp& remote, std::uint64_t now_ms) {
  const std::uint64_t wall = std::max({wall_, remote.wall_ms, now_ms});
  std::uint32_t counter = 0;
  if (wall == wall_ && wall == remote.wall_ms) {
    counter = std::uint32_t{std::max(counter_, remote.counter)} + 1;
  } else if (wall == wall_) {
    counter = std::uint32_t{counter_} + 1;
  } else if (wall == remote.wall_ms) {
    counter = std::uint32_t{remote.counter} + 1;
  }
  advance(wall, counter);
}

}  // namespace synckit
