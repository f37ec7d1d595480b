// Native <-> JS: the `synckit` CLI (the native C++ client) and the npm package share one account.
// What one seals, the other opens: rows both ways (data and timestamps intact) and a blob both ways.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

import { ServerProcess } from '../support/server.mjs';
import { pullAll, readyClient } from '../support/client.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const cli = process.env.SYNCKIT_CLI_BINARY ?? join(repo, 'build', 'native-release', 'tools', 'synckit', 'synckit');

let server;
let dir;
let js;
before(async () => {
  if (!existsSync(cli)) throw new Error(`the synckit CLI is missing at ${cli}: build native-release or set SYNCKIT_CLI_BINARY`);
  server = await ServerProcess.start();
  dir = mkdtempSync(join(tmpdir(), 'synckit-cross-'));
  js = await readyClient(server, { password: 'sign in ✓', encryption: 'encryption ✓' });
});
after(async () => {
  js?.client.dispose();
  await server?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function native(args, input) {
  const profile = join(dir, 'profile');
  return execFileSync(cli, ['--profile', profile, '--server', server.url, '--api-key', server.apiKey, '--key-cache', 'none', ...args], {
    input: input ?? '',
    encoding: 'utf8',
    timeout: 60_000,
  });
}

test('native pushes, JS pulls and decrypts; JS pushes, native pulls and decrypts; blobs both ways', async () => {
  const signIn = join(dir, 'signin.txt');
  const encryption = join(dir, 'enc.txt');
  writeFileSync(signIn, js.password, { mode: 0o600 });
  writeFileSync(encryption, js.encryption, { mode: 0o600 });
  native(['login', js.email, '--password-file', signIn]);
  native(['setup-encryption', 'existing', '--password-file', encryption]);
  const nativeDevice = native(['device', 'add', 'cli', '--platform', 'linux']).trim().split(/\s+/).pop();

  const fromNative = [
    { table: 'notes', op: 'insert', row_id: 'n1', timestamp: '2026-11-25T16:30:59.123Z', data: { text: 'from C++ ✓', n: 1.5, list: [1, null, true] } },
    { table: 'notes', op: 'delete', row_id: 'n0', timestamp: '2026-11-25T16:31:00.000Z' },
  ];
  native(['push', '--password-file', encryption], fromNative.map((c) => JSON.stringify(c)).join('\n'));
  const { changes } = await pullAll(js.client, js.device.id);
  assert.deepEqual(
    changes.map((c) => [c.table, c.op, c.rowId, c.timestamp.toISOString(), c.data, c.deviceId === js.device.id]),
    [
      ['notes', 'insert', 'n1', '2026-11-25T16:30:59.123Z', { text: 'from C++ ✓', n: 1.5, list: [1, null, true] }, false],
      ['notes', 'delete', 'n0', '2026-11-25T16:31:00.000Z', null, false],
    ],
  );

  await js.client.push(js.device.id, [
    { table: 'notes', op: 'update', rowId: 'n1', timestamp: new Date('2026-11-25T17:00:00.001Z'), data: { text: 'from JS ✓', nested: { a: [] } } },
  ]);
  const lines = native(['pull', '--cursor', '0', '--password-file', encryption]).trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 1);
  assert.equal(lines[0].op, 'update');
  assert.equal(lines[0].row_id, 'n1');
  assert.equal(lines[0].timestamp, '2026-11-25T17:00:00.001Z');
  assert.deepEqual(lines[0].data, { text: 'from JS ✓', nested: { a: [] } });
  assert.notEqual(lines[0].device_id, nativeDevice);

  const bytes = crypto.getRandomValues(new Uint8Array(65_536));
  const inFile = join(dir, 'in.bin');
  writeFileSync(inFile, bytes);
  native(['blob', 'put', 'from-native', inFile, '--password-file', encryption]);
  assert.deepEqual(await js.client.getBlob('from-native'), bytes);
  const fromJs = crypto.getRandomValues(new Uint8Array(5000));
  await js.client.putBlob('from-js', fromJs);
  const outFile = join(dir, 'out.bin');
  native(['blob', 'get', 'from-js', outFile, '--password-file', encryption]);
  assert.deepEqual(new Uint8Array(readFileSync(outFile)), fromJs);
});
