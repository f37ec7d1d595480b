// Local replicas in Node against the real synckit-server over loopback: offline writes converge by
// the merge rule, subscribers hear local and remote changes, the sync loop wakes on live pull, and
// an IndexedDB replica (fake-indexeddb) survives a restart with its outbox and holds no plaintext.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { IDBFactory } from 'fake-indexeddb';

import { ServerProcess } from '../support/server.mjs';
import { SyncKitError, clientFor, pullAll, readyClient } from '../support/client.mjs';

let server;
const clients = [];
const track = (ready) => (clients.push(ready.client), ready);

before(async () => {
  server = await ServerProcess.start();
});

after(async () => {
  for (const client of clients) client.dispose();
  await server?.dispose();
});

async function twoDevices() {
  const a = track(await readyClient(server));
  const b = track(await readyClient(server, { email: a.email, password: a.password, encryption: a.encryption, join: true }));
  return { a, b };
}

// Resolves with the first event `predicate` accepts (waits on the subscription, not on time).
function nextEvent(replica, table, predicate) {
  return new Promise((resolve) => {
    const stop = replica.subscribe(table, (event) => {
      if (!predicate(event)) return;
      stop();
      resolve(event);
    });
  });
}

test('replicas written offline converge; subscribers hear local and remote changes', async () => {
  const { a, b } = await twoDevices();
  const ra = await a.client.openReplica(a.device.id);
  const rb = await b.client.openReplica(b.device.id);
  const heard = [];
  rb.subscribe('todos', (event) => heard.push(event));

  await ra.put('todos', 't1', { title: 'Buy milk', done: false });
  await ra.put('todos', 't2', { title: 'Grüße' });
  await rb.put('todos', 't3', ['a', 1, null]);
  await rb.delete('todos', 'never-written');
  assert.deepEqual(await ra.get('todos', 't1'), { title: 'Buy milk', done: false });
  assert.equal(await ra.get('todos', 't3'), null);
  assert.equal(ra.status().pending, 2);
  assert.equal(ra.status().lastSyncAt, null);
  assert.deepEqual(heard.map((e) => [e.origin, e.rows]), [
    ['local', [{ rowId: 't3', data: ['a', 1, null] }]],
    ['local', [{ rowId: 'never-written', data: null }]],
  ]);

  assert.deepEqual(await ra.sync(), { pushed: 2, pulled: 0, rejected: [] });
  const roundB = await rb.sync();
  assert.equal(roundB.pushed, 2);
  assert.equal(roundB.pulled, 2);
  await ra.sync();
  const expected = [
    { rowId: 't1', data: { title: 'Buy milk', done: false } },
    { rowId: 't2', data: { title: 'Grüße' } },
    { rowId: 't3', data: ['a', 1, null] },
  ];
  assert.deepEqual(await ra.list('todos'), expected);
  assert.deepEqual(await rb.list('todos'), expected);
  assert.equal(heard.at(-1).origin, 'remote');
  assert.deepEqual(heard.at(-1).rows.map((r) => r.rowId), ['t1', 't2']);

  // A write after seeing another's wins everywhere; a delete stays.
  await rb.put('todos', 't1', { title: 'Buy milk', done: true });
  await ra.delete('todos', 't2');
  await rb.sync();
  await ra.sync();
  await rb.sync();
  assert.deepEqual(await ra.list('todos'), await rb.list('todos'));
  assert.deepEqual(await ra.get('todos', 't1'), { title: 'Buy milk', done: true });
  assert.equal(await rb.get('todos', 't2'), null);
  const status = ra.status();
  assert.equal(status.pending, 0);
  assert.ok(status.lastSyncAt instanceof Date);
  assert.equal(status.online, true);
  assert.equal(status.lastError, null);

  // Typed errors for bad input; nothing is stored.
  await assert.rejects(ra.put('', 'x', 1), (e) => e instanceof SyncKitError && e.kind === 'invalid_input' && e.field === 'table');
  await assert.rejects(ra.put('todos', 'x', undefined), (e) => e instanceof SyncKitError && e.field === 'data');
  await assert.rejects(ra.put('todos', 'x', null), (e) => e instanceof SyncKitError && e.field === 'data');
  await assert.rejects(ra.put('todos', 'x'.repeat(257), 1), (e) => e instanceof SyncKitError && e.kind === 'invalid_input');
  assert.equal(ra.status().pending, 0);
  ra.close();
  await assert.rejects(ra.put('todos', 'x', 1), (e) => e instanceof SyncKitError && e.kind === 'cancelled');
  await assert.rejects(ra.get('todos', 't1'), (e) => e.kind === 'cancelled');
  rb.close();
});

test('the sync loop wakes on another device\'s push (live pull) and pushes local writes', async () => {
  const { a, b } = await twoDevices();
  const ra = await a.client.openReplica(a.device.id);
  const rb = await b.client.openReplica(b.device.id);
  ra.start();
  rb.start();
  const arrived = nextEvent(ra, 'todos', (e) => e.origin === 'remote' && e.rows.some((r) => r.rowId === 'from-b'));
  await rb.put('todos', 'from-b', 'hello');
  const event = await arrived;
  assert.deepEqual(event.rows, [{ rowId: 'from-b', data: 'hello' }]);
  assert.equal(await ra.get('todos', 'from-b'), 'hello');
  assert.equal(ra.status().running, true);
  ra.stop();
  rb.stop();
  assert.equal(ra.status().running, false);
  ra.close();
  rb.close();
});

test('an IndexedDB replica survives a restart with its outbox, holds no plaintext, and belongs to one device', async () => {
  const indexedDB = new IDBFactory();
  const a = track(await readyClient(server));
  const session = a.client.session();
  let replica = await a.client.openReplica(a.device.id, { indexedDB, name: 'notes' });
  await replica.put('secret-table', 'secret-row-id', { title: 'plaintext-marker' });
  await replica.put('todos', 'x', 'other-marker');
  // One replica object per database at a time.
  await assert.rejects(a.client.openReplica(a.device.id, { indexedDB, name: 'notes' }),
    (e) => e instanceof SyncKitError && e.kind === 'storage');
  replica.close();

  // Every byte the database holds: no plaintext, no row id, no table name, no device id.
  const names = (await indexedDB.databases()).map((d) => d.name);
  assert.equal(names.length, 1);
  assert.ok(names[0].startsWith('synckit-replica:'));
  const bytes = await allBytes(indexedDB, names[0]);
  for (const secret of ['plaintext-marker', 'other-marker', 'secret-row-id', 'secret-table', a.device.id, 'title']) {
    assert.equal(Buffer.from(bytes).includes(Buffer.from(secret)), false, secret);
  }

  // A new process: a new client from the saved session, the same database.
  a.client.dispose();
  const again = await clientFor(server, { session });
  clients.push(again);
  assert.equal(await again.unlock(), false);  // the memory key store is empty now
  await again.setupEncryptionExisting(a.encryption);
  replica = await again.openReplica(a.device.id, { indexedDB, name: 'notes' });
  assert.deepEqual(await replica.get('secret-table', 'secret-row-id'), { title: 'plaintext-marker' });
  assert.equal(replica.status().pending, 2);
  assert.equal((await replica.sync()).pushed, 2);
  assert.equal(replica.status().pending, 0);
  replica.close();

  // Another device's id for the same database is refused; a fresh name is a fresh replica.
  const other = await again.registerDevice('other', 'node');
  await assert.rejects(again.openReplica(other.id, { indexedDB, name: 'notes' }),
    (e) => e instanceof SyncKitError && e.kind === 'invalid_input' && e.field === 'device_id');
  const fresh = await again.openReplica(other.id, { indexedDB, name: 'fresh' });
  assert.equal((await fresh.sync()).pulled, 2);
  assert.deepEqual(await fresh.list('todos'), [{ rowId: 'x', data: 'other-marker' }]);
  fresh.close();

  // Closing with a write still in IndexedDB: the write rejects, nothing breaks, the database reopens.
  const closing = await again.openReplica(other.id, { indexedDB, name: 'fresh' });
  const inFlight = closing.put('todos', 'late', 1);
  closing.close();
  await assert.rejects(inFlight, (e) => e instanceof SyncKitError && ['cancelled', 'storage'].includes(e.kind));
  const reopened = await again.openReplica(other.id, { indexedDB, name: 'fresh' });
  assert.deepEqual((await reopened.list('todos')).map((r) => r.rowId), ['x']);
  reopened.close();

  // The server holds each write once.
  const reader = await again.registerDevice('reader', 'node');
  assert.equal((await pullAll(again, reader.id)).changes.length, 2);
});

// Concatenates every key and value of database `name`.
async function allBytes(factory, name) {
  const db = await new Promise((resolve, reject) => {
    const request = factory.open(name);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const transaction = db.transaction('kv', 'readonly');
  const store = transaction.objectStore('kv');
  const [keys, values] = await Promise.all([
    new Promise((resolve) => { store.getAllKeys().onsuccess = (e) => resolve(e.target.result); }),
    new Promise((resolve) => { store.getAll().onsuccess = (e) => resolve(e.target.result); }),
  ]);
  db.close();
  const parts = [...keys, ...values].map((v) => new Uint8Array(v instanceof ArrayBuffer ? v : v.buffer ?? v));
  return Buffer.concat(parts.map((p) => Buffer.from(p)));
}
