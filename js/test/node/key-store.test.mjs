// Key stores: the IndexedDB store (on fake-indexeddb here; real Chromium in test/browser) keeps the
// master key only wrapped by a non-extractable AES-GCM key; a pluggable store's failures are typed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto as crypto } from 'node:crypto'; // Node 18 has no global crypto
import { IDBFactory } from 'fake-indexeddb';

import { ServerProcess } from '../support/server.mjs';
import {
  IndexedDBKeyStore, MemoryKeyStore, SyncKitError, clientFor, pullAll, readyClient, sampleChanges, uniqueEmail,
} from '../support/client.mjs';

let server;
before(async () => {
  server = await ServerProcess.start();
});
after(async () => {
  await server?.dispose();
});

function records(factory, name = 'synckit-keys') {
  return new Promise((resolve, reject) => {
    const open = factory.open(name, 1);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const request = db.transaction('keys', 'readonly').objectStore('keys').getAll();
      request.onsuccess = () => {
        db.close();
        resolve(request.result);
      };
      request.onerror = () => reject(request.error);
    };
  });
}

test('IndexedDB store: the key is wrapped by a non-extractable key, unlocks a new client, logout removes it', async () => {
  const factory = new IDBFactory();
  const keyStore = new IndexedDBKeyStore({ indexedDB: factory });
  const peer = await readyClient(server);
  const a = await readyClient(server, {
    email: peer.email, password: peer.password, encryption: peer.encryption, join: true, extra: { keyStore },
  });
  try {
    const stored = await records(factory);
    assert.equal(stored.length, 1);
    const [record] = stored;
    assert.equal(record.wrappingKey.extractable, false);
    assert.deepEqual(record.wrappingKey.algorithm, { name: 'AES-GCM', length: 256 });
    await assert.rejects(crypto.subtle.exportKey('raw', record.wrappingKey));
    assert.equal(record.wrapped.byteLength, 32 + 16);
    assert.deepEqual(Object.keys(record).sort(), ['id', 'iv', 'wrapped', 'wrappingKey']);

    // A new client (a page reload) with the saved session unlocks without the password.
    await peer.client.push(peer.device.id, sampleChanges(3));
    const reloaded = await clientFor(server, { keyStore: new IndexedDBKeyStore({ indexedDB: factory }), session: a.client.session() });
    try {
      assert.equal(reloaded.encryptionReady, false);
      assert.equal(await reloaded.unlock(), true);
      assert.equal(reloaded.encryptionReady, true);
      const { changes } = await pullAll(reloaded, a.device.id);
      assert.deepEqual(changes.map((c) => c.rowId), ['row-0', 'row-1', 'row-2']);
      await reloaded.logout();
      assert.equal((await records(factory)).length, 0);
    } finally {
      reloaded.dispose();
    }
    const afterLogout = await clientFor(server, { keyStore: new IndexedDBKeyStore({ indexedDB: factory }) });
    try {
      await afterLogout.authenticate(a.email, a.password);
      assert.equal(await afterLogout.unlock(), false);
    } finally {
      afterLogout.dispose();
    }
  } finally {
    a.client.dispose();
    peer.client.dispose();
  }
});

test('IndexedDB store: a record moved to another account does not open', async () => {
  const factory = new IDBFactory();
  const store = new IndexedDBKeyStore({ indexedDB: factory });
  const entry = { serverUrl: 'https://a.example', appId: 'app', userId: 'u1' };
  const key = crypto.getRandomValues(new Uint8Array(32));
  await store.save(entry, key);
  assert.deepEqual(await store.load(entry), key);
  const [record] = await records(factory);
  const other = { ...entry, userId: 'u2' };
  const db = await new Promise((resolve) => {
    const open = factory.open('synckit-keys', 1);
    open.onsuccess = () => resolve(open.result);
  });
  await new Promise((resolve) => {
    const tx = db.transaction('keys', 'readwrite');
    tx.objectStore('keys').put({ ...record, id: JSON.stringify([other.serverUrl, other.appId, other.userId]) });
    tx.oncomplete = resolve;
  });
  db.close();
  await assert.rejects(store.load(other));  // the record id is the AES-GCM associated data
  await store.remove(entry);
  assert.equal(await store.load(entry), null);
  store.close();
});

test('MemoryKeyStore is the default in Node: a new client in the same process with its own store starts locked', async () => {
  const a = await readyClient(server);
  try {
    const other = await clientFor(server, { session: a.client.session(), keyStore: new MemoryKeyStore() });
    try {
      assert.equal(await other.unlock(), false);
    } finally {
      other.dispose();
    }
  } finally {
    a.client.dispose();
  }
});

test('a failing key store: save failures are logged (the key stays unlocked), load failures are keychain errors', async () => {
  const lines = [];
  const failing = {
    save: async () => { throw new Error('disk full'); },
    load: async () => { throw new Error('locked'); },
    remove: async () => undefined,
  };
  const client = await clientFor(server, { keyStore: failing, log: (l) => lines.push(l) });
  try {
    await client.createAccount(uniqueEmail(), 'pw');
    await client.setupEncryptionNew('enc');
    assert.equal(client.encryptionReady, true);
    assert.ok(lines.some((l) => l.includes('key store')), lines.join('\n'));
    await assert.rejects(client.unlock(), (error) => {
      assert.ok(error instanceof SyncKitError);
      assert.equal(error.kind, 'keychain');
      assert.match(error.message, /locked/);
      return true;
    });
  } finally {
    client.dispose();
  }
});

test('a key store returning a key of the wrong size is a keychain error, not a crash', async () => {
  const a = await readyClient(server);
  const bad = { save: async () => {}, load: async () => new Uint8Array(31), remove: async () => {} };
  const client = await clientFor(server, { keyStore: bad, session: a.client.session() });
  try {
    await assert.rejects(client.unlock(), { kind: 'keychain' });
    const worse = await clientFor(server, { keyStore: { ...bad, load: () => 'nope' }, session: a.client.session() });
    try {
      await assert.rejects(worse.unlock(), { kind: 'keychain' });
    } finally {
      worse.dispose();
    }
  } finally {
    client.dispose();
    a.client.dispose();
  }
});
