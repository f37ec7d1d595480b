// What both storage backends stamp on new rows: random UUIDs and the time.
#pragma once

#include <string>

#include "storage/store.hpp"

namespace synckit::server {

// A random (version 4) UUID in lowercase hex, from libsodium's CSPRNG.
std::string new_uuid();
// Unix time now, in milliseconds.
Millis now_millis();

}  // namespace synckit::server
