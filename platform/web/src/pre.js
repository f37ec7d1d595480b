// Runs inside the module factory (MODULARIZE), before anything else of the module.
// - Emscripten fetch says `new XMLHttpRequest()`: this makes that name the one the package passed
//   in (Node: js/src/node/node-xhr.ts), else the browser's own. No global is touched.
// - Web Crypto: the package may pass `crypto` (Node 18 has it only as require('crypto').webcrypto).
//   WebRandom reads synckitWebCrypto; libsodium's own randombytes (never used for SyncKit's keys or
//   nonces, but stirred by sodium_init) gets a getRandomValue over the same source, so it never
//   probes for `self` or `require`, which an ES module in Node does not have.
var XMLHttpRequest = Module['XMLHttpRequest'] || globalThis.XMLHttpRequest;
var synckitWebCrypto = Module['crypto'] || globalThis.crypto;
if (synckitWebCrypto && Module['getRandomValue'] === undefined) {
  Module['getRandomValue'] = function () {
    var word = new Uint32Array(1);
    synckitWebCrypto.getRandomValues(word);
    return word[0] >>> 0;
  };
}
