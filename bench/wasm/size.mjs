// Package size: what an app ships of SyncKit (dist/wasm/synckit.wasm, its JS glue synckit.mjs and
// the package's own dist/**/*.js) against libsodium-wrappers-sumo (its wrapper and libsodium-sumo.js,
// which embeds its wasm), raw and gzip -9. Target (issue 7): SyncKit ≤ 150 KB gzip in total.
// Usage: node bench/wasm/size.mjs [--dist js/dist] [--wasm <dir with synckit.mjs + synckit.wasm>]
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { gzipSync, constants } from 'node:zlib';
import { join, relative } from 'node:path';
import { createRequire } from 'node:module';
import { options, printTable, repo, writeResults } from './common.mjs';

const opt = options({ dist: join(repo, 'js', 'dist'), wasm: '' });
const kb = (n) => `${(n / 1000).toFixed(1)} KB`;
const measure = (file) => {
  const bytes = readFileSync(file);
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION }).length };
};
const jsFiles = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'wasm' ? [] : jsFiles(path);
    return name.endsWith('.js') ? [path] : [];
  });

const wasmDir = opt.wasm || join(opt.dist, 'wasm');
const parts = [
  ['synckit.wasm', measure(join(wasmDir, 'synckit.wasm'))],
  ['synckit.mjs (Emscripten glue)', measure(join(wasmDir, 'synckit.mjs'))],
];
const packageJs = jsFiles(opt.dist).map(measure);
parts.push([`package JS (${packageJs.length} files in dist/)`, packageJs.reduce((a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip }), { raw: 0, gzip: 0 })]);
const total = parts.reduce((a, [, b]) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip }), { raw: 0, gzip: 0 });

const require = createRequire(join(repo, 'js', 'package.json'));
const wrappers = require.resolve('libsodium-wrappers-sumo');
const sumo = require.resolve('libsodium-sumo');
const lib = [['libsodium-wrappers.js', measure(wrappers)], ['libsodium-sumo.js (wasm inside)', measure(sumo)]];
const libTotal = lib.reduce((a, [, b]) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip }), { raw: 0, gzip: 0 });

console.log(`package size (wasm from ${relative(repo, wasmDir) || wasmDir}), gzip -9`);
printTable(['file', 'raw', 'gzip'], [
  ...parts.map(([name, m]) => [`SyncKit ${name}`, kb(m.raw), kb(m.gzip)]),
  ['SyncKit total', kb(total.raw), kb(total.gzip)],
  ...lib.map(([name, m]) => [`libsodium.js ${name}`, kb(m.raw), kb(m.gzip)]),
  ['libsodium.js sumo total', kb(libTotal.raw), kb(libTotal.gzip)],
  ['SyncKit / libsodium.js (gzip)', '', `${(total.gzip / libTotal.gzip).toFixed(2)}x`],
  ['target: SyncKit total ≤ 150 KB gzip', '', total.gzip <= 150000 ? 'met' : 'NOT met'],
]);
const file = writeResults('wasm_size', {
  synckit: Object.fromEntries(parts), synckit_total: total, libsodium_js: Object.fromEntries(lib), libsodium_js_total: libTotal,
  target_gzip_bytes: 150000,
});
console.log(`(${file})`);
