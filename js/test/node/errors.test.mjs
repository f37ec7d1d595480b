// Errors: every rejection is a SyncKitError with the core's kind; bad input never reaches the
// server; the kinds of the TypeScript type are exactly the core's table.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { ServerProcess } from '../support/server.mjs';
import { SyncKit, SyncKitError, errorKinds, readyClient, clientFor, sampleChanges } from '../support/client.mjs';

let server;
let ready;

before(async () => {
  server = await ServerProcess.start();
  ready = await readyClient(server);
});

after(async () => {
  ready?.client.dispose();
  await server?.dispose();
});

test('the error kinds of the .d.ts are the core table, each with a message', async () => {
  const kinds = await errorKinds();
  const declared = readFileSync(new URL('../../dist/sync-kit-error.d.ts', import.meta.url), 'utf8');
  const line = declared.split('\n').find((l) => l.startsWith('export type SyncKitErrorKind'));
  const union = [...line.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]);
  assert.deepEqual(union, kinds.map((k) => k.kind));
  assert.ok(kinds.every((k) => k.message.length > 0));
});

test('bad options: invalid_input, synchronously from create', async () => {
  const base = { serverUrl: server.url, apiKey: server.apiKey };
  for (const options of [
    { ...base, serverUrl: 'http://example.com' },
    { ...base, serverUrl: 'ftp://127.0.0.1/' },
    { ...base, apiKey: '' },
    { ...base, pullLimit: 0 },
    { ...base, pullLimit: 1.5 },
    { ...base, timeoutMs: -1 },
    { ...base, retry: { maxRetries: 'three' } },
    { serverUrl: server.url },
  ]) {
    await assert.rejects(SyncKit.create(options), (error) => {
      assert.ok(error instanceof SyncKitError, String(error));
      assert.equal(error.kind, 'invalid_input');
      return true;
    }, JSON.stringify(options));
  }
  await assert.rejects(SyncKit.create(null), { kind: 'invalid_input' });
});

test('bad changes are invalid_input naming the field, and nothing is pushed', async () => {
  const { client, device } = ready;
  const good = sampleChanges(1)[0];
  const cases = [
    [[{ ...good, op: 'upsert' }], 'changes[0].op'],
    [[good, { ...good, table: '' }], 'changes[1].table'],
    [[{ ...good, rowId: 'x'.repeat(257) }], 'changes[0].rowId'],
    [[{ ...good, timestamp: 'yesterday' }], 'changes[0].timestamp'],
    [[{ ...good, timestamp: new Date(NaN) }], 'changes[0].timestamp'],
    [[{ ...good, op: 'delete', data: { still: 'here' } }], null],
    [[{ ...good, op: 'insert', data: null }], null],
    [[{ ...good, table: 42 }], 'changes[0].table'],
    [[null], 'changes[0]'],
  ];
  for (const [changes, field] of cases) {
    await assert.rejects(client.push(device.id, changes), (error) => {
      assert.ok(error instanceof SyncKitError);
      assert.equal(error.kind, 'invalid_input', error.message);
      if (field) assert.ok(error.field === field || error.message.includes(field), `${error.field} / ${error.message}`);
      return true;
    }, JSON.stringify(changes).slice(0, 80));
  }
  await assert.rejects(client.push(device.id, 'not an array'), { kind: 'invalid_input' });
  const cyclic = { ...good, data: {} };
  cyclic.data.self = cyclic.data;
  await assert.rejects(client.push(device.id, [cyclic]), { kind: 'invalid_input' });
  assert.equal((await client.status()).changes, 0);
});

test('other bad input: cursor, blob bytes, blob ids, device ids', async () => {
  const { client, device } = ready;
  for (const cursor of [-1, 1.5, Number.NaN, 2 ** 60]) {
    await assert.rejects(client.pull(device.id, cursor), { kind: 'invalid_input' }, String(cursor));
  }
  await assert.rejects(client.putBlob('b1', 'not bytes'), { kind: 'invalid_input' });
  await assert.rejects(client.putBlob('../escape', new Uint8Array(1)), { kind: 'invalid_input' });
  await assert.rejects(client.getBlob(''), { kind: 'invalid_input' });
  await assert.rejects(client.pull('not-a-device', 0), (error) => ['invalid_input', 'forbidden', 'not_found'].includes(error.kind));
});

test('calls before sign-in or set-up are not_set_up; after dispose too, and pending calls reject', async () => {
  const client = await clientFor(server);
  await assert.rejects(client.status(), (error) => error instanceof SyncKitError && ['not_set_up', 'unauthorized'].includes(error.kind));
  await assert.rejects(client.push('d', sampleChanges(1)), { kind: 'not_set_up' });
  await assert.rejects(client.getBlob('b'), { kind: 'not_set_up' });
  const pending = client.authenticate(ready.email, ready.password);  // Argon2id keeps it busy
  client.dispose();
  await assert.rejects(pending, { kind: 'not_set_up', message: /disposed/ });
  await assert.rejects(client.status(), { kind: 'not_set_up' });
  assert.throws(() => client.session(), { kind: 'not_set_up' });
  client.dispose();  // twice is fine
});

test('server errors keep their HTTP status; messages hold no secrets', async () => {
  const client = await clientFor(server);
  try {
    await assert.rejects(client.authenticate(ready.email, 'secret-wrong-password-123'), (error) => {
      assert.equal(error.kind, 'unauthorized');
      assert.equal(error.status, 401);
      assert.ok(!error.message.includes('secret-wrong-password-123'));
      assert.ok(!error.message.includes(ready.email));
      return true;
    });
  } finally {
    client.dispose();
  }
});
