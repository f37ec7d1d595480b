// The package entry for Node (the "node" export condition): the wasm is read from disk (no fetch of
// a file path), HTTP goes through a small XMLHttpRequest over node:http (./node/node-xhr.ts) handed
// to the module only, keys default to memory.
import { readFile } from 'node:fs/promises';
import { webcrypto } from 'node:crypto';

import { NodeXMLHttpRequest } from './node/node-xhr.js';
import { setPlatform } from './wasm-module.js';

setPlatform({
  wasmBinary: () => readFile(new URL('./wasm/synckit.wasm', import.meta.url)),
  XMLHttpRequest: NodeXMLHttpRequest,
  crypto: (globalThis as { crypto?: unknown }).crypto ?? webcrypto,
});

export * from './exports.js';
