#include "synckit/bytes.hpp"

#include <sodium.h>

#include <algorithm>
#include <type_traits>

#include "synckit/error.hpp"

namespace synckit {
namespace {

std::string encode(ByteView bytes, int variant) {
  std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), variant);
  out.resize(out.size() - 1);  // drop the terminating NUL libsodium writes
  return out;
}

// libsodium 1.0.18 reads bytes 0x80..0xff as an alphabet character (value 63), so they are refused
// here: only ASCII text can be canonical base64 (found by fuzz/fuzz_base64.cpp).
bool is_ascii(std::string_view text) noexcept {
  return std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

template <class Buffer>
Buffer decode(std::string_view text, std::string_view field, int variant) {
  Buffer out(text.size() / 4 * 3 + 3);
  std::size_t length = 0;
  const char* end = nullptr;
  const int rc = !is_ascii(text) ? -1 : sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &length,
                                   &end, variant);
  if (rc != 0 || end != text.data() + text.size()) {
    throw Error(ErrorKind::json, "malformed base64 in '" + std::string(field) + "'", std::string(field));
  }
  if constexpr (std::is_same_v<Buffer, SecretBuffer>) {
    out.truncate(length);
  } else {
    out.resize(length);
  }
  return out;
}

}  // namespace

std::string base64_encode(ByteView bytes) { return encode(bytes, sodium_base64_VARIANT_ORIGINAL); }

void base64_append(std::string& out, ByteView bytes) {
  const std::size_t at = out.size();
  const std::size_t with_nul = sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(at + with_nul);
  sodium_bin2base64(out.data() + at, with_nul, bytes.data(), bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(at + with_nul - 1);  // drop the terminating NUL libsodium writes
}

Bytes base64_decode(std::string_view text, std::string_view field) {
  return decode<Bytes>(text, field, sodium_base64_VARIANT_ORIGINAL);
}

SecretBuffer base64_decode_secret(std::string_view text, std::string_view field) {
  return decode<SecretBuffer>(text, field, sodium_base64_VARIANT_ORIGINAL);
}

std::string base64url_encode(ByteView bytes) {
  return encode(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

Bytes base64url_decode(std::string_view text, std::string_view field) {
  return decode<Bytes>(text, field, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

}  // namespace synckit
