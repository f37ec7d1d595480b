// Live pull (protocol 1.1) from the npm package against the real server: pull({ wait }) ends when
// another device pushes, an AbortSignal ends it at once, and watch() delivers pages until stopped.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { ServerProcess } from '../support/server.mjs';
import { readyClient, sampleChanges } from '../support/client.mjs';

let server;
const clients = [];

before(async () => {
  server = await ServerProcess.start();
});

after(async () => {
  for (const client of clients) client.dispose();
  await server?.dispose();
});

async function twoDevices() {
  const a = await readyClient(server);
  const b = await readyClient(server, { email: a.email, password: a.password, encryption: a.encryption, join: true });
  clients.push(a.client, b.client);
  return { a, b };
}

const settledWithin = (promise, ms) =>
  Promise.race([promise.then(() => true, () => true), new Promise((done) => setTimeout(() => done(false), ms))]);

test('pull({ wait }) is held until another device pushes, then answers at once', async () => {
  const { a, b } = await twoDevices();
  const { cursor } = await b.client.pull(b.device.id, 0);
  const held = b.client.pull(b.device.id, cursor, { wait: 30 });
  assert.equal(await settledWithin(held, 300), false, 'held while there is nothing');
  const pushed = sampleChanges(1, { prefix: 'live-' });
  await a.client.push(a.device.id, pushed);
  const pushedAt = Date.now();
  const page = await held;
  assert.ok(Date.now() - pushedAt < 1000, `answered ${Date.now() - pushedAt} ms after the push`);
  assert.deepEqual(page.changes.map((c) => c.rowId), ['live-0']);

  const asked = Date.now();
  const empty = await b.client.pull(b.device.id, page.cursor, { wait: 1 });
  assert.deepEqual(empty.changes, []);
  assert.equal(empty.cursor, page.cursor);
  assert.ok(Date.now() - asked >= 900);
});

const eventually = async (predicate, ms = 3000) => {
  const until = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > until) return false;
    await new Promise((done) => setTimeout(done, 20));
  }
  return true;
};

test('an AbortSignal ends a held pull with kind cancelled, and its connection on the server', async () => {
  const { b } = await twoDevices();
  const controller = new AbortController();
  const idle = server.openSockets();
  const held = b.client.pull(b.device.id, 0, { wait: 30, signal: controller.signal });
  assert.equal(await settledWithin(held, 300), false);
  const holding = server.openSockets();
  const abortedAt = Date.now();
  controller.abort();
  await assert.rejects(held, { name: 'SyncKitError', kind: 'cancelled' });
  assert.ok(Date.now() - abortedAt < 1000);
  assert.ok(await eventually(() => server.openSockets() < holding), `sockets: idle ${idle}, held ${holding}, now ${server.openSockets()}`);
  await assert.rejects(b.client.pull(b.device.id, 0, { wait: 30, signal: controller.signal }), { kind: 'cancelled' });
  // the client works on
  assert.deepEqual((await b.client.pull(b.device.id, 0)).changes, []);
});

test('bad pull and watch options are invalid_input', async () => {
  const { b } = await twoDevices();
  for (const wait of [-1, 61, 1.5, '3', NaN]) {
    await assert.rejects(b.client.pull(b.device.id, 0, { wait }), { kind: 'invalid_input' }, `wait ${wait}`);
  }
  await assert.rejects(b.client.pull(b.device.id, 0, { signal: {} }), { kind: 'invalid_input' });
  assert.throws(() => b.client.watch(b.device.id, 0, () => {}, { wait: 0 }), { kind: 'invalid_input' });
  assert.throws(() => b.client.watch(b.device.id, 0, 'not a function'), { kind: 'invalid_input' });
});

test('watch() delivers pages as they are pushed; its stop function ends it', async () => {
  const { a, b } = await twoDevices();
  await a.client.push(a.device.id, sampleChanges(1, { prefix: 'before-' }));
  const seen = [];
  let wake = null;
  const stop = b.client.watch(b.device.id, 0, (page) => {
    seen.push(...page.changes.map((c) => c.rowId));
    wake?.();
  });
  const until = (count) =>
    new Promise((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`only ${seen.length} of ${count} changes came`)), 5000);
      const check = () => (seen.length >= count ? (clearTimeout(timer), done()) : (wake = check));
      check();
    });
  await until(1);
  for (let i = 0; i < 3; i++) {
    await a.client.push(a.device.id, sampleChanges(1, { prefix: `w${i}-` }));
    const pushedAt = Date.now();
    await until(2 + i);
    assert.ok(Date.now() - pushedAt < 1000);
  }
  assert.deepEqual(seen, ['before-0', 'w0-0', 'w1-0', 'w2-0']);
  stop();
  stop();  // twice is fine
  await a.client.push(a.device.id, sampleChanges(1, { prefix: 'after-' }));
  await new Promise((done) => setTimeout(done, 300));
  assert.equal(seen.length, 4, 'nothing after stop');
});

test('watch() ends through onError when the device is revoked', async () => {
  const { a, b } = await twoDevices();
  const ended = new Promise((done) => {
    b.client.watch(b.device.id, 0, () => {}, { onError: done });
  });
  await a.client.revokeDevice(b.device.id);
  await a.client.push(a.device.id, sampleChanges(1));
  const error = await Promise.race([ended, new Promise((_, fail) => setTimeout(() => fail(new Error('no onError')), 10000))]);
  assert.equal(error.kind, 'forbidden');
});
