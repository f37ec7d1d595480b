// Convergence under chaos (issue 15), against the real server: five replicas, three in this
// process (the npm package's wasm core, one of them on fake-indexeddb) and two native ones
// (tests/agents/replica_agent.cpp, the C++ SDK over SQLite), make random puts and deletes over a
// few rows, offline and online, and sync in random orders while the server fails 30% of sync
// requests (503, later 429) and is killed and restarted. Afterwards every replica lists the same
// rows, equal to the merge (replica.md) of every change the server holds, each stored once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { IDBFactory } from 'fake-indexeddb';

import { ServerProcess } from '../support/server.mjs';
import { clientFor, pullAll, readyClient } from '../support/client.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const agentBinary = process.env.SYNCKIT_REPLICA_AGENT ?? join(repo, 'build', 'native-release', 'tests', 'synckit_replica_agent');
const SEED = Number(process.env.SYNCKIT_CHAOS_SEED ?? Date.now() % 100000);
const ROWS = 6;
const ROUNDS = 8;

let server;
let dir;
const cleanups = [];

before(async () => {
  if (!existsSync(agentBinary)) throw new Error(`no replica agent at ${agentBinary}: build native-release or set SYNCKIT_REPLICA_AGENT`);
  server = await ServerProcess.start(['--fault-rate', '0.3', '--fault-status', '503']);
  dir = mkdtempSync(join(tmpdir(), 'synckit-chaos-'));
});

after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await server?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// A small deterministic PRNG (mulberry32), so a failure can be replayed with SYNCKIT_CHAOS_SEED.
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// A native replica in its own process, one command per line.
async function nativeReplica(email, password, file) {
  const child = spawn(agentBinary, [server.url, server.apiKey, email, password, file], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const waiting = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const next = () => new Promise((done) => waiting.push(done));
  const ready = await next();
  assert.match(ready, /^ready /);
  const ask = async (command) => {
    const reply = next();
    child.stdin.write(`${command}\n`);
    const line = await reply;
    if (line.startsWith('error ')) {
      const [, kind] = line.split(' ');
      const error = new Error(line);
      error.kind = kind;
      throw error;
    }
    return line;
  };
  cleanups.push(async () => {
    child.stdin.end('quit\n');
    await new Promise((done) => child.once('exit', done));
  });
  return {
    name: `native:${file.split('/').pop()}`,
    put: (row, data) => ask(`put items ${row} ${JSON.stringify(data)}`),
    remove: (row) => ask(`delete items ${row}`),
    sync: () => ask('sync'),
    pending: async () => Number((await ask('pending')).split(' ')[1]),
    list: async () => JSON.parse((await ask('list items')).slice(5)).map(([rowId, data]) => ({ rowId, data })),
  };
}

async function wasmReplica(account, options = {}, label = 'wasm') {
  const ready = await readyClient(server, { email: account.email, password: account.password, encryption: account.encryption, join: true });
  const replica = await ready.client.openReplica(ready.device.id, options);
  cleanups.push(async () => {
    replica.close();
    ready.client.dispose();
  });
  return {
    name: label,
    put: (row, data) => replica.put('items', row, data),
    remove: (row) => replica.delete('items', row),
    sync: () => replica.sync(),
    pending: async () => replica.status().pending,
    list: () => replica.list('items'),
  };
}

// The merge of replica.md over the server's changes: per row, the greatest (hlc, change id).
function mergeOf(changes) {
  const rows = new Map();
  const greater = (a, b) => (a.hlc !== b.hlc ? a.hlc > b.hlc : a.changeId > b.changeId);
  for (const change of changes) {
    const current = rows.get(change.rowId);
    if (!current || greater(change, current)) rows.set(change.rowId, change);
  }
  return [...rows.values()]
    .filter((change) => change.op !== 'delete')
    .map((change) => ({ rowId: change.rowId, data: change.data }))
    .sort((a, b) => (a.rowId < b.rowId ? -1 : a.rowId > b.rowId ? 1 : 0));
}

test(`five replicas (wasm and native) converge through faults and a server crash (seed ${SEED})`, { timeout: 240_000 }, async () => {
  const rng = random(SEED);
  const owner = await readyClient(server);
  cleanups.push(() => owner.client.dispose());
  const account = { email: owner.email, password: owner.password, encryption: owner.password };
  await owner.client.changePassword(owner.encryption, owner.password);  // one password for the agents
  const replicas = [
    await wasmReplica(account, {}, 'wasm:memory-1'),
    await wasmReplica(account, {}, 'wasm:memory-2'),
    await wasmReplica(account, { indexedDB: new IDBFactory() }, 'wasm:indexeddb'),
    await nativeReplica(account.email, account.password, join(dir, 'native-1.db')),
    await nativeReplica(account.email, account.password, join(dir, 'native-2.db')),
  ];
  let writes = 0;
  let failedSyncs = 0;
  const tolerate = async (call) => {
    try {
      await call();
    } catch (error) {
      // The server is away or faulting (after the client's own retries); the outbox keeps the writes.
      assert.ok(['network', 'server_status', 'rate_limited'].includes(error.kind), `unexpected ${error.kind}: ${error.message}`);
      failedSyncs += 1;
    }
  };

  for (let round = 0; round < ROUNDS; round += 1) {
    if (round === 3) await server.kill9();  // writes go on offline; syncs fail with network errors
    if (round === 4) {
      server.flags = ['--fault-rate', '0.3', '--fault-status', '429'];
      await server.restart();
    }
    for (const replica of replicas) {
      const count = 1 + Math.floor(rng() * 4);
      for (let i = 0; i < count; i += 1) {
        const row = `r${Math.floor(rng() * ROWS)}`;
        if (rng() < 0.25) await replica.remove(row);
        else await replica.put(row, { by: replica.name, round, i, n: Math.floor(rng() * 1000) });
        writes += 1;
      }
    }
    // Some replicas stay offline this round; the others sync in a random order.
    const order = replicas.filter(() => rng() < 0.7).sort(() => rng() - 0.5);
    for (const replica of order) await tolerate(() => replica.sync());
  }

  // The server comes back without faults; every replica syncs until nothing is pending, then once
  // more in order, so that each has pulled every other's last writes.
  await server.kill9();
  server.flags = [];
  await server.restart();
  for (let pass = 0; pass < 5; pass += 1) {
    for (const replica of replicas) await tolerate(() => replica.sync());
    const pending = await Promise.all(replicas.map((r) => r.pending()));
    if (pending.every((n) => n === 0)) break;
  }
  for (const replica of replicas) await replica.sync();
  for (const replica of replicas) assert.equal(await replica.pending(), 0, `${replica.name} still has pending writes`);

  const lists = await Promise.all(replicas.map((r) => r.list()));
  for (let i = 1; i < lists.length; i += 1) assert.deepEqual(lists[i], lists[0], `${replicas[i].name} differs from ${replicas[0].name}`);

  // What the server holds: every write once, and the rows are its merge.
  const reader = await readyClient(server, { email: owner.email, password: owner.password, encryption: owner.password, join: true });
  cleanups.push(() => reader.client.dispose());
  const { changes } = await pullAll(reader.client, reader.device.id);
  const fromReplicas = changes.filter((c) => c.hlc);
  assert.equal(new Set(fromReplicas.map((c) => c.changeId)).size, fromReplicas.length, 'a change id stored twice');
  assert.equal(fromReplicas.length, writes, 'every write reaches the server exactly once');
  assert.deepEqual(lists[0], mergeOf(fromReplicas));
  assert.ok(failedSyncs > 0, 'the faults and the crash made some syncs fail');
  console.log(`chaos seed ${SEED}: ${writes} writes, ${failedSyncs} failed syncs, ${lists[0].length} rows`);
});
