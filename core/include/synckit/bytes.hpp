// Byte containers and the base64 codecs the format and protocol use (libsodium's, strict).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "synckit/secret.hpp"

namespace synckit {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

// The bytes of a string, unchanged (UTF-8 stays UTF-8).
inline ByteView as_bytes(std::string_view text) noexcept {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

// Standard base64 with padding (RFC 4648 section 4).
std::string base64_encode(ByteView bytes);
// Appends base64_encode(bytes) to `out`, written in place (no temporary string).
void base64_append(std::string& out, ByteView bytes);
// Strict decode of standard padded base64: no whitespace, no missing padding, no stray bits.
// Throws Error{json} naming `field` on malformed input.
Bytes base64_decode(std::string_view text, std::string_view field);

// The same decode into a buffer that wipes itself, for secrets (keys read from files or stores).
SecretBuffer base64_decode_secret(std::string_view text, std::string_view field);

// base64url without padding (RFC 4648 section 5), as PKCE and JWT use it.
std::string base64url_encode(ByteView bytes);
// Strict decode of unpadded base64url. Throws Error{json} naming `field` on malformed input.
Bytes base64url_decode(std::string_view text, std::string_view field);

}  // namespace synckit
