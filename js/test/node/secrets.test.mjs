// Secrets audit of the JS target: after a full session (sign-up, set-up, a second device, rows and a
// blob with plaintext markers, a recovery code, failed calls, logout), the password, the master key,
// the login auth key, the recovery code and its keys and the plaintext appear in none of: the clients' log lines, error messages, the IndexedDB key
// store, the server's database files and the server's log.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { IDBFactory } from 'fake-indexeddb';
import sodiumModule from 'libsodium-wrappers-sumo';

import { ServerProcess } from '../support/server.mjs';
import { IndexedDBKeyStore, SyncKit, SyncKitError, pullAll } from '../support/client.mjs';

const SIGN_IN = 'Sign-in-Secret-7f3a';
const ENCRYPTION = 'Encryption-Secret-91bc';
const EMAIL = `Audit-${process.pid}@Example.com`;
const MARKERS = ['PLAINTEXT-MARKER-ROW-4d2e', 'PLAINTEXT-MARKER-TABLE-8c1f', 'PLAINTEXT-MARKER-ROWID-2b7a', 'PLAINTEXT-MARKER-BLOB-6e90'];

let server;
after(async () => {
  await server?.dispose();
});

// The protocol's login auth key (protocol.md: Auth), computed independently with libsodium.js.
async function authKey(email, password) {
  await sodiumModule.ready;
  const sodium = sodiumModule;
  const lowered = email.replace(/[A-Z]/g, (c) => c.toLowerCase());
  const salt = sodium.crypto_generichash(16, new Uint8Array([...new TextEncoder().encode('synckit:v1:login'), 0, ...new TextEncoder().encode(lowered)]));
  return sodium.crypto_pwhash(32, password, salt, 3, 64 * 1024 * 1024, sodium.crypto_pwhash_ALG_ARGON2ID13);
}

// RK from a recovery code (crypto-format.md, "Recovery key"), decoded here independently.
function recoveryKeyOf(code) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of code.slice(5).replaceAll('-', '')) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const bytes = new Uint8Array(35);
  for (let i = 0; i < 35; i += 1) bytes[i] = parseInt(bits.slice(i * 8, i * 8 + 8), 2);
  // The checksum proves the decoding (and so the scan below looks for the right bytes).
  assert.deepEqual(sodiumModule.crypto_generichash(32, bytes.slice(0, 32)).slice(0, 3), bytes.slice(32));
  return bytes.slice(0, 32);
}

// Every form a secret could take in text or bytes.
function forms(bytes) {
  const buffer = Buffer.from(bytes);
  return [buffer, Buffer.from(buffer.toString('base64')), Buffer.from(buffer.toString('base64url')), Buffer.from(buffer.toString('hex'))];
}

function assertAbsent(haystack, needles, where) {
  const bytes = Buffer.isBuffer(haystack) ? haystack : Buffer.from(String(haystack));
  for (const [name, needle] of needles) {
    assert.equal(bytes.indexOf(needle), -1, `${name} found in ${where}`);
  }
}

test('no password, key or plaintext in logs, errors, key store, server database or server log', async () => {
  server = await ServerProcess.start();
  const lines = [];
  const errors = [];
  let masterKey = null;
  let recoveryCode = null;
  const factory = new IDBFactory();
  const idb = new IndexedDBKeyStore({ indexedDB: factory });
  // Records the key SyncKit hands the store (the only way JavaScript ever sees it), then stores it.
  const spy = {
    save: async (entry, key) => {
      masterKey = key.slice();
      return idb.save(entry, key);
    },
    load: (entry) => idb.load(entry),
    remove: (entry) => idb.remove(entry),
  };
  const options = { serverUrl: server.url, apiKey: server.apiKey, log: (line) => lines.push(line) };
  const expectError = async (promise) => {
    try {
      await promise;
      assert.fail('expected a SyncKitError');
    } catch (error) {
      assert.ok(error instanceof SyncKitError);
      errors.push(`${error.kind} ${error.status} ${error.field} ${error.message}`);
    }
  };

  const a = await SyncKit.create({ ...options, keyStore: spy });
  const b = await SyncKit.create(options);
  try {
    await a.createAccount(EMAIL, SIGN_IN);
    await expectError(a.setupEncryptionExisting(ENCRYPTION));  // none yet
    await a.setupEncryptionNew(ENCRYPTION);
    const da = await a.registerDevice('laptop', 'node');
    await a.push(da.id, [
      { table: MARKERS[1], op: 'insert', rowId: MARKERS[2], timestamp: new Date(), data: { note: MARKERS[0] } },
    ]);
    await a.putBlob('blob-1', new TextEncoder().encode(`${MARKERS[3]} ${'x'.repeat(100)}`));
    await expectError(b.authenticate(EMAIL, `${SIGN_IN}-wrong`));
    await b.authenticate(EMAIL, SIGN_IN);
    await expectError(b.setupEncryptionExisting(`${ENCRYPTION}-wrong`));
    await b.setupEncryptionExisting(ENCRYPTION);
    const db = await b.registerDevice('phone', 'node');
    const { changes } = await pullAll(b, db.id);
    assert.equal(changes[0].data.note, MARKERS[0]);
    assert.match(new TextDecoder().decode(await b.getBlob('blob-1')), new RegExp(MARKERS[3]));
    await expectError(b.push(db.id, [{ table: MARKERS[1], op: 'delete', rowId: MARKERS[2], timestamp: new Date(), data: { x: MARKERS[0] } }]));
    await expectError(b.getBlob('missing'));
    recoveryCode = await a.createRecoveryCode();
    const typo = recoveryCode.slice(0, 12) + (recoveryCode[12] === 'Q' ? 'R' : 'Q') + recoveryCode.slice(13);
    await expectError(b.recover(EMAIL, typo, 'some new password'));
    await expectError(b.recover(`x${EMAIL}`, recoveryCode, 'some new password'));
    await a.logout();
  } finally {
    a.dispose();
    b.dispose();
  }
  assert.ok(masterKey && masterKey.length === 32, 'the key store got the master key');
  assert.ok(lines.length > 10 && errors.length === 7);

  const auth = await authKey(EMAIL, SIGN_IN);
  const recoveryKey = recoveryKeyOf(recoveryCode);
  const recoveryAuth = sodiumModule.crypto_kdf_derive_from_key(32, 2, 'SKRECOV1', recoveryKey);
  const wrapKey = sodiumModule.crypto_kdf_derive_from_key(32, 1, 'SKRECOV1', recoveryKey);
  const needles = [
    ['sign-in password', Buffer.from(SIGN_IN)],
    ['encryption password', Buffer.from(ENCRYPTION)],
    ...forms(masterKey).map((form, i) => [`master key (form ${i})`, form]),
    ...forms(auth).map((form, i) => [`auth key (form ${i})`, form]),
    ['recovery code', Buffer.from(recoveryCode)],
    ['recovery code without dashes', Buffer.from(recoveryCode.replaceAll('-', ''))],
    ...forms(recoveryKey).map((form, i) => [`recovery key (form ${i})`, form]),
    ...forms(recoveryAuth).map((form, i) => [`recovery auth key (form ${i})`, form]),
    ...forms(wrapKey).map((form, i) => [`recovery wrap key (form ${i})`, form]),
    ...MARKERS.map((marker) => [marker, Buffer.from(marker)]),
  ];
  assertAbsent(lines.join('\n'), needles, 'the client log');
  assertAbsent(errors.join('\n'), needles, 'error messages');
  assertAbsent(server.stderr(), needles, 'the server log');
  for (const file of readdirSync(server.dir).filter((name) => name.startsWith('server.db'))) {
    assertAbsent(readFileSync(join(server.dir, file)), needles, `server file ${file}`);
  }
  // Logout removed the record; and while it existed it held no key bytes (key-store.test.mjs).
  const left = await new Promise((resolve) => {
    const open = factory.open('synckit-keys', 1);
    open.onsuccess = () => {
      const request = open.result.transaction('keys', 'readonly').objectStore('keys').getAll();
      request.onsuccess = () => resolve(request.result);
    };
  });
  assert.deepEqual(left, []);
  // The auth key really is what went over the wire (so the scan above looked for the right bytes).
  const login = await fetch(`${server.url}/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-SyncKit-Api-Key': server.apiKey },
    body: JSON.stringify({ email: EMAIL, auth_key: Buffer.from(auth).toString('base64') }),
  });
  assert.equal(login.status, 200);
});
