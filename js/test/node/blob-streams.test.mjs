// Streamed blobs through the npm package in Node against the real server: 256 MiB from a
// ReadableStream up and back through getBlobStream byte for byte with the wasm heap staying small,
// each kind of data in the form it should take, progress, abort, a short stream, a tampered stream.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

import { ServerProcess } from '../support/server.mjs';
import { readyClient } from '../support/client.mjs';
import { patternStream } from '../support/pattern-stream.mjs';

const MiB = 1024 * 1024;
const sealedStreamSize = (n) => 24 + n + 17 * (Math.floor(n / 65536) + 1);

let server;
const clients = [];

before(async () => {
  server = await ServerProcess.start(['--blob-part-size', String(MiB)]);
});

after(async () => {
  for (const client of clients) client.dispose();
  await server?.dispose();
});

async function devices() {
  const a = await readyClient(server);
  const b = await readyClient(server, { email: a.email, password: a.password, encryption: a.encryption, join: true });
  clients.push(a.client, b.client);
  return { a: a.client, b: b.client };
}

async function drain(stream) {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream) {
    assert.ok(chunk instanceof Uint8Array);
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { bytes, digest: hash.digest('hex') };
}

test('256 MiB up from a ReadableStream and back through getBlobStream, the wasm heap under 64 MiB', async () => {
  // Two devices in this process: 256 MiB (and 3 bytes) both ways, byte for byte, with progress.
  const { a, b } = await devices();
  const size = 256 * MiB + 3;
  const source = patternStream(size);
  const progress = [];
  await a.putBlob('big', source.stream, { size, onProgress: (done, total) => progress.push([done, total]) });
  assert.ok(progress.length >= 250, `${progress.length} progress calls`);
  assert.deepEqual(progress.at(-1), [size, size]);
  assert.ok(progress.every(([done], i) => i === 0 || done >= progress[i - 1][0]));
  const seen = [];
  const back = await drain(b.getBlobStream('big', { onProgress: (done) => seen.push(done) }));
  assert.equal(back.bytes, size);
  assert.equal(back.digest, source.digest());
  assert.equal(seen.at(-1), size);
  assert.equal((await a.status()).blobBytes, sealedStreamSize(size));

  // The memory a transfer needs, in a process of its own that never runs Argon2id (whose 64 MiB
  // would set the wasm memory's size first): the session resumed, the key handed over.
  let key = null;
  const keyStore = { save: async (_entry, k) => { key = k.slice(); }, load: async () => key, remove: async () => {} };
  const c = await readyClient(server, { extra: { keyStore } });
  clients.push(c.client);
  const child = spawn(process.execPath, [fileURLToPath(new URL('../support/blob-memory-child.mjs', import.meta.url))],
                      { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin.end(JSON.stringify({ serverUrl: server.url, apiKey: server.apiKey, session: c.client.session(),
                                   key: Buffer.from(key).toString('base64'), size }));
  let out = '';
  child.stdout.on('data', (chunk) => { out += chunk; });
  const [code] = await once(child, 'exit');
  assert.equal(code, 0, out);
  const result = JSON.parse(out);
  assert.equal(result.up, result.down);
  assert.ok(result.after < 64 * MiB, `the wasm memory grew from ${result.before / MiB} to ${result.after / MiB} MiB`);
  console.log(`# 256 MiB up and down: wasm memory ${result.before / MiB} MiB before, ${result.after / MiB} MiB after`);
});

test('each kind of data takes its form, and both forms read back through every call', async () => {
  const { a, b } = await devices();
  const bytes = new Uint8Array(5 * MiB + 1).map((_, i) => (i * 31) & 0xff);
  await a.putBlob('bytes', bytes);  // over 4 MiB: streamed
  const small = new Uint8Array(1000).fill(7);
  await a.putBlob('small', small);  // single shot
  await a.putBlob('forced', small, { stream: true });
  await a.putBlob('file', new Blob([bytes.subarray(0, 4 * MiB + 10)]));  // a Blob over 4 MiB
  await a.putBlob('tiny-file', new Blob([small]));
  let status = await a.status();
  assert.equal(status.blobBytes, sealedStreamSize(bytes.length) + (1000 + 40) + sealedStreamSize(1000) +
    sealedStreamSize(4 * MiB + 10) + (1000 + 40));
  assert.deepEqual(await b.getBlob('bytes'), bytes);
  assert.deepEqual(await b.getBlob('forced'), small);
  assert.deepEqual(await b.getBlob('tiny-file'), small);
  const whole = async (id) => {
    const parts = [];
    for await (const chunk of b.getBlobStream(id)) parts.push(chunk);
    return Buffer.concat(parts);
  };
  assert.deepEqual(new Uint8Array(await whole('small')), small);
  assert.deepEqual(new Uint8Array(await whole('file')), bytes.subarray(0, 4 * MiB + 10));
  // A part of the plaintext, of either form.
  const part = async (id, offset, length) => {
    const parts = [];
    for await (const chunk of b.getBlobStream(id, { offset, length })) parts.push(chunk);
    return new Uint8Array(Buffer.concat(parts));
  };
  assert.deepEqual(await part('bytes', 65530, 20), bytes.subarray(65530, 65550));
  assert.deepEqual(await part('bytes', 3 * MiB, 2 * MiB + 100), bytes.subarray(3 * MiB));
  assert.deepEqual(await part('small', 990, 100), small.subarray(990));
  assert.deepEqual(await part('bytes', bytes.length, 5), new Uint8Array(0));
  await assert.rejects(part('bytes', -1, 5), { kind: 'invalid_input', field: 'offset' });
  await a.putBlob('empty', new Uint8Array(0), { stream: true });
  assert.equal((await b.getBlob('empty')).length, 0);
  assert.equal((await whole('empty')).length, 0);
  await a.deleteBlob('bytes');
  await assert.rejects(b.getBlob('bytes'), { kind: 'not_found' });
  await assert.rejects(whole('bytes'), { kind: 'not_found' });
  status = await a.status();
  assert.equal(status.blobs, 5);
});

test('refusals: a stream without its size or shorter than it, bad data, an aborted transfer', async () => {
  const { a, b } = await devices();
  await assert.rejects(a.putBlob('s', new ReadableStream({ start(c) { c.close(); } })), { kind: 'invalid_input', field: 'size' });
  const short = new ReadableStream({ start(c) { c.enqueue(new Uint8Array(10)); c.close(); } });
  await assert.rejects(a.putBlob('s', short, { size: 20 }), { kind: 'invalid_input' });
  await assert.rejects(a.putBlob('s', 'text'), { kind: 'invalid_input', field: 'data' });
  await assert.rejects(a.putBlob('bad/id', new Uint8Array(5 * MiB)), { kind: 'invalid_input', field: 'blob_id' });
  const aborted = new AbortController();
  aborted.abort();
  await assert.rejects(a.putBlob('s', new Uint8Array(5 * MiB), { signal: aborted.signal }), { kind: 'cancelled' });
  const midway = new AbortController();
  await assert.rejects(
    a.putBlob('s', new Uint8Array(8 * MiB), { signal: midway.signal, onProgress: () => midway.abort() }),
    { kind: 'cancelled' },
  );
  await assert.rejects(b.getBlob('s'), { kind: 'not_found' });
  // A download stopped by its reader, and one aborted by its signal.
  await a.putBlob('long', new Uint8Array(20 * MiB), { stream: true });  // three 8 MiB ranges
  const reader = b.getBlobStream('long').getReader();
  assert.ok((await reader.read()).value.length > 0);
  await reader.cancel();
  const stop = new AbortController();
  const stream = b.getBlobStream('long', { signal: stop.signal, onProgress: () => stop.abort() });
  await assert.rejects(drain(stream), { kind: 'cancelled' });
  assert.deepEqual(await b.getBlob('long'), new Uint8Array(20 * MiB));  // the client is still fine
});

test('a tampered stream fails with crypto, through getBlob and getBlobStream', async () => {
  const { a, b } = await devices();
  const bytes = new Uint8Array(2 * MiB).map((_, i) => i & 0xff);
  await a.putBlob('bad', bytes, { stream: true });  // sealed under its own id, then changed on the server
  assert.deepEqual(await b.getBlob('bad'), bytes);
  const headers = { 'X-SyncKit-Api-Key': server.apiKey, Authorization: `Bearer ${a.session().accessToken}` };
  const sealed = new Uint8Array(await (await fetch(`${server.url}/v1/blobs/bad`, { headers })).arrayBuffer());
  sealed[24 + 20 * 65553 + 9] ^= 0x10;  // inside chunk 20 of 33
  const start = await fetch(`${server.url}/v1/blobs/bad/uploads`, {
    method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' },
    body: JSON.stringify({ format: 'stream-v1', size: sealed.length }),
  });
  assert.equal(start.status, 201);
  const { upload_id: uploadId, part_size: partSize } = await start.json();
  for (let part = 0; part * partSize < sealed.length; part++) {
    const put = await fetch(`${server.url}/v1/blobs/bad/uploads/${uploadId}/${part}`, {
      method: 'PUT', headers: { ...headers, 'Content-Type': 'application/octet-stream' },
      body: sealed.subarray(part * partSize, (part + 1) * partSize),
    });
    assert.equal(put.status, 204);
  }
  assert.equal((await fetch(`${server.url}/v1/blobs/bad/uploads/${uploadId}/complete`, { method: 'POST', headers })).status, 201);
  await assert.rejects(b.getBlob('bad'), { kind: 'crypto' });
  const before = [];
  for await (const chunk of b.getBlobStream('bad', { offset: 0, length: 20 * 65536 })) before.push(chunk);
  assert.deepEqual(new Uint8Array(Buffer.concat(before)), bytes.subarray(0, 20 * 65536));  // ends before chunk 20
  let read = 0;
  await assert.rejects((async () => {
    for await (const chunk of b.getBlobStream('bad')) read += chunk.length;
  })(), { kind: 'crypto' });
  assert.ok(read < bytes.length, 'never the whole blob');
});
