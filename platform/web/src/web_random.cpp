#include "synckit/web/web_random.hpp"

#include <emscripten.h>
#include <sodium.h>


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

WebRandom::WebRandom() {
  std::uint8_t probe[1];
  fill(probe);
  sodium_memzero(probe, sizeof probe);
}

void WebRandom::draw(std::span<std::uint8_t> out) {
  if (out.empty()) return;
  if (!synckit_web_get_random_values(out.data(), out.size())) {
    sodium_memzero(out.data(), out.size());
    throw Error(ErrorKind::crypto, "crypto.getRandomValues is not available");
  }
}

}  // namespace synckit::web
