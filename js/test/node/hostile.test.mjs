// The JS client against a hostile server (tests/hostile/hostile_server.py, the same tampering proxy
// the native tests use): every misbehaviour ends in a typed SyncKitError or a documented safe
// outcome, within the configured time limits, with nothing written to the key store.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { ServerProcess } from '../support/server.mjs';
import { HostileProxy } from '../support/hostile.mjs';
import { MemoryKeyStore, SyncKit, SyncKitError, readyClient, sampleChanges } from '../support/client.mjs';

const SIGN_IN = 'sign-in password';
const ENCRYPTION = 'encryption password';
const PULL = '/v1/sync/pull';
const ENVELOPE = '/v1/keys/envelope';

// A key store that counts what is written to it.
class CountingStore extends MemoryKeyStore {
  saves = 0;
  removes = 0;
  async save(entry, key) {
    this.saves += 1;
    return super.save(entry, key);
  }
  async remove(entry) {
    this.removes += 1;
    return super.remove(entry);
  }
}

let server;
let proxy;
let writer;
let reader;
let readerDevice;
const store = new CountingStore();
const messages = [];

// Quick retries and a short per-request limit, so hostile cases end fast.
const hostileOptions = () => ({
  serverUrl: proxy.url,
  apiKey: server.apiKey,
  keyStore: store,
  timeoutMs: 1500,
  retry: { maxRetries: 1, baseDelayMs: 10, maxDelayMs: 20 },
});

before(async () => {
  server = await ServerProcess.start();
  proxy = await HostileProxy.start(server.url);
  writer = await readyClient(server, { password: SIGN_IN, encryption: ENCRYPTION });
  reader = await SyncKit.create(hostileOptions());
  await reader.authenticate(writer.email, SIGN_IN);
  await reader.setupEncryptionExisting(ENCRYPTION);
  readerDevice = await reader.registerDevice('reader', 'node');
  await writer.client.push(writer.device.id, sampleChanges(3));
});

after(async () => {
  reader?.dispose();
  writer?.client.dispose();
  await proxy?.dispose();
  await server?.dispose();
  for (const message of messages) {
    assert.ok(!message.includes(SIGN_IN) && !message.includes(ENCRYPTION), message);
  }
});

// Arms `spec`, runs `call`, and returns the error kind ('no error' when it resolved) after checking
// the time limit, the key store and that the proxy really misbehaved.
async function hostile(spec, call, { budgetMs = 12_000 } = {}) {
  await proxy.reset();
  await proxy.arm({ times: 0, ...spec });
  const saves = store.saves;
  const started = Date.now();
  let kind = 'no error';
  try {
    await call();
  } catch (error) {
    assert.ok(error instanceof SyncKitError, `${spec.scenario}: not a SyncKitError: ${error}`);
    messages.push(error.message);
    kind = error.kind;
  }
  const elapsed = Date.now() - started;
  assert.ok(elapsed < budgetMs, `${spec.scenario} took ${elapsed} ms`);
  assert.equal(store.saves, saves, `${spec.scenario} wrote to the key store`);
  const stats = await proxy.stats();
  assert.ok((stats.applied[spec.scenario] ?? 0) >= 1, `${spec.scenario} was not applied`);
  assert.equal(stats.redirect_hits, 0, 'a redirect was followed');
  await proxy.reset();
  return { kind, elapsed };
}

test('hostile pull replies: typed errors, or entries that say why they did not open', async () => {
  const pull0 = () => reader.pull(readerDevice.id, 0);
  const at = (scenario, extra = {}) => ({ scenario, match: PULL, ...extra });
  assert.equal((await hostile(at('garbage_json'), pull0)).kind, 'json');
  assert.equal((await hostile(at('wrong_types'), pull0)).kind, 'json');
  assert.equal((await hostile(at('html_ok'), pull0)).kind, 'json');
  assert.equal((await hostile(at('html_error'), pull0)).kind, 'server_status');
  assert.equal((await hostile(at('redirect'), pull0)).kind, 'server_status');
  assert.equal((await hostile(at('redirect', { status: 307 }), pull0)).kind, 'server_status');
  assert.equal((await hostile(at('truncated_body'), pull0)).kind, 'network');
  assert.equal((await hostile(at('reset_mid_body'), pull0)).kind, 'network');
  assert.equal((await hostile(at('truncated_body', { times: 1 }), pull0)).kind, 'no error');
  assert.equal((await hostile(at('huge_body'), pull0, { budgetMs: 30_000 })).kind, 'network');
  assert.equal((await hostile(at('huge_body', { declare_length: false }), pull0, { budgetMs: 60_000 })).kind, 'network');
  const drip = await hostile(at('slow_drip', { interval: 0.3 }), pull0);
  assert.equal(drip.kind, 'network');
  assert.ok(drip.elapsed >= 2 * 1500 - 200, `slow drip ended after ${drip.elapsed} ms`);

  let page;
  assert.equal((await hostile(at('wrong_content_type'), async () => { page = await pull0(); })).kind, 'no error');
  assert.equal(page.changes.length, 3);

  // Payloads swapped between change ids: both come back as crypto errors, never as data.
  assert.equal((await hostile(at('move_payload'), async () => { page = await pull0(); })).kind, 'no error');
  assert.equal(page.changes.length, 3);
  assert.deepEqual(page.changes.slice(0, 2).map((c) => c.error?.kind), ['crypto', 'crypto']);
  assert.ok(!('data' in page.changes[0]) && !('data' in page.changes[1]));
  assert.equal(page.changes[2].rowId, 'row-2');

  assert.equal((await hostile(at('cursor_backwards'), () => reader.pull(readerDevice.id, 3))).kind, 'json');
  await reader.pull(readerDevice.id, 0);  // the proxy records these
  await proxy.arm({ scenario: 'replay_old', match: PULL });
  await assert.rejects(reader.pull(readerDevice.id, 3), { kind: 'json' });
  await proxy.reset();
  // After all of it, the real data is intact.
  assert.equal((await reader.pull(readerDevice.id, 0)).changes.filter((c) => !c.error).length, 3);
});

test('hostile key fetch, sign-in and blob replies: typed errors, the key store untouched', async () => {
  const other = await readyClient(server, { password: 'other', encryption: 'other encryption' });
  const otherTokens = other.client.session();
  const otherEnvelope = await (await fetch(`${server.url}${ENVELOPE}`, {
    headers: { 'X-SyncKit-Api-Key': server.apiKey, Authorization: `Bearer ${otherTokens.accessToken}` },
  })).json();
  other.client.dispose();

  const unlock = async () => {
    const fresh = await SyncKit.create(hostileOptions());
    try {
      await fresh.authenticate(writer.email, SIGN_IN);
      await fresh.setupEncryptionExisting(ENCRYPTION).finally(() => assert.equal(fresh.encryptionReady, false));
    } finally {
      fresh.dispose();
    }
  };
  const env = (scenario, extra = {}) => ({ scenario, match: ENVELOPE, method: 'GET', ...extra });
  assert.equal((await hostile(env('static', { body: otherEnvelope }), unlock)).kind, 'wrong_password');
  assert.equal((await hostile(env('garbage_json'), unlock)).kind, 'json');
  assert.equal((await hostile(env('wrong_types'), unlock)).kind, 'json');
  assert.equal((await hostile(env('html_error'), unlock)).kind, 'server_status');
  assert.equal((await hostile(env('redirect'), unlock)).kind, 'server_status');
  assert.equal((await hostile(env('reset_mid_body'), unlock)).kind, 'network');
  const costly = structuredClone(otherEnvelope);
  costly.envelope.memlimit = 2 ** 40;
  assert.equal((await hostile(env('static', { body: costly }), unlock)).kind, 'invalid_data');

  const signIn = async () => {
    const fresh = await SyncKit.create(hostileOptions());
    try {
      await fresh.authenticate(writer.email, SIGN_IN);
    } finally {
      fresh.dispose();
    }
  };
  const login = (scenario, extra = {}) => ({ scenario, match: '/v1/auth/login', ...extra });
  assert.equal((await hostile(login('garbage_json'), signIn)).kind, 'json');
  assert.equal((await hostile(login('html_ok'), signIn)).kind, 'json');
  assert.equal((await hostile(login('static', { body: '{"access_token":"x"}' }), signIn)).kind, 'json');

  await writer.client.putBlob('photo', new Uint8Array(1000).fill(7));
  const blob = (scenario, extra = {}) => ({ scenario, match: '/v1/blobs/photo', ...extra });
  const fetchBlob = () => reader.getBlob('photo');
  assert.equal((await hostile(blob('truncated_body'), fetchBlob)).kind, 'network');
  assert.equal((await hostile(blob('static', { content_type: 'application/octet-stream', body: 'A'.repeat(60) }), fetchBlob)).kind, 'crypto');
  assert.equal((await hostile(blob('static', { content_type: 'application/octet-stream', body: 'short' }), fetchBlob)).kind, 'crypto');
  assert.deepEqual(await reader.getBlob('photo'), new Uint8Array(1000).fill(7));
  assert.equal(store.removes, 0);
});
