// Streamed blobs through the npm package in Node over loopback, against the real synckit-server:
// MIB up (putBlob of a ReadableStream) and back (getBlobStream), against a baseline over the same
// bytes done by hand: libsodium.js's crypto_secretstream (libsodium-wrappers-sumo) in 64 KiB chunks
// and the sealed parts PUT (ranges GET) with Node's fetch, on the same server and session. Rounds
// interleaved, medians of wall time (the transfer waits on the server). Target (issue 17): >= 0.8x.
// Then the wasm memory of MEMORY_MIB up and down in a Node process of its own that resumed the
// session (no Argon2id there: its 2 x 64 MiB at sign-in would size the memory first).
// Usage: node bench/wasm/blob_stream.mjs [--dist js/dist] [--mib 64] [--rounds 3] [--memory-mib 1024]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadSodium, median, options, printTable, repo, writeResults } from './common.mjs';

const opt = options({ dist: join(repo, 'js', 'dist'), mib: 64, rounds: 3, 'memory-mib': 1024 });
const { ServerProcess } = await import(pathToFileURL(join(repo, 'js', 'test', 'support', 'server.mjs')).href);
const pkg = await import(pathToFileURL(join(opt.dist, 'node.js')).href);
const sodium = await loadSodium();
const CHUNK = 65536;
const RANGE = 8 << 20;

const size = opt.mib << 20;
const data = new Uint8Array(size);
for (let i = 0; i < size; i += 4096) data[i] = i & 0xff;
const streamOf = (bytes) => {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      const piece = bytes.subarray(at, Math.min(bytes.length, at + (1 << 20)));
      at += piece.length;
      controller.enqueue(piece);
    },
  });
};

const server = await ServerProcess.start(['--rate-limit', '0']);
let key = null;  // the master key, kept to hand to the memory process
const keyStore = { save: async (_entry, k) => { key = k.slice(); }, load: async () => key, remove: async () => {} };
const client = await pkg.SyncKit.create({ serverUrl: server.url, apiKey: server.apiKey, keyStore });
await client.createAccount(`bench-stream-${process.pid}-${Date.now()}@example.com`, 'bench sign-in');
await client.setupEncryptionNew('bench encryption');
const headers = () => ({ 'X-SyncKit-Api-Key': server.apiKey, Authorization: `Bearer ${client.session().accessToken}` });
const streamKey = sodium.crypto_secretstream_xchacha20poly1305_keygen();  // the baseline's own key

async function rawPut(id) {
  const sealedSize = 24 + size + 17 * (Math.floor(size / CHUNK) + 1);
  const start = await fetch(`${server.url}/v1/blobs/${id}/uploads`, {
    method: 'POST', headers: { ...headers(), 'Content-Type': 'application/json' },
    body: JSON.stringify({ format: 'stream-v1', size: sealedSize }),
  });
  const { upload_id: uploadId, part_size: partSize } = await start.json();
  const part = new Uint8Array(partSize);
  let filled = 0;
  let number = 0;
  const send = async (bytes) => {
    const reply = await fetch(`${server.url}/v1/blobs/${id}/uploads/${uploadId}/${number++}`, {
      method: 'PUT', headers: { ...headers(), 'Content-Type': 'application/octet-stream' }, body: bytes,
    });
    if (reply.status !== 204) throw new Error(`raw part: ${reply.status}`);
  };
  const append = async (bytes) => {
    for (let at = 0; at < bytes.length;) {
      const n = Math.min(bytes.length - at, partSize - filled);
      part.set(bytes.subarray(at, at + n), filled);
      filled += n;
      at += n;
      if (filled === partSize) {
        await send(part);
        filled = 0;
      }
    }
  };
  const { state, header } = sodium.crypto_secretstream_xchacha20poly1305_init_push(streamKey);
  await append(header);
  for (let at = 0; ; at += CHUNK) {
    const last = at + CHUNK > size;
    const chunk = data.subarray(at, Math.min(size, at + CHUNK));
    await append(sodium.crypto_secretstream_xchacha20poly1305_push(state, chunk, null,
      last ? sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL : sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE));
    if (last) break;
  }
  if (filled > 0) await send(part.subarray(0, filled));
  const done = await fetch(`${server.url}/v1/blobs/${id}/uploads/${uploadId}/complete`, { method: 'POST', headers: headers() });
  if (done.status !== 201) throw new Error(`raw complete: ${done.status}`);
}

async function rawGet(id) {
  let state = null;
  let pending = new Uint8Array(0);
  let total = Infinity;
  let got = 0;
  for (let offset = 0; offset < total;) {
    const reply = await fetch(`${server.url}/v1/blobs/${id}`, { headers: { ...headers(), Range: `bytes=${offset}-${offset + RANGE - 1}` } });
    total = Number(reply.headers.get('Content-Range').split('/')[1]);
    const body = new Uint8Array(await reply.arrayBuffer());
    offset += body.length;
    const joined = new Uint8Array(pending.length + body.length);
    joined.set(pending);
    joined.set(body, pending.length);
    let at = 0;
    if (!state) {
      state = sodium.crypto_secretstream_xchacha20poly1305_init_pull(joined.subarray(0, 24), streamKey);
      at = 24;
    }
    while (joined.length - at >= CHUNK + 17 || (offset >= total && at < joined.length)) {
      const n = Math.min(joined.length - at, CHUNK + 17);
      const opened = sodium.crypto_secretstream_xchacha20poly1305_pull(state, joined.subarray(at, at + n), null);
      if (!opened) throw new Error('raw stream did not open');
      got += opened.message.length;
      at += n;
    }
    pending = joined.slice(at);
  }
  if (got !== size) throw new Error(`raw get: ${got} of ${size} bytes`);
}

const sdkPut = () => client.putBlob('sdk', streamOf(data), { size });
async function sdkGet() {
  let got = 0;
  for await (const chunk of client.getBlobStream('sdk')) got += chunk.length;
  if (got !== size) throw new Error(`sdk get: ${got} of ${size} bytes`);
}
const wall = async (fn) => {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
};

const times = { sdkPut: [], rawPut: [], sdkGet: [], rawGet: [] };
for (let round = 0; round < opt.rounds; round++) {
  const order = round % 2 ? [['rawPut', () => rawPut('raw')], ['sdkPut', sdkPut]] : [['sdkPut', sdkPut], ['rawPut', () => rawPut('raw')]];
  for (const [name, fn] of order) times[name].push(await wall(fn));
  const gets = round % 2 ? [['rawGet', () => rawGet('raw')], ['sdkGet', sdkGet]] : [['sdkGet', sdkGet], ['rawGet', () => rawGet('raw')]];
  for (const [name, fn] of gets) times[name].push(await wall(fn));
}
// The memory process (js/test/support/blob-memory-child.mjs, on the same package).
const child = spawn(process.execPath, [join(repo, 'js', 'test', 'support', 'blob-memory-child.mjs')],
                    { stdio: ['pipe', 'pipe', 'inherit'] });
child.stdin.end(JSON.stringify({ serverUrl: server.url, apiKey: server.apiKey, session: client.session(),
                                 key: Buffer.from(key).toString('base64'), size: opt['memory-mib'] << 20, dist: opt.dist }));
let out = '';
child.stdout.on('data', (chunk) => { out += chunk; });
const [code] = await once(child, 'exit');
if (code !== 0) throw new Error(`the memory process failed (${code}): ${out}`);
const memory = JSON.parse(out);
if (memory.up !== memory.down) throw new Error('the memory process read back other bytes');
client.dispose();
await server.dispose();

const mb = size / 1e6;
const rows = ['put', 'get'].map((op) => {
  const sdk = mb / median(times[`sdk${op === 'put' ? 'Put' : 'Get'}`]);
  const raw = mb / median(times[`raw${op === 'put' ? 'Put' : 'Get'}`]);
  return { operation: op, sdk_mb_s: sdk, baseline_mb_s: raw, ratio: sdk / raw };
});
console.log(`streamed blobs, npm package in Node ${process.versions.node} over loopback (SQLite, 8 MiB parts): ${opt.mib} MiB,`);
console.log(`medians of ${opt.rounds} interleaved rounds (wall time); baseline: libsodium.js secretstream + fetch parts`);
printTable(['', 'SDK MB/s', 'baseline MB/s', 'ratio'],
  rows.map((r) => [`stream ${r.operation}`, r.sdk_mb_s.toFixed(1), r.baseline_mb_s.toFixed(1), `${r.ratio.toFixed(2)}x`]));
console.log('target: >= 0.8x the baseline');
console.log(`\nwasm memory, ${opt['memory-mib']} MiB up and down in a fresh process (js/dist): ` +
            `${(memory.before / 2 ** 20).toFixed(1)} MiB before, ${(memory.after / 2 ** 20).toFixed(1)} MiB after; target: under 64 MiB`);
writeResults('wasm_blob_stream', { mib: opt.mib, rounds: opt.rounds, rows, times, memory_mib: opt['memory-mib'], memory });
