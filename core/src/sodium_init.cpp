#include "sodium_init.hpp"

#include <sodium.h>

#include "synckit/error.hpp"

namespace synckit::detail {

void ensure_sodium() {
  static const bool ready = sodium_init() >= 0;
  if (!ready) throw Error(ErrorKind::crypto, "libsodium failed to initialise");
}

}  // namespace synckit::detail
