// The JS client against the real synckit-server over loopback: the same scenarios as the native
// integration tests (tests/integration).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { ServerProcess } from '../support/server.mjs';
import { SyncKitError, clientFor, pullAll, readyClient, sampleChanges, uniqueEmail } from '../support/client.mjs';

let server;
const clients = [];
const track = (client) => (clients.push(client), client);

before(async () => {
  server = await ServerProcess.start();
});

after(async () => {
  for (const client of clients) client.dispose();
  await server?.dispose();
});

test('two devices sync both ways, and only other devices\' changes come back', async () => {
  const a = await readyClient(server);
  const b = await readyClient(server, { email: a.email, password: a.password, encryption: a.encryption, join: true });
  track(a.client);
  track(b.client);

  const fromA = sampleChanges(3, { prefix: 'a-' });
  await a.client.push(a.device.id, fromA);
  const pulledByB = await pullAll(b.client, b.device.id);
  assert.equal(pulledByB.changes.length, 3);
  pulledByB.changes.forEach((change, i) => {
    assert.equal(change.deviceId, a.device.id);
    assert.equal(change.table, 'todos');
    assert.equal(change.op, 'insert');
    assert.equal(change.rowId, `a-${i}`);
    assert.ok(change.timestamp instanceof Date);
    assert.equal(change.timestamp.getTime(), fromA[i].timestamp.getTime());
    assert.deepEqual(change.data, fromA[i].data);
  });

  const update = { table: 'todos', op: 'update', rowId: 'a-1', timestamp: '2026-11-25T10:00:00.123Z', data: { done: true, tags: ['x', 'ü'] } };
  const removal = { table: 'todos', op: 'delete', rowId: 'a-2', timestamp: new Date('2026-11-25T10:00:01Z') };
  await b.client.push(b.device.id, [update, removal]);
  const pulledByA = await pullAll(a.client, a.device.id);
  assert.deepEqual(
    pulledByA.changes.map((c) => [c.op, c.rowId, c.timestamp.toISOString(), c.data]),
    [
      ['update', 'a-1', '2026-11-25T10:00:00.123Z', { done: true, tags: ['x', 'ü'] }],
      ['delete', 'a-2', '2026-11-25T10:00:01.000Z', null],
    ],
  );
  // Nothing new for B after its own push: its own changes are not sent back to it.
  const again = await b.client.pull(b.device.id, pulledByB.cursor);
  assert.equal(again.changes.length, 0);
  assert.equal(again.hasMore, false);
});

test('a second device needs the encryption password; a wrong one is wrong_password', async () => {
  const a = await readyClient(server);
  track(a.client);
  const b = track(await clientFor(server));
  await b.authenticate(a.email, a.password);
  await assert.rejects(b.setupEncryptionExisting('not the password'), (error) => {
    assert.ok(error instanceof SyncKitError);
    assert.equal(error.kind, 'wrong_password');
    assert.ok(!error.message.includes('not the password'));
    return true;
  });
  assert.equal(b.encryptionReady, false);
  await b.setupEncryptionExisting(a.encryption);
  assert.equal(b.encryptionReady, true);
});

test('wrong sign-in credentials are unauthorized; a taken email is a conflict', async () => {
  const a = await readyClient(server);
  track(a.client);
  const other = track(await clientFor(server));
  await assert.rejects(other.authenticate(a.email, 'wrong'), { name: 'SyncKitError', kind: 'unauthorized', status: 401 });
  await assert.rejects(other.createAccount(a.email, 'whatever'), { kind: 'conflict', status: 409 });
});

test('change password: the old one stops working, the new one opens the key on another device', async () => {
  const a = await readyClient(server);
  track(a.client);
  await assert.rejects(a.client.changePassword('wrong old', 'new enc'), { kind: 'wrong_password' });
  await a.client.changePassword(a.encryption, 'new enc');
  const b = track(await clientFor(server));
  await b.authenticate(a.email, a.password);
  await assert.rejects(b.setupEncryptionExisting(a.encryption), { kind: 'wrong_password' });
  await b.setupEncryptionExisting('new enc');
  const device = await b.registerDevice('b', 'node');
  await a.client.push(a.device.id, sampleChanges(1));
  assert.equal((await pullAll(b, device.id)).changes.length, 1);
});

test('blobs: round trip of binary data, 40 bytes of overhead, delete, not_found', async () => {
  const a = await readyClient(server);
  const b = await readyClient(server, { email: a.email, password: a.password, encryption: a.encryption, join: true });
  track(a.client);
  track(b.client);
  const bytes = new Uint8Array(100_000).map((_, i) => (i * 7 + 3) & 0xff);
  await a.client.putBlob('photo-1', bytes);
  const back = await b.client.getBlob('photo-1');
  assert.deepEqual(back, bytes);
  back[0] ^= 1;  // the caller's own copy: changing it changes nothing else
  assert.deepEqual(await b.client.getBlob('photo-1'), bytes);
  const status = await a.client.status();
  assert.equal(status.blobs, 1);
  assert.equal(status.blobBytes, bytes.length + 40);
  await a.client.putBlob('empty', new Uint8Array(0));
  assert.equal((await b.client.getBlob('empty')).length, 0);
  await a.client.deleteBlob('photo-1');
  await assert.rejects(b.client.getBlob('photo-1'), { kind: 'not_found', status: 404 });
});

test('pagination: hasMore until everything is pulled, in order', async () => {
  const a = await readyClient(server);
  const b = await readyClient(server, {
    email: a.email, password: a.password, encryption: a.encryption, join: true, extra: { pullLimit: 7 },
  });
  track(a.client);
  track(b.client);
  await a.client.push(a.device.id, sampleChanges(50));
  let cursor = 0;
  let pages = 0;
  const rows = [];
  for (;;) {
    const page = await b.client.pull(b.device.id, cursor);
    pages += 1;
    assert.ok(page.changes.length <= 7);
    rows.push(...page.changes.map((c) => c.rowId));
    assert.ok(page.cursor >= cursor);
    cursor = page.cursor;
    if (!page.hasMore) break;
  }
  assert.equal(pages, 8);
  assert.deepEqual(rows, Array.from({ length: 50 }, (_, i) => `row-${i}`));
});

test('devices: list and revoke; a revoked device is forbidden', async () => {
  const a = await readyClient(server);
  const b = await readyClient(server, { email: a.email, password: a.password, encryption: a.encryption, join: true });
  track(a.client);
  track(b.client);
  const devices = await a.client.listDevices();
  assert.deepEqual(devices.map((d) => d.name).sort(), ['first', 'second']);
  assert.ok(devices.every((d) => d.createdAt instanceof Date && !Number.isNaN(d.createdAt.getTime())));
  await a.client.revokeDevice(b.device.id);
  await assert.rejects(b.client.pull(b.device.id, 0), { kind: 'forbidden', status: 403 });
});

test('sessions: tokens reported, restored in a new client, logout clears them and the key', async () => {
  const seen = [];
  const email = uniqueEmail();
  const a = track(await clientFor(server, { onSessionChange: (tokens) => seen.push(tokens) }));
  await a.createAccount(email, 'pw');
  await a.setupEncryptionNew('enc');
  const device = await a.registerDevice('a', 'node');
  assert.ok(seen.length >= 1 && seen.at(-1).accessToken && seen.at(-1).refreshToken);
  const session = a.session();
  assert.deepEqual(session, seen.at(-1));

  const resumed = track(await clientFor(server, { session }));
  assert.equal((await resumed.status()).userId, session.userId);
  assert.throws(() => resumed.restoreSession({ userId: 'x' }), { name: 'SyncKitError', kind: 'invalid_input' });

  await a.logout();
  assert.equal(seen.at(-1), null);
  assert.equal(a.session(), null);
  assert.equal(a.encryptionReady, false);
  await assert.rejects(a.push(device.id, sampleChanges(1)), { kind: 'not_set_up' });
});

test('expired access tokens are refreshed silently (token TTL inside the 30 s buffer)', async () => {
  const short = await ServerProcess.start(['--token-ttl', '20']);
  try {
    const rotations = [];
    const a = track(await clientFor(short, { onSessionChange: (tokens) => rotations.push(tokens) }));
    await a.createAccount(uniqueEmail(), 'pw');
    await a.setupEncryptionNew('enc');
    const device = await a.registerDevice('a', 'node');
    await a.push(device.id, sampleChanges(2));
    assert.equal((await a.status()).changes, 2);
    // Each call saw an access token within 30 s of expiry, so it refreshed first (rotation).
    const refreshTokens = new Set(rotations.filter(Boolean).map((t) => t.refreshToken));
    assert.ok(refreshTokens.size >= 3, `expected several rotations, saw ${refreshTokens.size}`);
  } finally {
    await short.dispose();
  }
});
