// Transient failures: the server injects 503 and 429 replies into 30% of requests (they never touch
// its database). Every change still arrives exactly once and in order; each injected fault is
// one retry in the client's log (counted against the server's request log).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';

import { ServerProcess } from '../support/server.mjs';
import { pullAll, readyClient, sampleChanges } from '../support/client.mjs';

const servers = [];
after(async () => {
  for (const server of servers) await server.dispose();
});

for (const status of ['503', '429']) {
  test(`30% injected ${status}: 600 changes arrive exactly once, in order`, async () => {
    const server = await ServerProcess.start(['--fault-rate', '0.3', '--fault-status', status]);
    servers.push(server);
    const lines = [];
    const options = { extra: { pullLimit: 50, retry: { maxRetries: 8, baseDelayMs: 5, maxDelayMs: 40 }, log: (l) => lines.push(l) } };
    // Sign-up and set-up can meet a fault too; they are retried like everything else.
    const a = await readyClient(server, options);
    const b = await readyClient(server, { ...options, email: a.email, password: a.password, encryption: a.encryption, join: true });
    try {
      const changes = sampleChanges(600);
      for (let i = 0; i < changes.length; i += 50) await a.client.push(a.device.id, changes.slice(i, i + 50));
      const { changes: pulled } = await pullAll(b.client, b.device.id);
      assert.deepEqual(pulled.map((c) => c.rowId), changes.map((c) => c.rowId));
      assert.equal(new Set(pulled.map((c) => c.changeId)).size, 600);
      // 24 sync requests at 30%: the server injects at least one fault but for 0.7^24 (0.02%) of
      // runs. Every fault it logged was retried by the client, one retry line each.
      const injected = server.stderr().split('\n').filter((line) => / \/v1\/sync\/\S* (\d+) /.exec(line)?.[1] === status).length;
      const retries = lines.filter((line) => line.includes(': retry ')).length;
      assert.ok(injected > 0, `the server injected no ${status} into 24 sync requests`);
      assert.equal(retries, injected, `${injected} injected ${status} replies, ${retries} retries in the log`);
      assert.ok(lines.some((line) => line.includes(` ${status}`)));
    } finally {
      a.client.dispose();
      b.client.dispose();
    }
  });
}

test('server down: a network error after the retries, then it works again after a restart', async () => {
  const server = await ServerProcess.start();
  servers.push(server);
  const a = await readyClient(server, { extra: { retry: { maxRetries: 2, baseDelayMs: 5, maxDelayMs: 20 } } });
  try {
    await a.client.push(a.device.id, sampleChanges(5));
    await server.kill9();
    const started = Date.now();
    await assert.rejects(a.client.push(a.device.id, sampleChanges(5, { prefix: 'later-' })), { kind: 'network' });
    assert.ok(Date.now() - started < 10_000);
    await server.restart();
    await a.client.push(a.device.id, sampleChanges(5, { prefix: 'later-' }));
    assert.equal((await a.client.status()).changes, 10);
  } finally {
    a.client.dispose();
  }
});
