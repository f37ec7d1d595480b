// Field rules the wire messages share: UTF-8 text within limits, and auth keys in base64.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "synckit/auth/login_key.hpp"
#include "synckit/wire/json_reader.hpp"

namespace synckit::wire {

// Whether nlohmann can dump the text (strict UTF-8: no overlongs, no surrogates).
bool is_utf8(const std::string& text);
// Throws Error{invalid_input} naming `field` unless `text` is 1..max_bytes of UTF-8 (never quoting it).
void check_text(const std::string& text, std::string_view field, std::size_t max_bytes);
// Reads an auth key: standard base64 of exactly 32 bytes; Error{json} naming the field otherwise.
// The decoded bytes only ever live in wiping storage.
AuthKey read_auth_key(const ObjectReader& reader, std::string_view key);

}  // namespace synckit::wire
