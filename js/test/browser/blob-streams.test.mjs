// Streamed blobs in a real browser (Debian's chromium, headless, playwright-core): a page on
// another origin than the synckit-server (CORS: Range asked, Content-Range and the blob format read)
// uploads 256 MiB generated as a ReadableStream and a File of 6 MiB, then reads them back through
// getBlobStream, checking every byte as it arrives, while the wasm memory stays under 64 MiB.
//
// Run: node --test js/test/browser/   (needs build/native-release's synckit-server and js/dist)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openTestPage } from '../support/browser.mjs';

// The page: the package, and the byte at position p of the test data.
const PAGE = `<!doctype html><meta charset="utf-8"><title>blob streams</title>
<script type="module">
  import { SyncKit, MemoryKeyStore } from '/synckit/index.js';
  import { loadWasmModule } from '/synckit/wasm-module.js';
  window.SyncKit = SyncKit;
  window.MemoryKeyStore = MemoryKeyStore;
  window.wasmMemory = async () => (await loadWasmModule()).HEAPU8.buffer.byteLength;
  window.byteAt = (p) => (Math.imul(p, 2654435761) >>> 24) & 0xff;
  window.ready = true;
</script>`;

let world;
let server;
let page;

before(async () => {
  world = await openTestPage({ pages: { '/streams.html': PAGE }, path: '/streams.html' });
  ({ server, page } = world);
});

after(async () => {
  await world?.close();
});

test('256 MiB from a ReadableStream and a 6 MiB File up, read back byte for byte through getBlobStream', async () => {
  // Page one: two devices sign in (Argon2id) and pass a 6 MiB File; the session and key go on to
  // page two, a fresh wasm instance that never runs Argon2id (its 64 MiB would size the memory
  // first), for 256 MiB both ways while the memory is watched.
  const first = await page.evaluate(async ({ serverUrl, apiKey }) => {
    const MiB = 1024 * 1024;
    const email = `streams-${Date.now()}@example.com`;
    let key = null;
    const keyStore = { save: async (_e, k) => { key = k.slice(); }, load: async () => key, remove: async () => {} };
    const a = await SyncKit.create({ serverUrl, apiKey, keyStore });
    await a.createAccount(email, 'sign-in password');
    await a.setupEncryptionNew('encryption password');
    const b = await SyncKit.create({ serverUrl, apiKey, keyStore: new MemoryKeyStore() });
    await b.authenticate(email, 'sign-in password');
    await b.setupEncryptionExisting('encryption password');
    const fileBytes = new Uint8Array(6 * MiB + 1);
    for (let i = 0; i < fileBytes.length; i++) fileBytes[i] = byteAt(i + 17);
    await a.putBlob('file', new File([fileBytes], 'photo.jpg'));
    let at = 0;
    let wrong = -1;
    for await (const chunk of b.getBlobStream('file')) {
      for (let i = 0; i < chunk.length; i++) if (wrong < 0 && chunk[i] !== byteAt(17 + at + i)) wrong = at + i;
      at += chunk.length;
    }
    const whole = await b.getBlob('file');
    const session = a.session();
    a.dispose();
    b.dispose();
    return { file: { bytes: at, wrong }, wholeSame: whole.length === fileBytes.length && whole.every((x, i) => x === fileBytes[i]),
             session, key: Array.from(key) };
  }, { serverUrl: server.url, apiKey: server.apiKey });
  assert.deepEqual(first.file, { bytes: 6 * 1024 * 1024 + 1, wrong: -1 });
  assert.ok(first.wholeSame);

  const second = await world.open();
  const result = await second.evaluate(async ({ serverUrl, apiKey, session, key }) => {
    const MiB = 1024 * 1024;
    const bytes = Uint8Array.from(key);
    const keyStore = { save: async () => {}, load: async () => bytes.slice(), remove: async () => {} };
    const client = await SyncKit.create({ serverUrl, apiKey, keyStore, session });
    if (!(await client.unlock())) throw new Error('no key');
    const before = await wasmMemory();
    const size = 256 * MiB + 5;
    let made = 0;
    const source = new ReadableStream({
      pull(controller) {
        if (made >= size) return controller.close();
        const n = Math.min(size - made, 3 * MiB + 7);
        const chunk = new Uint8Array(n);
        for (let i = 0; i < n; i++) chunk[i] = byteAt(made + i);
        made += n;
        controller.enqueue(chunk);
      },
    });
    let uploaded = 0;
    await client.putBlob('big', source, { size, onProgress: (done) => { uploaded = done; } });
    let at = 0;
    let wrong = -1;
    for await (const chunk of client.getBlobStream('big')) {
      for (let i = 0; i < chunk.length; i++) if (wrong < 0 && chunk[i] !== byteAt(at + i)) wrong = at + i;
      at += chunk.length;
    }
    const status = await client.status();
    const after = await wasmMemory();
    client.dispose();
    return { uploaded, bytes: at, wrong, status, before, after };
  }, { serverUrl: server.url, apiKey: server.apiKey, session: first.session, key: first.key });
  await second.close();

  const sealed = (n) => 24 + n + 17 * (Math.floor(n / 65536) + 1);
  const size = 256 * 1024 * 1024 + 5;
  assert.equal(result.uploaded, size);
  assert.deepEqual([result.bytes, result.wrong], [size, -1]);
  assert.equal(result.status.blobBytes, sealed(size) + sealed(6 * 1024 * 1024 + 1));
  const MiB = 1024 * 1024;
  assert.ok(result.after < 64 * MiB, `the wasm memory grew from ${result.before / MiB} to ${result.after / MiB} MiB`);
  console.log(`# Chromium, 256 MiB up and down: wasm memory ${result.before / MiB} MiB before, ${result.after / MiB} MiB after`);
});
