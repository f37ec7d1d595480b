// Two builds of the benchmark module against each other in one Node process (alternating rounds,
// medians of CPU time): how a build change moves the speed of crypto.mjs's rows. Ratios of two
// modules timed side by side stay within a few percent on shared cores where absolute figures
// drift by more (docs/performance.md, "What was tried: build flags").
// Usage: node bench/wasm/compare.mjs --base <bench/wasm build dir> --dir <bench/wasm build dir>
//        [--rounds 7] [--changes 5000] [--quick 0]
import { clockName, interleave, loadBench, options, formatTime, printTable, pushText, parsePull,
  sampleChanges } from './common.mjs';

const opt = options({ base: '', dir: '', rounds: 7, changes: 5000, batch: 500, quick: 0 });
if (!opt.base || !opt.dir) throw new Error('--base <dir> and --dir <dir> (bench/wasm build dirs) are required');
const benches = [new (await loadBench(opt.base)).Bench(), new (await loadBench(opt.dir)).Bench()];
const rows = [];
const record = (operation, [base, build]) =>
  rows.push([operation, formatTime(base), formatTime(build), `${(build / base).toFixed(3)}`]);

const batches = [];
for (let i = 0; i < opt.changes; i += opt.batch) batches.push(sampleChanges(Math.min(opt.batch, opt.changes - i), i));
const n = opt.changes;
const perChange = (times) => times.map((t) => t / n);
record('change seal (push path), per change',
  perChange(await interleave(opt.rounds, benches.map((b) => () => batches.forEach((batch) => b.sealBatch(pushText(batch)))))));

for (const b of benches) b.sealBatch(pushText(batches[0]));
const reps = Math.ceil(n / batches[0].length);
const open = (b) => () => {
  for (let r = 0; r < reps; r++) if (parsePull(b.openBatch()).changes.length === 0) throw new Error('nothing opened');
};
record('change open (pull path), per change',
  (await interleave(opt.rounds, benches.map(open))).map((t) => t / (reps * batches[0].length)));

for (const mib of opt.quick ? [1] : [1, 64]) {
  const plain = new Uint8Array(mib << 20).map((_, i) => (i * 131) & 0xff);
  const rounds = mib > 1 ? Math.max(3, Math.min(5, opt.rounds)) : opt.rounds * 3;
  record(`blob seal, ${mib} MiB`, await interleave(rounds, benches.map((b) => () => b.sealBlob('photo-1', plain))));
  record(`blob open, ${mib} MiB`, await interleave(rounds, benches.map((b) => () => b.openBlob().slice())));
  for (const b of benches) b.dropBlob();
}

const password = 'correct horse battery staple';
for (const b of benches) b.wrapForUnwrap(password, opt.quick ? 2 : 3, 64 << 20);
record('envelope unwrap (Argon2id 64 MiB)', await interleave(opt.quick ? 1 : 3, benches.map((b) => () => b.unwrap(password))));

console.log(`${opt.dir} against ${opt.base} (${clockName()}, medians of alternating rounds; ratio = build / base, < 1 is faster)`);
printTable(['operation', 'base', 'build', 'ratio'], rows);
