// Makes sure libsodium is initialised before the core uses it (cheap after the first call).
#pragma once

namespace synckit::detail {

// Calls sodium_init() once per process; throws Error{crypto} if it fails.
void ensure_sodium();

}  // namespace synckit::detail
