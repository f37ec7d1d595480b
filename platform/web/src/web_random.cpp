#include "synckit/web/web_random.hpp"

#include <emscripten.h>
#include <sodium.h>

#include <algorithm>
#include <cstring>

#include "synckit/error.hpp"

// Fills HEAPU8[ptr, ptr + size) from crypto.getRandomValues; returns 1, or 0 when the Web Crypto API
// is missing (or refuses). The npm module's pre.js defines synckitWebCrypto (what the package passed,
// else globalThis.crypto); other builds (the wasm unit tests under Node) use globalThis.crypto or
// require('crypto').webcrypto. getRandomValues fills at most 65536 bytes per call. No other
// generator is ever used.
EM_JS(int, synckit_web_get_random_values, (std::uint8_t* ptr, std::size_t size), {
  var webcrypto = (typeof synckitWebCrypto === 'object' && synckitWebCrypto) ? synckitWebCrypto :
                  (typeof globalThis === 'object' && globalThis.crypto &&
                   typeof globalThis.crypto.getRandomValues === 'function') ? globalThis.crypto : null;
  if (!webcrypto && typeof process === 'object' && typeof require === 'function') {
    try {
      var nodeCrypto = require('crypto');
      if (nodeCrypto.webcrypto && typeof nodeCrypto.webcrypto.getRandomValues === 'function') webcrypto = nodeCrypto.webcrypto;
    } catch (e) {
    }
  }
  if (!webcrypto) return 0;
  try {
    for (var done = 0; done < size; done += 65536) {
      var n = Math.min(size - done, 65536);
      webcrypto.getRandomValues(HEAPU8.subarray(ptr + done, ptr + done + n));
    }
  } catch (e) {
    return 0;
  }
  return 1;
});

namespace synckit::web {

namespace {
void get_random_values(std::uint8_t* out, std::size_t size) {
  if (size == 0) return;
  if (!synckit_web_get_random_values(out, size)) {
    sodium_memzero(out, size);
    throw Error(ErrorKind::crypto, "crypto.getRandomValues is not available");
  }
}
}  // namespace

WebRandom::WebRandom() { refill(); }

WebRandom::~WebRandom() { sodium_memzero(pool_.data(), pool_.size()); }

void WebRandom::refill() {
  next_ = pool_size;  // if the call below throws, the pool stays empty
  get_random_values(pool_.data(), pool_.size());
  next_ = 0;
}

void WebRandom::fill(std::span<std::uint8_t> out) {
  if (out.size() >= pool_size) {
    get_random_values(out.data(), out.size());
    return;
  }
  std::size_t done = 0;
  while (done < out.size()) {
    if (next_ == pool_size) refill();
    const std::size_t n = std::min(out.size() - done, pool_size - next_);
    std::memcpy(out.data() + done, pool_.data() + next_, n);
    sodium_memzero(pool_.data() + next_, n);
    next_ += n;
    done += n;
  }
}

}  // namespace synckit::web
