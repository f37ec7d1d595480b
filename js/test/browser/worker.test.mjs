// The npm package in a dedicated module worker (Debian's chromium, headless, playwright-core): the
// way to keep Argon2id (64 MiB, 3 passes at sign-in and unlock) off the page's thread. Two workers
// are two devices: sign-up, encryption, a push and a blob in one, sign-in, pull and the blob in the
// other, each with the default key store (IndexedDB, which workers have); a third worker started
// later resumes the session and unlocks from IndexedDB without a password. The page only posts
// messages; its own timer keeps ticking while the workers derive keys (the longest gap is printed).
//
// Run: node --test js/test/browser/   (needs build/native-release's synckit-server and js/dist)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openTestPage } from '../support/browser.mjs';

// The worker: one SyncKit client, driven by {id, op, args} messages, answering {id, value} or
// {id, error: {kind, message}}.
const WORKER = `
import { SyncKit } from '/synckit/index.js';
let client = null;
const ops = {
  async open({ serverUrl, apiKey, session }) {
    client = await SyncKit.create({ serverUrl, apiKey, ...(session ? { session } : {}) });
    return typeof WorkerGlobalScope !== 'undefined' && self instanceof WorkerGlobalScope;
  },
  signUp: ({ email, password, encryption }) => client.createAccount(email, password).then(() => client.setupEncryptionNew(encryption)),
  signIn: ({ email, password, encryption }) => client.authenticate(email, password).then(() => client.setupEncryptionExisting(encryption)),
  unlock: () => client.unlock(),
  device: ({ name }) => client.registerDevice(name, 'worker'),
  push: ({ deviceId, changes }) => client.push(deviceId, changes),
  pull: async ({ deviceId }) => (await client.pull(deviceId, 0)).changes.map((c) => ({ rowId: c.rowId, data: c.data })),
  putBlob: ({ id, bytes }) => client.putBlob(id, bytes),
  getBlob: ({ id }) => client.getBlob(id),
  session: () => client.session(),
};
self.onmessage = async ({ data: { id, op, args } }) => {
  try {
    self.postMessage({ id, value: await ops[op](args ?? {}) });
  } catch (error) {
    self.postMessage({ id, error: { kind: error.kind ?? 'other', message: String(error.message ?? error) } });
  }
};
`;

// The page: starts workers and relays calls; a 10 ms timer records its longest gap.
const PAGE = `<!doctype html><meta charset="utf-8"><title>worker</title>
<script type="module">
  let next = 1;
  window.startWorker = () => {
    const worker = new Worker('/sync-worker.js', { type: 'module' });
    const waiting = new Map();
    worker.onmessage = ({ data }) => {
      const { resolve, reject } = waiting.get(data.id);
      waiting.delete(data.id);
      data.error ? reject(Object.assign(new Error(data.error.message), { kind: data.error.kind })) : resolve(data.value);
    };
    worker.onerror = (event) => { for (const { reject } of waiting.values()) reject(new Error(event.message)); };
    return (op, args) => new Promise((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, op, args });
    });
  };
  let last = performance.now();
  window.longestGap = 0;
  setInterval(() => {
    const now = performance.now();
    window.longestGap = Math.max(window.longestGap, now - last);
    last = now;
  }, 10);
  window.ready = true;
</script>`;

let world;
let server;
let page;

before(async () => {
  world = await openTestPage({ pages: { '/worker.html': PAGE, '/sync-worker.js': WORKER }, path: '/worker.html' });
  ({ server, page } = world);
});

after(async () => {
  await world?.close();
});

test('two devices in module workers sync rows and a blob; a new worker unlocks from IndexedDB', async () => {
  const result = await page.evaluate(async ({ serverUrl, apiKey }) => {
    const account = { email: `worker-${Date.now()}@example.com`, password: 'sign-in password', encryption: 'encryption password' };
    const a = startWorker();
    const inWorker = await a('open', { serverUrl, apiKey });
    window.longestGap = 0;
    const started = performance.now();
    await a('signUp', account);
    const signUpMs = performance.now() - started;
    const gapDuringSignUp = window.longestGap;
    const deviceA = await a('device', { name: 'worker A' });
    await a('push', { deviceId: deviceA.id, changes: [{ table: 'todos', op: 'insert', rowId: 't1', timestamp: new Date().toISOString(), data: { title: 'from a worker' } }] });
    const bytes = new Uint8Array(100_000).map((_, i) => (i * 13) & 0xff);
    await a('putBlob', { id: 'photo', bytes });
    const session = await a('session');

    const b = startWorker();
    await b('open', { serverUrl, apiKey });
    await b('signIn', account);
    const deviceB = await b('device', { name: 'worker B' });
    const pulled = await b('pull', { deviceId: deviceB.id });
    const blob = await b('getBlob', { id: 'photo' });

    const c = startWorker();  // a later start of device A: its session, the key from IndexedDB
    await c('open', { serverUrl, apiKey, session });
    const unlocked = await c('unlock');
    const again = await c('getBlob', { id: 'photo' });
    return { inWorker, pulled, blobSame: blob.length === bytes.length && blob.every((x, i) => x === bytes[i]),
             unlocked, againSame: again.length === bytes.length, signUpMs, gapDuringSignUp };
  }, { serverUrl: server.url, apiKey: server.apiKey });

  assert.equal(result.inWorker, true, 'the client ran in a WorkerGlobalScope');
  assert.deepEqual(result.pulled, [{ rowId: 't1', data: { title: 'from a worker' } }]);
  assert.ok(result.blobSame);
  assert.equal(result.unlocked, true, 'unlocked from the IndexedDB key store, no password');
  assert.ok(result.againSame);
  console.log(`# sign-up in a worker took ${result.signUpMs.toFixed(0)} ms; the page's timer never waited more than ${result.gapDuringSignUp.toFixed(0)} ms`);
});
