// A fresh Node process (a fresh wasm instance) that resumes a session and unlocks from a key
// handed over on stdin, so no Argon2id ever runs here and the wasm memory shows what a transfer
// needs: uploads SIZE pattern bytes from a ReadableStream, reads them back through getBlobStream,
// and prints {before, after, up, down} (memory in bytes, SHA-256 hex of both directions).
// stdin: {serverUrl, apiKey, session, key (base64), size, dist?}.
// Used by js/test/node/blob-streams.test.mjs.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { patternStream } from './pattern-stream.mjs';

const input = JSON.parse(await new Promise((resolve) => {
  let text = '';
  process.stdin.on('data', (chunk) => { text += chunk; });
  process.stdin.on('end', () => resolve(text));
}));
// The package: js/dist, or input.dist (bench/wasm builds its own).
const dist = input.dist ?? fileURLToPath(new URL('../../dist', import.meta.url));
const { SyncKit } = await import(pathToFileURL(join(dist, 'node.js')).href);
const { loadWasmModule } = await import(pathToFileURL(join(dist, 'wasm-module.js')).href);
const key = Uint8Array.from(Buffer.from(input.key, 'base64'));
const keyStore = { save: async () => {}, load: async () => key.slice(), remove: async () => {} };
const client = await SyncKit.create({ serverUrl: input.serverUrl, apiKey: input.apiKey, keyStore, session: input.session });
if (!(await client.unlock())) throw new Error('the key store gave no key');
const module = await loadWasmModule();
const memory = () => module.HEAPU8.buffer.byteLength;
const before = memory();

const source = patternStream(input.size);
await client.putBlob('memory', source.stream, { size: input.size });
const down = createHash('sha256');
for await (const chunk of client.getBlobStream('memory')) down.update(chunk);
process.stdout.write(JSON.stringify({ before, after: memory(), up: source.digest(), down: down.digest('hex') }));
client.dispose();
