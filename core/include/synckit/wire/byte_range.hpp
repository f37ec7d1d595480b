// HTTP byte ranges for blob reads (protocol.md 1.1, ranged reads; RFC 9110 section 14): the
// Range header a client sends and the Content-Range of a 206 reply. One range only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace synckit::wire {

// Bytes first..last, both included.
struct ByteRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  friend bool operator==(const ByteRange&, const ByteRange&) = default;
};

// What a server makes of a Range header for a representation of `size` bytes.
struct RangeRequest {
  enum class Kind { whole, part, unsatisfiable };
  Kind kind = Kind::whole;  // whole: no usable range (absent, not one byte range): answer 200
  ByteRange range;          // part: the bytes to send (clipped to the size)
};

// "bytes=first-last".
std::string format_range(ByteRange range);
// "bytes=first-" (from first to the end).
std::string format_range_from(std::uint64_t first);
// Reads one Range value: "bytes=a-b", "bytes=a-" or "bytes=-n" (the last n). Anything else (other
// units, several ranges, bad syntax) is `whole`, as RFC 9110 lets a server ignore it; a range
// starting at or beyond the end (or "-0") is `unsatisfiable` (416). Never throws.
RangeRequest parse_range(std::string_view value, std::uint64_t size) noexcept;

// Content-Range of a 206: "bytes first-last/size".
std::string format_content_range(ByteRange range, std::uint64_t size);
struct ContentRange {
  ByteRange range;
  std::uint64_t size = 0;
  friend bool operator==(const ContentRange&, const ContentRange&) = default;
};
// Reads "bytes a-b/n" with a <= b < n; nullopt for anything else ("*" sizes included). Never throws.
std::optional<ContentRange> parse_content_range(std::string_view value) noexcept;

}  // namespace synckit::wire
