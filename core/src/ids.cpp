#include "synckit/ids.hpp"

#include <array>
#include <cstdint>

#include "synckit/bytes.hpp"
#include "synckit/secret.hpp"

namespace synckit {
namespace {

bool is_token(std::string_view id, std::size_t max_length) noexcept {
  if (id.empty() || id.size() > max_length) return false;
  for (const char c : id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

bool is_valid_change_id(std::string_view id) noexcept { return is_token(id, 64); }

bool is_valid_blob_id(std::string_view id) noexcept { return is_token(id, 128); }

std::string new_change_id(RandomSource& random) {
  std::array<std::uint8_t, 16> bits{};
  random.fill(bits);
  return base64url_encode(bits);
}

}  // namespace synckit
