// RFC 4648 base32 (alphabet A-Z 2-7, no padding), private to the core: the recovery code's body.
// Both directions write into buffers the caller owns, so a secret never lands in a temporary.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "synckit/bytes.hpp"

namespace synckit::detail {

// Characters needed for n bytes without padding: ceil(8n / 5).
constexpr std::size_t base32_chars(std::size_t bytes) noexcept { return (bytes * 8 + 4) / 5; }

// Writes base32_chars(bytes.size()) uppercase characters to out (exactly that size, else nothing).
void base32_encode(ByteView bytes, std::span<char> out) noexcept;

// The 5-bit value of an uppercase alphabet character, or -1 for any other character.
int base32_value(char c) noexcept;

// Decodes uppercase `text` into out, whose size must be the one `text` encodes exactly
// (base32_chars(out.size()) == text.size()). False, with out wiped, for another length, a
// character outside the alphabet or non-zero bits past the last byte (a non-canonical text).
bool base32_decode(std::span<const char> text, std::span<std::uint8_t> out) noexcept;

}  // namespace synckit::detail
