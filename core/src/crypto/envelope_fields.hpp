// Reading the fields the key envelope and the recovery envelope share.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "synckit/bytes.hpp"
#include "synckit/error.hpp"
#include "synckit/wire/json_reader.hpp"

namespace synckit::detail {

// Strict base64 of exactly N bytes into `out`; Error{json} naming the field otherwise.
template <std::size_t N>
void copy_field(const wire::ObjectReader& reader, std::string_view key, std::array<std::uint8_t, N>& out) {
  const Bytes bytes = reader.base64(key, N);
  std::copy(bytes.begin(), bytes.end(), out.begin());
}

// Error{invalid_data} naming the field: well-formed JSON that breaks the format.
[[noreturn]] inline void refuse(const wire::ObjectReader& reader, std::string_view key, std::string detail) {
  throw Error(ErrorKind::invalid_data, std::move(detail), reader.field(key));
}

}  // namespace synckit::detail
