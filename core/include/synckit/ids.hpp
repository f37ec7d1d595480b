// Identifiers the client makes: change ids and blob ids (protocol.md, "Sync" and "Blobs").
#pragma once

#include <string>
#include <string_view>

#include "synckit/random.hpp"

namespace synckit {

// 1..64 characters of [A-Za-z0-9_-].
bool is_valid_change_id(std::string_view id) noexcept;
// 1..128 characters of [A-Za-z0-9_-].
bool is_valid_blob_id(std::string_view id) noexcept;
// A fresh change id: 128 random bits as 22 base64url characters.
std::string new_change_id(RandomSource& random);

}  // namespace synckit
