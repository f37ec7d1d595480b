#include "json/compact_json.hpp"

#include <cstring>

#include "json/utf8.hpp"

namespace synckit::detail {
namespace {

constexpr std::size_t npos = kNotCompactJson;

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// The four hex digits at text[i], or -1.
long hex4(std::string_view text, std::size_t i) noexcept {
  if (i + 4 > text.size()) return -1;
  long value = 0;
  for (std::size_t k = i; k < i + 4; ++k) {
    const char c = text[k];
    const int digit = is_digit(c) ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

// One past the closing quote of the string whose opening quote is text[i], or npos.
std::size_t string_end(std::string_view text, std::size_t i) noexcept {
  const std::size_t n = text.size();
  ++i;
  for (;;) {
    while (i + 8 <= n && plain_ascii8(text.data() + i)) i += 8;  // the common case
    if (i >= n) return npos;
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '"') return i + 1;
    if (c == '\\') {
      if (i + 1 >= n) return npos;
      const char e = text[i + 1];
      if (e != 'u') {
        if (std::strchr("\"\\/bfnrt", e) == nullptr || e == '\0') return npos;
        i += 2;
        continue;
      }
      const long unit = hex4(text, i + 2);
      i += 6;
      if (unit < 0 || (unit >= 0xDC00 && unit <= 0xDFFF)) return npos;  // a lone low surrogate
      if (unit >= 0xD800 && unit <= 0xDBFF) {                            // needs its low half next
        const long low = i + 1 < n && text[i] == '\\' && text[i + 1] == 'u' ? hex4(text, i + 2) : -1;
        if (low < 0xDC00 || low > 0xDFFF) return npos;
        i += 6;
      }
      continue;
    }
    if (c < 0x20) return npos;  // raw control characters (and NUL) are not allowed in strings
    if (c >= 0x80) {
      const std::size_t length = utf8_sequence(text, i);
      if (length == 0) return npos;
      i += length;
      continue;
    }
    ++i;
  }
}

// One past the number that starts at text[i] (RFC 8259 grammar), or npos; npos also when its
// magnitude is 1e308 or more.
std::size_t number_end(std::string_view text, std::size_t i) noexcept {
  const std::size_t n = text.size();
  if (i < n && text[i] == '-') ++i;
  const std::size_t int_start = i;
  if (i < n && text[i] == '0') {
    ++i;
  } else if (i < n && text[i] >= '1' && text[i] <= '9') {
    while (i < n && is_digit(text[i])) ++i;
  } else {
    return npos;
  }
  const std::size_t int_end = i;
  std::size_t frac_start = i, frac_end = i;
  if (i < n && text[i] == '.') {
    frac_start = ++i;
    while (i < n && is_digit(text[i])) ++i;
    if (i == frac_start) return npos;
    frac_end = i;
  }
  long long exponent = 0;
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool negative = false;
    if (i < n && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
    const std::size_t exp_start = i;
    for (; i < n && is_digit(text[i]); ++i) {
      if (exponent < 1'000'000) exponent = exponent * 10 + (text[i] - '0');
    }
    if (i == exp_start) return npos;
    if (negative) exponent = -exponent;
  }
  // Decimal exponent of the first significant digit; zero is finite whatever its exponent.
  long long magnitude = 0;
  bool nonzero = false;
  for (std::size_t k = int_start; k < int_end && !nonzero; ++k) {
    if (text[k] != '0') nonzero = true, magnitude = static_cast<long long>(int_end - k) - 1;
  }
  for (std::size_t k = frac_start; k < frac_end && !nonzero; ++k) {
    if (text[k] != '0') nonzero = true, magnitude = -static_cast<long long>(k - frac_start) - 1;
  }
  if (nonzero && magnitude + exponent >= 308) return npos;
  return i;
}

// One past `word` if it is at text[i], else npos.
std::size_t literal_end(std::string_view text, std::size_t i, std::string_view word) noexcept {
  return text.substr(i, word.size()) == word ? i + word.size() : npos;
}

// One past the ':' after the object key at text[i], or npos.
std::size_t key_end(std::string_view text, std::size_t i) noexcept {
  if (i >= text.size() || text[i] != '"') return npos;
  i = string_end(text, i);
  return i < text.size() && text[i] == ':' ? i + 1 : npos;
}

}  // namespace

std::size_t compact_json_end(std::string_view text, std::size_t i) noexcept {
  const std::size_t n = text.size();
  char closers[kMaxCompactJsonDepth];  // what closes each open container
  std::size_t depth = 0;
  for (;;) {
    if (i >= n) return npos;
    switch (text[i]) {  // a value starts at i
      case '{':
        if (++i < n && text[i] == '}') {
          ++i;
          break;
        }
        if (depth == kMaxCompactJsonDepth) return npos;
        closers[depth++] = '}';
        if ((i = key_end(text, i)) == npos) return npos;
        continue;  // its first value
      case '[':
        if (++i < n && text[i] == ']') {
          ++i;
          break;
        }
        if (depth == kMaxCompactJsonDepth) return npos;
        closers[depth++] = ']';
        continue;  // its first value
      case '"': i = string_end(text, i); break;
      case 't': i = literal_end(text, i, "true"); break;
      case 'f': i = literal_end(text, i, "false"); break;
      case 'n': i = literal_end(text, i, "null"); break;
      default: i = number_end(text, i); break;
    }
    if (i == npos) return npos;
    // After a value: close containers, or go on to the next element.
    for (;;) {
      if (depth == 0) return i;
      if (i >= n) return npos;
      if (text[i] == closers[depth - 1]) {
        ++i, --depth;
        continue;
      }
      if (text[i] != ',') return npos;
      ++i;
      if (closers[depth - 1] == '}' && (i = key_end(text, i)) == npos) return npos;
      break;
    }
  }
}

std::size_t json_span_end(std::string_view text, std::size_t i) noexcept {
  const std::size_t n = text.size();
  std::size_t depth = 0;
  while (i < n) {
    const char c = text[i];
    if (c == '"') {  // to the next quote that is not escaped (preceded by an even run of '\\')
      std::size_t q = i + 1;
      for (;;) {
        const void* found = q < n ? std::memchr(text.data() + q, '"', n - q) : nullptr;
        if (found == nullptr) return npos;
        q = static_cast<std::size_t>(static_cast<const char*>(found) - text.data());
        std::size_t b = q;
        while (text[b - 1] == '\\') --b;  // stops at the opening quote at the latest
        if ((q - b) % 2 == 0) break;
        ++q;
      }
      i = q + 1;
      if (depth == 0) return i;
      continue;
    }
    if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (depth == 0) return i;
      if (--depth == 0) return i + 1;
    } else if (c == ',' && depth == 0) {
      return i;
    }
    ++i;
  }
  return npos;
}

}  // namespace synckit::detail
