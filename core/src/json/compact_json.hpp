// Fast reading of JSON text written without whitespace (as JavaScript's JSON.stringify and
// nlohmann's dump() write it), for the places that keep text they were given instead of parsing
// it and writing it again. Private to the core.
#pragma once

#include <cstddef>
#include <string_view>

namespace synckit::detail {

inline constexpr std::size_t kNotCompactJson = std::string_view::npos;
// compact_json_end gives up on values nested deeper than this (callers then use nlohmann).
inline constexpr std::size_t kMaxCompactJsonDepth = 256;

// One past the end of the JSON value that starts at text[start], if that value is one nlohmann
// accepts (RFC 8259: strict UTF-8, valid escapes and surrogate pairs, no raw control characters
// or NUL bytes) written with no whitespace outside strings; else kNotCompactJson. Conservative on
// purpose: also kNotCompactJson for values nested deeper than kMaxCompactJsonDepth and for numbers
// of magnitude 1e308 or more (near where nlohmann refuses a number that overflows a double).
std::size_t compact_json_end(std::string_view text, std::size_t start) noexcept;

// One past the end of the JSON value that starts at text[start], following only strings and
// brackets (a delimiter finder, not a validator: the span is checked by whoever reads it), or
// kNotCompactJson when the text ends first. A value that is not a container ends at the ',', '}'
// or ']' after it (whitespace before that delimiter included).
std::size_t json_span_end(std::string_view text, std::size_t start) noexcept;

}  // namespace synckit::detail
