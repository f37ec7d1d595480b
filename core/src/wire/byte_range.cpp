#include "synckit/wire/byte_range.hpp"

#include <algorithm>
#include <charconv>

namespace synckit::wire {
namespace {

constexpr std::string_view kUnit = "bytes";

bool is_space(char c) noexcept { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view text) noexcept {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

// A whole run of decimal digits (no sign, no space) that fits in 64 bits.
std::optional<std::uint64_t> number(std::string_view text) noexcept {
  if (text.empty() || text.size() > 20) return std::nullopt;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::string format_range(ByteRange range) {
  return "bytes=" + std::to_string(range.first) + "-" + std::to_string(range.last);
}

std::string format_range_from(std::uint64_t first) { return "bytes=" + std::to_string(first) + "-"; }

RangeRequest parse_range(std::string_view value, std::uint64_t size) noexcept {
  RangeRequest whole;
  value = trim(value);
  if (value.size() <= kUnit.size() || value.substr(0, kUnit.size()) != kUnit) return whole;
  value = trim(value.substr(kUnit.size()));
  if (value.empty() || value.front() != '=') return whole;
  value = trim(value.substr(1));
  const auto dash = value.find('-');
  if (dash == std::string_view::npos || value.find(',') != std::string_view::npos) return whole;
  const std::string_view first_text = trim(value.substr(0, dash));
  const std::string_view last_text = trim(value.substr(dash + 1));
  RangeRequest out;
  out.kind = RangeRequest::Kind::part;
  if (first_text.empty()) {  // a suffix: the last n bytes
    const auto n = number(last_text);
    if (!n) return whole;
    if (*n == 0 || size == 0) return {RangeRequest::Kind::unsatisfiable, {}};
    out.range = {*n >= size ? 0 : size - *n, size - 1};
    return out;
  }
  const auto first = number(first_text);
  if (!first) return whole;
  std::uint64_t last = size == 0 ? 0 : size - 1;
  if (!last_text.empty()) {
    const auto given = number(last_text);
    if (!given || *given < *first) return whole;
    last = std::min(*given, last);
  }
  if (*first >= size) return {RangeRequest::Kind::unsatisfiable, {}};
  out.range = {*first, last};
  return out;
}

std::string format_content_range(ByteRange range, std::uint64_t size) {
  return "bytes " + std::to_string(range.first) + "-" + std::to_string(range.last) + "/" + std::to_string(size);
}

std::optional<ContentRange> parse_content_range(std::string_view value) noexcept {
  value = trim(value);
  if (value.size() <= kUnit.size() + 1 || value.substr(0, kUnit.size()) != kUnit || value[kUnit.size()] != ' ') {
    return std::nullopt;
  }
  value = trim(value.substr(kUnit.size() + 1));
  const auto dash = value.find('-');
  const auto slash = value.find('/');
  if (dash == std::string_view::npos || slash == std::string_view::npos || dash > slash) return std::nullopt;
  const auto first = number(value.substr(0, dash));
  const auto last = number(value.substr(dash + 1, slash - dash - 1));
  const auto size = number(value.substr(slash + 1));
  if (!first || !last || !size || *first > *last || *last >= *size) return std::nullopt;
  return ContentRange{{*first, *last}, *size};
}

}  // namespace synckit::wire
