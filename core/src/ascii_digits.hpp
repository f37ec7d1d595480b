// Reading fixed-width ASCII decimal fields (timestamps, HTTP dates). Private to the core.
#pragma once

#include <cstddef>
#include <string_view>

namespace synckit::detail {

// The value of `count` ASCII digits at `pos` (caller checks bounds); -1 if any is not a digit.
inline int ascii_digits(std::string_view text, std::size_t pos, std::size_t count) noexcept {
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return -1;
    value = value * 10 + (c - '0');
  }
  return value;
}

}  // namespace synckit::detail
