#include "demo_text.hpp"

#include <cstdio>

#include "file_io.hpp"

namespace synckit::cli {
namespace {

// Characters (not bytes) in UTF-8 text.
std::size_t width_of(std::string_view text) {
  std::size_t chars = 0;
  for (const char c : text) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return chars;
}

}  // namespace

std::string shorten(std::string_view text, std::size_t max) {
  if (text.size() <= max || max < 5) return std::string(text);
  const std::size_t tail = (max - 1) / 3;
  return std::string(text.substr(0, max - 1 - tail)) + "…" + std::string(text.substr(text.size() - tail));
}

std::string hex_prefix(ByteView bytes, std::size_t count) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < bytes.size() && i < count; ++i) {
    if (i > 0) out += ' ';
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 0x0F];
  }
  if (bytes.size() > count) out += " …";
  return out;
}

std::string pad(std::string_view text, std::size_t width) {
  std::string out(text);
  for (std::size_t w = width_of(text); w < width; ++w) out += ' ';
  return out;
}

void heading(std::string_view title) {
  print_line("");
  print_line("== " + std::string(title));
}

void say(std::string_view text) { print_line("   " + std::string(text)); }

}  // namespace synckit::cli
