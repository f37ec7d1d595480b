// SyncKit's WebAssembly crypto against libsodium.js (libsodium-wrappers-sumo) in the same Node
// process: change seal/open through the package's push/pull code (bench module, no network), blob
// seal/open, Argon2id. Rounds of the two alternate; medians. Usage (bench/run does this):
//   node bench/wasm/crypto.mjs --dir <build dir of bench/wasm> [--dist js/dist] [--rounds 7] [--changes 5000]
//                              [--quick 0] [--only blob]
// --dist: a built package whose change-text.js gives the push/pull conversions (js/dist by default).
// --only runs the sections (change, blob, argon2id) whose name contains the text.
import { clockName, interleave, loadBench, loadChangeText, loadSodium, median, options, formatTime, printTable,
  sampleChanges, writeResults } from './common.mjs';

const opt = options({ dir: '', dist: '', rounds: 7, changes: 5000, batch: 500, quick: 0, only: '' });
const run = (section) => !opt.only || section.includes(opt.only);
if (!opt.dir) throw new Error('--dir <bench/wasm build dir> is required');
const { changesToUtf8: pushBytes, parsePull } = await loadChangeText(opt.dist || undefined);
const sodium = await loadSodium();
const module = await loadBench(opt.dir);
const bench = new module.Bench();
const rows = [];
const results = [];

function record(operation, unit, synckit, baseline, target) {
  const speedup = baseline / synckit;
  results.push({ operation, unit, synckit_seconds: synckit, libsodium_js_seconds: baseline, speedup, target });
  const met = target === undefined ? '' : speedup >= target ? 'met' : 'NOT met';
  rows.push([operation, formatTime(synckit), formatTime(baseline), `${speedup.toFixed(2)}x`,
    target === undefined ? '' : `≥ ${target}x ${met}`]);
}

let sealedCount = 0;
let opened = 0;
if (run('change')) {
  // --- changes: 200 B JSON rows ---
  const batches = [];
  for (let i = 0; i < opt.changes; i += opt.batch) batches.push(sampleChanges(Math.min(opt.batch, opt.changes - i), i));
  const plaintext = sodium.from_string(bench.plaintextOf(pushBytes(batches[0].slice(0, 1))));
  const aad = sodium.from_string('synckit:v1:change\0' + 'A'.repeat(22));
  const changeKey = sodium.randombytes_buf(32);
  const n = opt.changes;

  const synckitSeal = () => {
    for (const batch of batches) {
      const bytes = pushBytes(batch);
      sealedCount += bench.sealBatch(bytes);
      bytes.fill(0);  // as SyncKit.push does
    }
  };
  const libsodiumSeal = () => {
    for (let i = 0; i < n; i++) {
      const nonce = sodium.randombytes_buf(24);
      sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, aad, null, nonce, changeKey);
    }
  };
  const [sealS, sealL] = await interleave(opt.rounds, [synckitSeal, libsodiumSeal]);
  record(`change seal, ${plaintext.length} B rows (push path, ${opt.batch}/batch)`, 'per change', sealS / n, sealL / n, 20);

  // Open: the bench module holds the last batch it sealed; open it (times batches to match n).
  bench.sealBatch(pushBytes(batches[0]));
  const perBatch = batches[0].length;
  const reps = Math.ceil(n / perBatch);
  const sealedByLibsodium = [];
  for (let i = 0; i < perBatch; i++) {
    const nonce = sodium.randombytes_buf(24);
    sealedByLibsodium.push([nonce, sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, aad, null, nonce, changeKey)]);
  }
  const synckitOpen = () => {
    for (let r = 0; r < reps; r++) opened += parsePull(bench.openBatch()).changes.length;
  };
  const libsodiumOpen = () => {
    for (let r = 0; r < reps; r++) {
      for (const [nonce, sealed] of sealedByLibsodium) {
        opened += sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, sealed, aad, nonce, changeKey).length > 0;
      }
    }
  };
  const [openS, openL] = await interleave(opt.rounds, [synckitOpen, libsodiumOpen]);
  record(`change open, ${plaintext.length} B rows (pull path)`, 'per change', openS / (reps * perBatch), openL / (reps * perBatch));

}

// --- blobs ---
// SyncKit's rows run what putBlob/getBlob do in the heap (sealed in place at offset 24 of the
// body; opened with open_blob_into, the view sliced as the package does, then wiped).
if (run('blob')) {
  const blobKey = sodium.randombytes_buf(32);
  const blobAad = sodium.from_string('synckit:v1:blob\0photo-1');
  for (const mib of opt.quick ? [1] : [1, 64]) {
    const plain = new Uint8Array(mib << 20);
    for (let i = 0; i < plain.length; i += 65536) sodium.randombytes_buf(1).forEach((b) => (plain[i] = b));
    const rounds = mib > 1 ? Math.max(3, Math.min(5, opt.rounds)) : opt.rounds * 3;
    let sealedL = null;
    let nonceL = null;
    const [bSealS, bSealL] = await interleave(rounds, [
      () => bench.sealBlob('photo-1', plain),
      () => {
        nonceL = sodium.randombytes_buf(24);
        sealedL = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plain, blobAad, null, nonceL, blobKey);
      },
    ]);
    record(`blob seal, ${mib} MiB`, 'per blob', bSealS, bSealL, mib === 1 ? 1.1 : undefined);
    bench.sealBlob('photo-1', plain);
    const [bOpenS, bOpenL] = await interleave(rounds, [
      () => {
        bench.openBlob().slice();
        bench.wipeBlob();
      },
      () => sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, sealedL, blobAad, nonceL, blobKey),
    ]);
    record(`blob open, ${mib} MiB (wipe included)`, 'per blob', bOpenS, bOpenL, mib === 1 ? 1.1 : undefined);
    const check = bench.openBlob().slice();
    bench.dropBlob();
    if (check.length !== plain.length || !check.every((x, i) => x === plain[i])) throw new Error('blob did not round-trip');
  }
}

// --- Argon2id, the envelope's defaults ---
if (run('argon2id')) {
  const password = 'correct horse battery staple';
  const ops = opt.quick ? 2 : 3;
  const mem = 64 << 20;
  bench.wrapForUnwrap(password, ops, mem);
  const salt = sodium.randombytes_buf(16);
  const [aS, aL] = await interleave(opt.quick ? 1 : 3, [
    () => bench.unwrap(password),
    () => sodium.crypto_pwhash(32, password, salt, ops, mem, sodium.crypto_pwhash_ALG_ARGON2ID13),
  ]);
  record(`envelope unwrap (Argon2id 64 MiB, ${ops} passes)`, 'per unwrap', aS, aL, 1);
}

console.log(`WebAssembly crypto in Node ${process.version}: SyncKit (bench module, the package's code) vs libsodium-wrappers-sumo ${sodium.SODIUM_VERSION_STRING ?? ''}`);
console.log(`(${clockName()}, medians of alternating rounds; speed-up = libsodium.js time / SyncKit time)`);
printTable(['operation', 'SyncKit', 'libsodium.js', 'speed-up', 'target'], rows);
const file = writeResults('wasm_crypto', { clock: clockName(), rounds: opt.rounds, changes: opt.changes, batch: opt.batch, results });
console.log(`(${file})`);
if (run('change') && (sealedCount === 0 || opened === 0)) throw new Error('nothing was sealed or opened');
