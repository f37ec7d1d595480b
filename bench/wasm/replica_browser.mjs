// The local replica's durable put in a real browser (issue 15): Debian's chromium (headless, driven
// by playwright-core; no browser download) loads the npm package from a page on another origin than
// the synckit-server (CORS), signs up, sets up encryption, registers a device and times, per round:
//   (a) PUTS sequential Replica.put calls (each awaited) of 121 B JSON rows into a fresh IndexedDB
//       replica: each put is one readwrite transaction with durability 'strict';
//   (b) PUTS puts issued at once (Promise.all): the core commits the writes queued meanwhile in one
//       transaction (group commit);
//   (c) the baseline: PUTS sequential raw IndexedDB transactions ({durability: 'strict'}), one
//       put each, of a record the size of a sealed row plus its outbox entry, in another database;
//   (d) the same raw transactions all issued at once;
//   (e) a split: (a) on a replica kept in memory (indexedDB: null), i.e. the core's and the
//       package's own work per put without IndexedDB.
// Rounds alternate the order (replica first / raw first); medians; ratios a/c and b/d are the
// medians of the per-round ratios. Checks that list() returns every row with its data afterwards.
// The browser profile (where IndexedDB lives) is a temporary directory under os.tmpdir().
// Usage: node bench/wasm/replica_browser.mjs --server SYNCKIT_SERVER [--dist js/dist] [--puts 500] [--rounds 3]
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { median, options, printTable, repo, writeResults } from './common.mjs';

const opt = options({ server: '', dist: join(repo, 'js', 'dist'), puts: 500, rounds: 3, chromium: '/usr/bin/chromium' });
if (!opt.server) throw new Error('--server PATH (a synckit-server binary) is required');
process.env.SYNCKIT_SERVER_BINARY = resolve(opt.server);
const dist = resolve(opt.dist);
const { ServerProcess } = await import(pathToFileURL(join(repo, 'js', 'test', 'support', 'server.mjs')).href);
const { serveExample } = await import(pathToFileURL(join(repo, 'examples', 'web', 'serve.mjs')).href);
const { chromium } = createRequire(join(repo, 'js', 'package.json'))('playwright-core');
const RAW_OVERHEAD = 100; // bytes a sealed record adds to its plaintext, roughly (the brief's estimate)

const watchdog = setTimeout(() => {
  console.error('replica_browser.mjs: no result after 300 s');
  process.exit(1);
}, 300_000);
watchdog.unref();

// ---- the page (examples/web/serve.mjs serves it): /synckit/ is the package, / imports it through an import map

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>SyncKit replica benchmark</title>
<script type="importmap">{ "imports": { "synckit": "/synckit/index.js" } }</script>
<script type="module">
  import * as synckit from 'synckit';
  window.synckit = synckit;
  window.synckitLoaded = true;
</script>
`;

// ---- what runs in the page (serialized by page.evaluate: self-contained) ------------------------------

function installBench() {
  const { SyncKit } = window.synckit;
  const TABLE = 'todos';
  // The rows of bench/replica_native.cpp (121 B as JSON).
  const rowData = (i) => ({
    title: 'Buy oat milk and coffee beans, then call the plumber about the kitchen',
    done: i % 2 === 0,
    priority: i % 5,
    list: 'home',
  });
  const rowId = (i) => `row-${String(i).padStart(8, '0')}`;
  // Readwrite transactions per database (a counter on the prototype: one increment per transaction).
  const transactions = new Map();
  const transaction = IDBDatabase.prototype.transaction;
  IDBDatabase.prototype.transaction = function (stores, mode, ...rest) {
    if (mode === 'readwrite') transactions.set(this.name, (transactions.get(this.name) ?? 0) + 1);
    return transaction.call(this, stores, mode, ...rest);
  };
  const request = (r) =>
    new Promise((resolve, reject) => {
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
  const completed = (tx) =>
    new Promise((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onabort = () => reject(tx.error ?? new Error('aborted'));
    });
  const openDb = (name) => {
    const r = indexedDB.open(name, 1);
    r.onupgradeneeded = () => r.result.createObjectStore('kv');
    return request(r);
  };
  const deleteDb = (name) => request(indexedDB.deleteDatabase(name));
  let client = null;
  let deviceId = '';

  window.bench = {
    async setup({ serverUrl, apiKey, email }) {
      client = await SyncKit.create({ serverUrl, apiKey });
      await client.createAccount(email, 'bench sign-in password');
      await client.setupEncryptionNew('bench encryption password');
      deviceId = (await client.registerDevice('bench', 'web')).id;
      return { rowBytes: JSON.stringify(rowData(0)).length, userAgent: navigator.userAgent };
    },

    // (a), (b), (e): `n` puts into a fresh replica `name`; 'sequential' awaits each, 'all' does not.
    async replica({ name, n, mode, memory }) {
      const replica = await client.openReplica(deviceId, { name, indexedDB: memory ? null : indexedDB });
      const dbName = memory ? null : (await indexedDB.databases()).map((d) => d.name).find((d) => d.endsWith(`:${name}`));
      if (!memory && !dbName) throw new Error(`no IndexedDB database for replica ${name}`);
      const before = transactions.get(dbName) ?? 0;
      const data = Array.from({ length: n }, (_, i) => rowData(i));
      const start = performance.now();
      if (mode === 'sequential') {
        for (let i = 0; i < n; i++) await replica.put(TABLE, rowId(i), data[i]);
      } else {
        await Promise.all(data.map((row, i) => replica.put(TABLE, rowId(i), row)));
      }
      const ms = performance.now() - start;
      const tx = (transactions.get(dbName) ?? 0) - before;
      // Correctness: every row, with its data.
      const rows = await replica.list(TABLE);
      if (rows.length !== n) throw new Error(`${name}: list() returned ${rows.length} rows, not ${n}`);
      rows.forEach((row, i) => {
        if (row.rowId !== rowId(i) || JSON.stringify(row.data) !== JSON.stringify(data[i])) {
          throw new Error(`${name}: row ${i} is ${JSON.stringify(row)}`);
        }
      });
      const pending = replica.status().pending;
      // What is stored: records and bytes (keys + values), from a second connection.
      let records = 0;
      let bytes = 0;
      if (dbName) {
        const db = await openDb(dbName);
        const store = db.transaction('kv', 'readonly').objectStore('kv');
        const [keys, values] = await Promise.all([request(store.getAllKeys()), request(store.getAll())]);
        records = keys.length;
        for (let i = 0; i < keys.length; i++) bytes += keys[i].byteLength + values[i].byteLength;
        db.close();
      }
      replica.close();
      if (dbName) await deleteDb(dbName);
      return { ms, transactions: tx, rows: rows.length, pending, records, bytes };
    },

    // (c), (d): `n` raw transactions ({durability: 'strict'}), one put of a `size`-byte record each.
    async raw({ name, n, mode, size }) {
      await deleteDb(name);
      const db = await openDb(name);
      const keys = Array.from({ length: n }, () => crypto.getRandomValues(new Uint8Array(33)).buffer);
      const values = Array.from({ length: n }, () => crypto.getRandomValues(new Uint8Array(size)));
      const before = transactions.get(name) ?? 0;
      const write = (i) => {
        const tx = db.transaction('kv', 'readwrite', { durability: 'strict' });
        tx.objectStore('kv').put(values[i], keys[i]);
        return completed(tx);
      };
      const start = performance.now();
      if (mode === 'sequential') {
        for (let i = 0; i < n; i++) await write(i);
      } else {
        await Promise.all(keys.map((_, i) => write(i)));
      }
      const ms = performance.now() - start;
      const tx = (transactions.get(name) ?? 0) - before;
      const count = await request(db.transaction('kv', 'readonly').objectStore('kv').count());
      if (count !== n) throw new Error(`${name}: ${count} records, not ${n}`);
      db.close();
      await deleteDb(name);
      return { ms, transactions: tx };
    },
  };
}

// ---- the run -------------------------------------------------------------------------------------------

const mountOf = (path) => {
  try {
    const [target, source, fstype] = execFileSync('findmnt', ['-n', '-o', 'TARGET,SOURCE,FSTYPE', '-T', path], { encoding: 'utf8' }).trim().split(/\s+/);
    return `${fstype} (${source} on ${target})`;
  } catch {
    return 'unknown filesystem';
  }
};

const profile = mkdtempSync(join(tmpdir(), 'synckit-replica-browser-'));
let site;
let server;
let context;
const consoleErrors = [];
try {
  if (!existsSync(join(dist, 'index.js'))) throw new Error(`${dist} holds no built package (index.js)`);
  if (!existsSync(opt.chromium)) throw new Error(`no chromium at ${opt.chromium}`);
  site = await serveExample({ dist, pages: { '/': PAGE } });
  server = await ServerProcess.start(['--cors-origin', site.url, '--rate-limit', '0']);
  context = await chromium.launchPersistentContext(profile, {
    executablePath: opt.chromium,
    headless: true,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    timeout: 30_000,
  });
  const browserVersion = context.browser()?.version() ?? execFileSync(opt.chromium, ['--version'], { encoding: 'utf8' }).trim();
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(60_000);
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  await page.goto(`${site.url}/`);
  await page.waitForFunction(() => window.synckitLoaded === true);
  await page.evaluate(installBench);
  const setup = await page.evaluate((args) => window.bench.setup(args), {
    serverUrl: server.url,
    apiKey: server.apiKey,
    email: `bench-replica-${process.pid}-${Date.now()}@example.com`,
  });
  const rawSize = 2 * (setup.rowBytes + RAW_OVERHEAD);
  const n = opt.puts;

  const replicaRun = (round, mode, memory = false) =>
    page.evaluate((args) => window.bench.replica(args), { name: `bench-${round}-${mode}${memory ? '-memory' : ''}`, n, mode, memory });
  const rawRun = (round, mode) => page.evaluate((args) => window.bench.raw(args), { name: `bench-raw-${round}-${mode}`, n, mode, size: rawSize });

  // One warm-up of each (not counted: the first transactions of a profile and JIT warm-up).
  await replicaRun('warmup', 'sequential');
  await rawRun('warmup', 'sequential');

  const runs = [];
  for (let r = 0; r < opt.rounds; r++) {
    const one = { order: r % 2 ? 'raw first' : 'replica first' };
    const replicaPart = async () => {
      one.a = await replicaRun(r, 'sequential');
      one.b = await replicaRun(r, 'all');
      one.e = await replicaRun(r, 'sequential', true);
    };
    const rawPart = async () => {
      one.c = await rawRun(r, 'sequential');
      one.d = await rawRun(r, 'all');
    };
    for (const part of r % 2 ? [rawPart, replicaPart] : [replicaPart, rawPart]) await part();
    runs.push(one);
  }

  const perS = (x) => n / (x.ms / 1000);
  const med = (f) => median(runs.map(f));
  const results = {
    put_sequential_per_s: med((x) => perS(x.a)),
    put_all_per_s: med((x) => perS(x.b)),
    raw_sequential_per_s: med((x) => perS(x.c)),
    raw_all_per_s: med((x) => perS(x.d)),
    put_sequential_memory_per_s: med((x) => perS(x.e)),
    ratio_sequential: med((x) => x.c.ms / x.a.ms),
    ratio_all: med((x) => x.d.ms / x.b.ms),
    transactions_sequential: med((x) => x.a.transactions),
    transactions_all: med((x) => x.b.transactions),
    raw_transactions_all: med((x) => x.d.transactions),
    stored_records_per_put: med((x) => x.a.records / n),
    stored_bytes_per_put: med((x) => x.a.bytes / n),
  };
  for (const x of runs) {
    if (x.a.transactions !== n) throw new Error(`sequential puts made ${x.a.transactions} transactions, not ${n}`);
    if (x.a.pending !== n || x.b.pending !== n) throw new Error(`the outbox holds ${x.a.pending} / ${x.b.pending} changes, not ${n}`);
  }
  const ms = (perSecond) => `${(1000 / perSecond).toFixed(2)} ms`;
  const f0 = (v) => Math.round(v);
  const filesystem = mountOf(profile);
  console.log(`local replica in ${browserVersion} (headless, IndexedDB; profile on ${filesystem}), ${cpus().length} cores:`);
  console.log(`${n} durable puts of ${setup.rowBytes} B JSON rows into a fresh replica (stored: ${results.stored_records_per_put.toFixed(2)} records,`);
  console.log(`${f0(results.stored_bytes_per_put)} B per put); baseline: ${n} raw IndexedDB readwrite transactions (durability 'strict')`);
  console.log(`of one ${rawSize} B record each, in another database; medians of ${opt.rounds} alternating rounds`);
  printTable(['workload', 'replica put/s', 'raw IndexedDB tx/s', 'replica / raw'], [
    ['sequential (await each)', f0(results.put_sequential_per_s), f0(results.raw_sequential_per_s), results.ratio_sequential.toFixed(2)],
    [`${n} at once (Promise.all)`, f0(results.put_all_per_s), f0(results.raw_all_per_s), results.ratio_all.toFixed(2)],
  ]);
  console.log(`per sequential put: ${ms(results.put_sequential_per_s)} (raw transaction: ${ms(results.raw_sequential_per_s)}); ` +
    `in memory (indexedDB: null): ${ms(results.put_sequential_memory_per_s)} (${f0(results.put_sequential_memory_per_s)} puts/s)`);
  console.log(`transactions for ${n} puts at once: replica ${results.transactions_all} ` +
    `(${(n / results.transactions_all).toFixed(1)} rows each), raw ${results.raw_transactions_all}; list() returned all ${n} rows each time`);
  const idbDir = join(profile, 'Default', 'IndexedDB');
  const backend = existsSync(idbDir) ? readdirSync(idbDir).join(', ') : '(no IndexedDB directory)';
  const file = writeResults('wasm_replica_browser', {
    browser: browserVersion, user_agent: setup.userAgent, filesystem, cores: cpus().length, puts: n, rounds: opt.rounds,
    row_data_bytes: setup.rowBytes, raw_record_bytes: rawSize, indexeddb_files: backend, results, runs,
  });
  console.log(`(${file})`);
  if (consoleErrors.length) console.log(`console errors in the page: ${consoleErrors.join('; ')}`);
} finally {
  await context?.close().catch(() => undefined);
  await site?.close().catch(() => undefined);
  await server?.dispose().catch(() => undefined);
  rmSync(profile, { recursive: true, force: true });
}
