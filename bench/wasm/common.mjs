// What the wasm benchmarks share: loading libsodium.js (the baseline, js/node_modules) and the
// benchmark-only module (bench/wasm, built by bench/run), interleaved timing, tables and JSON.
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** libsodium-wrappers-sumo, ready. */
export async function loadSodium() {
  const require = createRequire(join(repo, 'js', 'package.json'));
  const sodium = require('libsodium-wrappers-sumo');
  await sodium.ready;
  return sodium;
}

/** The module bench/wasm/CMakeLists.txt builds (synckit_bench.mjs + .wasm in `dir`). */
export async function loadBench(dir) {
  const { default: create } = await import(pathToFileURL(join(dir, 'synckit_bench.mjs')).href);
  const getRandomValue = () => globalThis.crypto.getRandomValues(new Uint32Array(1))[0] >>> 0;
  return create({ wasmBinary: readFileSync(join(dir, 'synckit_bench.wasm')), getRandomValue, print: () => {}, printErr: () => {} });
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// The clock of interleave(): 'cpu' (default) is the process's user+system CPU time, which other
// work on shared cores disturbs far less than wall time; 'wall' is elapsed time. The work timed is
// single-threaded (V8's helper threads, garbage collection, count too).
let clock = process.env.SYNCKIT_BENCH_CLOCK === 'wall' ? 'wall' : 'cpu';
export function clockName() {
  return clock === 'cpu' ? 'process CPU time' : 'wall time';
}

/** Seconds of one call of fn (awaited), on the benchmark clock. */
export async function timeIt(fn) {
  if (clock === 'wall') {
    const start = process.hrtime.bigint();
    await fn();
    return Number(process.hrtime.bigint() - start) / 1e9;
  }
  const start = process.cpuUsage();
  await fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

/**
 * Alternates `rounds` rounds of each function (the first one first in even rounds, last in odd ones)
 * and returns the median seconds of each. One warm-up call of each first.
 */
export async function interleave(rounds, fns) {
  for (const fn of fns) await fn();
  const times = fns.map(() => []);
  for (let r = 0; r < rounds; r++) {
    const order = fns.map((_, i) => i);
    if (r % 2) order.reverse();
    for (const i of order) times[i].push(await timeIt(fns[i]));
  }
  return times.map(median);
}

export function formatTime(seconds) {
  if (seconds < 1e-3) return `${(seconds * 1e6).toFixed(2)} µs`;
  if (seconds < 1) return `${(seconds * 1e3).toFixed(seconds < 0.01 ? 2 : 1)} ms`;
  return `${seconds.toFixed(2)} s`;
}

/** Prints rows (arrays of cells) under a header, columns padded. */
export function printTable(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}

export function writeResults(name, data) {
  const dir = join(repo, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), node: process.version, ...data }, null, 2) + '\n');
  return file;
}

/** --name value pairs of argv. */
export function options(defaults) {
  const out = { ...defaults };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    if (!(key in out)) throw new Error(`unknown option --${key} (known: ${Object.keys(out).join(', ')})`);
    out[key] = typeof out[key] === 'number' ? Number(argv[i + 1]) : argv[i + 1];
  }
  return out;
}

/** `count` changes of about 200 bytes of plaintext each (as the app hands them to push()). */
export function sampleChanges(count, start = 0) {
  const base = Date.UTC(2026, 10, 25);
  return Array.from({ length: count }, (_, k) => {
    const i = start + k;
    return {
      table: 'todos',
      op: 'update',
      rowId: `row-${String(i).padStart(8, '0')}`,
      timestamp: new Date(base + i),
      data: { title: `buy milk and bread, item ${String(i).padStart(8, '0')}`, done: i % 2 === 0, priority: i % 5, tags: ['home', 'errand'] },
    };
  });
}

/**
 * The package's own conversions of changes at the wasm boundary (dist/change-text.js of a built
 * package: js/dist by default): `changesToUtf8` (what SyncKit.push hands to wasm) and `parsePull`
 * (what SyncKit.pull makes of the adapter's reply text).
 */
export async function loadChangeText(dist = join(repo, 'js', 'dist')) {
  return import(pathToFileURL(join(dist, 'change-text.js')).href);
}
