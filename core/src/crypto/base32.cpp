#include "crypto/base32.hpp"

#include <string_view>

#include "synckit/secret.hpp"

namespace synckit::detail {
namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

}  // namespace

void base32_encode(ByteView bytes, std::span<char> out) noexcept {
  if (out.size() != base32_chars(bytes.size())) return;
  std::uint32_t buffer = 0;  // at most 12 pending bits
  int bits = 0;
  std::size_t next = 0;
  for (const std::uint8_t byte : bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out[next++] = kAlphabet[(buffer >> bits) & 31];
    }
  }
  if (bits > 0) out[next++] = kAlphabet[(buffer << (5 - bits)) & 31];
  secure_wipe(&buffer, sizeof buffer);
}

int base32_value(char c) noexcept {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= '2' && c <= '7') return c - '2' + 26;
  return -1;
}

bool base32_decode(std::span<const char> text, std::span<std::uint8_t> out) noexcept {
  if (text.size() != base32_chars(out.size())) return false;
  std::uint32_t buffer = 0;  // at most 12 pending bits
  int bits = 0;
  std::size_t next = 0;
  bool ok = true;
  for (const char c : text) {
    const int value = base32_value(c);
    if (value < 0) {
      ok = false;
      break;
    }
    buffer = (buffer << 5) | static_cast<std::uint32_t>(value);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[next++] = static_cast<std::uint8_t>(buffer >> bits);
    }
  }
  // Bits left over must be zero, so that every byte string has exactly one text.
  if (ok && (buffer & ((1u << bits) - 1)) != 0) ok = false;
  secure_wipe(&buffer, sizeof buffer);
  if (!ok) secure_wipe(out.data(), out.size());
  return ok;
}

}  // namespace synckit::detail
