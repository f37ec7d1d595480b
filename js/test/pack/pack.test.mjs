// `npm pack` gives a tarball that installs (offline: the package has no runtime dependencies) and
// runs in a fresh directory: sign-up, encryption, push and pull against the real server, in Node.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

import { ServerProcess } from '../support/server.mjs';

const jsDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const work = mkdtempSync(join(tmpdir(), 'synckit-pack-'));
let server;
after(async () => {
  await server?.dispose();
  rmSync(work, { recursive: true, force: true });
});

test('npm pack installs in a fresh directory and syncs there', async () => {
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: jsDir, encoding: 'utf8' }));
  const files = packed[0].files.map((f) => f.path).sort();
  for (const required of ['package.json', 'dist/index.js', 'dist/index.d.ts', 'dist/node.js', 'dist/wasm/synckit.wasm', 'dist/wasm/synckit.mjs']) {
    assert.ok(files.includes(required), `${required} is in the tarball`);
  }
  assert.ok(!files.some((f) => f.startsWith('src/') || f.startsWith('test/') || f.includes('node_modules')), files.join(' '));
  const tarball = join(work, packed[0].filename);
  // The entries set the platform (the wasm's location, the XMLHttpRequest) when they run: bundlers
  // must not drop them as side-effect free (with "sideEffects": false, Vite 8 and webpack 5 did, and
  // the bundled app failed with "no platform set").
  const manifest = JSON.parse(readFileSync(join(jsDir, 'package.json'), 'utf8'));
  for (const entry of ['./dist/index.js', './dist/node.js']) {
    assert.ok(Array.isArray(manifest.sideEffects) && manifest.sideEffects.includes(entry), `sideEffects lists ${entry}`);
  }

  const app = join(work, 'app');
  execFileSync('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'fresh-app', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], { cwd: app, stdio: 'pipe' });
  assert.deepEqual(readdirSync(join(app, 'node_modules')).filter((n) => !n.startsWith('.')), ['synckit']);

  server = await ServerProcess.start();
  writeFileSync(join(app, 'main.mjs'), `
import { SyncKit, SyncKitError } from 'synckit';
const options = { serverUrl: process.argv[2], apiKey: process.argv[3] };
const a = await SyncKit.create(options);
const email = 'pack-' + Date.now() + '@example.com';
await a.createAccount(email, 'pw');
await a.setupEncryptionNew('enc');
const da = await a.registerDevice('a', 'node');
await a.push(da.id, [{ table: 't', op: 'insert', rowId: 'r1', timestamp: new Date(), data: { ok: true } }]);
const b = await SyncKit.create(options);
await b.authenticate(email, 'pw');
await b.setupEncryptionExisting('enc');
const db = await b.registerDevice('b', 'node');
const page = await b.pull(db.id, 0);
let kind = null;
try { await b.setupEncryptionExisting('wrong'); } catch (e) { kind = e instanceof SyncKitError ? e.kind : String(e); }
console.log(JSON.stringify({ rows: page.changes.map((c) => c.rowId), data: page.changes[0].data, kind }));
a.dispose(); b.dispose();
`);
  const output = execFileSync(process.execPath, ['main.mjs', server.url, server.apiKey], { cwd: app, encoding: 'utf8', timeout: 60_000 });
  assert.deepEqual(JSON.parse(output.trim().split('\n').pop()), { rows: ['r1'], data: { ok: true }, kind: 'wrong_password' });

  // The TypeScript declarations resolve from the installed package and type a real program.
  assert.ok(statSync(join(app, 'node_modules', 'synckit', 'dist', 'index.d.ts')).size > 0);
  writeFileSync(join(app, 'typed.ts'), `
import { SyncKit, SyncKitError, type Change, type PullResult, type SyncKitErrorKind } from 'synckit';
export async function run(url: string, key: string): Promise<number> {
  const client: SyncKit = await SyncKit.create({ serverUrl: url, apiKey: key });
  const change: Change = { table: 't', op: 'update', rowId: 'r', timestamp: new Date(), data: { n: 1 } };
  const cursor: number = await client.push('device', [change]);
  const page: PullResult = await client.pull('device', cursor);
  const kind: SyncKitErrorKind = new SyncKitError('network', 'x').kind;
  client.dispose();
  return page.changes.length + kind.length;
}
`);
  execFileSync(process.execPath, [join(jsDir, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '--strict',
    '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2020', '--skipLibCheck', 'false',
    'typed.ts'], { cwd: app, encoding: 'utf8' });
});
