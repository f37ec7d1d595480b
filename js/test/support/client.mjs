// What the Node tests share: the package under test (dist/, built by scripts/build.mjs), clients
// for a ServerProcess, unique emails, sample changes and a pull-everything loop.
export * from '../../dist/node.js';
import { SyncKit } from '../../dist/node.js';

let counter = 0;

/** A fresh email per call. */
export function uniqueEmail(tag = 'user') {
  counter += 1;
  return `${tag}-${process.pid}-${Date.now()}-${counter}@example.com`;
}

/** A client for `server` with quick retries (tests wait less), plus any `extra` options. */
export function clientFor(server, extra = {}) {
  return SyncKit.create({
    serverUrl: server.url,
    apiKey: server.apiKey,
    retry: { maxRetries: 3, baseDelayMs: 20, maxDelayMs: 200 },
    ...extra,
  });
}

/** `count` insert changes of table `table`, row ids `${prefix}${i}`, timestamps 1 ms apart. */
export function sampleChanges(count, { table = 'todos', prefix = 'row-', start = Date.UTC(2026, 10, 25) } = {}) {
  return Array.from({ length: count }, (_, i) => ({
    table,
    op: 'insert',
    rowId: `${prefix}${i}`,
    timestamp: new Date(start + i),
    data: { title: `item ${i}`, done: i % 2 === 0, n: i },
  }));
}

/** Pulls until hasMore is false; returns every change and the last cursor. */
export async function pullAll(client, deviceId, cursor = 0) {
  const changes = [];
  for (;;) {
    const page = await client.pull(deviceId, cursor);
    changes.push(...page.changes);
    cursor = page.cursor;
    if (!page.hasMore) return { changes, cursor };
  }
}

/** A signed-in client with encryption set up and a registered device. */
export async function readyClient(server, { email = uniqueEmail(), password = 'sign-in pw', encryption = 'enc pw', join = false, extra = {} } = {}) {
  const client = await clientFor(server, extra);
  if (join) await client.authenticate(email, password);
  else await client.createAccount(email, password);
  if (join) await client.setupEncryptionExisting(encryption);
  else await client.setupEncryptionNew(encryption);
  const device = await client.registerDevice(join ? 'second' : 'first', 'node');
  return { client, device, email, password, encryption };
}
