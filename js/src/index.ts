// The package entry for browsers and bundlers: the wasm comes from next to this file (fetch), HTTP
// goes through the browser's XMLHttpRequest, keys default to IndexedDB.
import { setPlatform } from './wasm-module.js';

setPlatform({
  async wasmBinary() {
    const url = new URL('./wasm/synckit.wasm', import.meta.url);
    const response = await fetch(url);
    if (!response.ok) throw new Error(`synckit: could not load ${url.href} (HTTP ${response.status})`);
    return response.arrayBuffer();
  },
});

export * from './exports.js';
