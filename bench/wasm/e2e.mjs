// End to end through the npm package in Node over loopback, against the real synckit-server:
// device A pushes CHANGES changes of about 200 B in 500-change batches, device B pulls them all
// (pullLimit 1000); changes/s. With --copy-dist (a package copy whose wasm was built with
// SYNCKIT_BENCH_COPY_CRYPTO, see bench/run), rounds alternate between the two packages, each on a
// fresh server, so the cost of encryption is a ratio. Then a 64 MiB blob put and get, each in a
// fresh Node process: peak RSS (and the wasm heap) as a multiple of the blob size.
// Usage: node bench/wasm/e2e.mjs [--dist js/dist] [--copy-dist DIR] [--changes 100000] [--rounds 3] [--blob-mib 64]
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { median, options, printTable, repo, sampleChanges, writeResults } from './common.mjs';

const opt = options({ dist: join(repo, 'js', 'dist'), 'copy-dist': '', changes: 100000, batch: 500, rounds: 3,
  'blob-mib': 64, mode: 'sync', url: '', 'api-key': '', email: '' });
const { ServerProcess } = await import(pathToFileURL(join(repo, 'js', 'test', 'support', 'server.mjs')).href);
const serverFlags = () => ['--rate-limit', '0', '--max-blob-bytes', String((opt['blob-mib'] << 20) + 40)];
const load = async (dist) => import(pathToFileURL(join(dist, 'node.js')).href);

async function ready(pkg, server, email, join_) {
  const client = await pkg.SyncKit.create({ serverUrl: server.url, apiKey: server.apiKey, pullLimit: 1000 });
  if (join_) await client.authenticate(email, 'bench sign-in');
  else await client.createAccount(email, 'bench sign-in');
  if (join_) await client.setupEncryptionExisting('bench encryption');
  else await client.setupEncryptionNew('bench encryption');
  const device = await client.registerDevice(join_ ? 'B' : 'A', 'node');
  return { client, device };
}

const cpuSeconds = (since) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
};

// One round: a fresh server, A pushes, B pulls. Returns seconds of each.
async function syncRound(pkg, label) {
  const server = await ServerProcess.start(serverFlags());
  try {
    const email = `bench-${label}-${process.pid}-${Date.now()}@example.com`;
    const a = await ready(pkg, server, email, false);
    const b = await ready(pkg, server, email, true);
    const batches = [];
    for (let i = 0; i < opt.changes; i += opt.batch) batches.push(sampleChanges(Math.min(opt.batch, opt.changes - i), i));
    let start = process.hrtime.bigint();
    let cpu = process.cpuUsage();
    for (const batch of batches) await a.client.push(a.device.id, batch);
    const push = Number(process.hrtime.bigint() - start) / 1e9;
    const pushCpu = cpuSeconds(cpu);
    start = process.hrtime.bigint();
    cpu = process.cpuUsage();
    let cursor = 0;
    let pulled = 0;
    for (;;) {
      const page = await b.client.pull(b.device.id, cursor);
      pulled += page.changes.length;
      cursor = page.cursor;
      if (!page.hasMore) break;
    }
    const pull = Number(process.hrtime.bigint() - start) / 1e9;
    const pullCpu = cpuSeconds(cpu);
    if (pulled !== opt.changes) throw new Error(`${label}: pulled ${pulled} of ${opt.changes} changes`);
    a.client.dispose();
    b.client.dispose();
    return { push, pull, pushCpu, pullCpu };
  } finally {
    await server.dispose();
  }
}

// The wasm heap of the package's module (its exported memory).
async function wasmHeapBytes(dist) {
  const { loadWasmModule } = await import(pathToFileURL(join(dist, 'wasm-module.js')).href);
  const module = await loadWasmModule();
  const memory = Object.values(module.asm ?? {}).find((v) => v instanceof WebAssembly.Memory);
  return memory ? memory.buffer.byteLength : NaN;
}

// Child process: one blob put or get on an existing account; prints its memory figures as JSON.
async function blobChild() {
  const pkg = await load(opt.dist);
  const server = { url: opt.url, apiKey: opt['api-key'] };
  const { client } = await ready(pkg, server, opt.email, true);
  const size = opt['blob-mib'] << 20;
  global.gc?.();
  const before = process.memoryUsage().rss;
  const heapBefore = await wasmHeapBytes(opt.dist);
  if (opt.mode === 'put') {
    const bytes = new Uint8Array(size);
    for (let i = 0; i < size; i += 4096) bytes[i] = i & 0xff;
    await client.putBlob('bench-blob', bytes);
  } else {
    const bytes = await client.getBlob('bench-blob');
    if (bytes.length !== size) throw new Error(`got ${bytes.length} bytes`);
  }
  const peak = process.resourceUsage().maxRSS * 1024;
  const heapAfter = await wasmHeapBytes(opt.dist);
  client.dispose();
  console.log(JSON.stringify({ before, peak, heapBefore, heapAfter, size }));
}

if (opt.mode === 'put' || opt.mode === 'get') {
  await blobChild();
  process.exit(0);
}

const variants = [['encrypted', await load(opt.dist)]];
if (opt['copy-dist']) {
  const copy = await load(opt['copy-dist']);
  variants.push(['copy (no encryption)', copy]);
}
const times = Object.fromEntries(variants.map(([name]) => [name, { push: [], pull: [], pushCpu: [], pullCpu: [] }]));
for (let r = 0; r < opt.rounds; r++) {
  const order = r % 2 ? [...variants].reverse() : variants;
  for (const [name, pkg] of order) {
    const t = await syncRound(pkg, name.split(' ')[0]);
    times[name].push.push(t.push);
    times[name].pull.push(t.pull);
    times[name].pushCpu.push(t.pushCpu);
    times[name].pullCpu.push(t.pullCpu);
  }
}
const rows = [];
const results = {};
for (const [name] of variants) {
  const push = median(times[name].push);
  const pull = median(times[name].pull);
  const pushCpu = median(times[name].pushCpu) / opt.changes;
  const pullCpu = median(times[name].pullCpu) / opt.changes;
  results[name] = { push_seconds: push, pull_seconds: pull, push_per_s: opt.changes / push, pull_per_s: opt.changes / pull,
    sync_per_s: opt.changes / (push + pull), client_cpu_per_pushed_change_s: pushCpu, client_cpu_per_pulled_change_s: pullCpu };
  rows.push([name, Math.round(opt.changes / push), Math.round(opt.changes / pull), Math.round(opt.changes / (push + pull)),
    `${(pushCpu * 1e6).toFixed(1)} µs`, `${(pullCpu * 1e6).toFixed(1)} µs`]);
}
console.log(`end to end through the npm package (Node ${process.version}, loopback, real server), ${opt.changes} changes of ~200 B,`);
console.log(`push in ${opt.batch}-change batches, pull with pullLimit 1000; medians of ${opt.rounds} alternating rounds;`);
console.log('CPU = the Node process\'s CPU time per change (the client\'s own work, not the server\'s)');
printTable(['package', 'push/s', 'pull/s', 'push+pull/s', 'CPU/pushed', 'CPU/pulled'], rows);
const enc = results.encrypted;
console.log(`target: push+pull ≥ 20,000 changes/s: ${enc.sync_per_s >= 20000 ? 'met' : 'NOT met'} (${Math.round(enc.sync_per_s)})`);
if (opt['copy-dist']) {
  const copy = results['copy (no encryption)'];
  const cost = (copy.sync_per_s / enc.sync_per_s - 1) * 100;
  const cpuEnc = enc.client_cpu_per_pushed_change_s + enc.client_cpu_per_pulled_change_s;
  const cpuCopy = copy.client_cpu_per_pushed_change_s + copy.client_cpu_per_pulled_change_s;
  const cpuCost = (cpuEnc / cpuCopy - 1) * 100;
  results.encryption_cost_percent = cost;
  results.encryption_cpu_cost_percent = cpuCost;
  console.log(`encryption cost, wall time (encrypted / copy - 1): ${cost.toFixed(1)}%; client CPU: ${cpuCost.toFixed(1)}% ` +
    `(target ≤ 10%: ${Math.max(cost, cpuCost) <= 10 ? 'met' : 'NOT met'})`);
}

// Blob memory, each direction in a fresh process on one account.
const server = await ServerProcess.start(serverFlags());
const memory = {};
try {
  const email = `bench-blob-${process.pid}-${Date.now()}@example.com`;
  const first = await ready(variants[0][1], server, email, false);
  first.client.dispose();
  const self = fileURLToPath(import.meta.url);
  for (const mode of ['put', 'get']) {
    const child = spawnSync(process.execPath, ['--expose-gc', self, '--mode', mode, '--dist', opt.dist, '--url', server.url,
      '--api-key', server.apiKey, '--email', email, '--blob-mib', String(opt['blob-mib'])], { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`blob ${mode} failed: ${child.stderr}`);
    memory[mode] = JSON.parse(child.stdout.trim().split('\n').pop());
  }
} finally {
  await server.dispose();
}
const mib = (n) => `${(n / 1048576).toFixed(0)} MiB`;
console.log(`\n${opt['blob-mib']} MiB blob through the package, one fresh Node process each`);
printTable(['operation', 'RSS before', 'peak RSS', 'peak - before', 'x blob', 'wasm heap after'], ['put', 'get'].map((mode) => {
  const m = memory[mode];
  return [`${mode}Blob`, mib(m.before), mib(m.peak), mib(m.peak - m.before),
    `${((m.peak - m.before) / m.size).toFixed(2)}x`, mib(m.heapAfter)];
}));
for (const mode of ['put', 'get']) memory[mode].multiple = (memory[mode].peak - memory[mode].before) / memory[mode].size;
console.log(`target: peak ≤ 3x the blob: ${Math.max(memory.put.multiple, memory.get.multiple) <= 3 ? 'met' : 'NOT met'}`);
const file = writeResults('wasm_e2e', { changes: opt.changes, batch: opt.batch, rounds: opt.rounds, results, memory });
console.log(`(${file})`);
