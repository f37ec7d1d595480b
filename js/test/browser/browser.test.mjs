// The npm package in a real browser: Debian's chromium (headless, driven by playwright-core; no
// browser download) runs the example app (examples/web) served from another origin than the
// synckit-server, so every request goes through CORS. Two devices sign in, set up encryption, sync
// to-dos both ways and a blob; the server panel shows no plaintext; the key in IndexedDB is not
// extractable; after a reload both devices unlock from IndexedDB without a password and still sync.
// Keeps a screenshot: $SYNCKIT_ARTIFACTS_DIR/web-example.png (default build/artifacts/).
//
// Run: node --test js/test/browser/   (needs build/native-release's synckit-server and js/dist)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { ServerProcess } from '../support/server.mjs';
import { serveExample } from '../../../examples/web/serve.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const chromiumPath = process.env.SYNCKIT_CHROMIUM ?? '/usr/bin/chromium';
const artifacts = resolve(process.env.SYNCKIT_ARTIFACTS_DIR ?? join(repo, 'build', 'artifacts'));
const STEP_MS = 30_000; // any single wait in the page (generous: CI machines can be busy)

const email = `web-${process.pid}-${Date.now()}@example.com`;
const accountPassword = 'correct horse battery';
const encryptionPassword = 'staple of the encryption';
const NOTE = 'Secret attachment: the spare key is under the third flowerpot.';
// Everything the server must never see in the clear.
const PLAINTEXTS = ['buy oat milk', 'walk the dog', 'after the reload', 'call the bank', 'flowerpot', 'note.txt', 'text/plain', encryptionPassword, accountPassword];

let site;
let server;
let browser;
let page;
const consoleErrors = [];
const requestLog = []; // for failure messages only

before(async () => {
  assert.ok(existsSync(join(repo, 'js', 'dist', 'index.js')), 'js/dist is missing: build the package (js/scripts/build.mjs)');
  assert.ok(existsSync(chromiumPath), `no chromium at ${chromiumPath} (apt-get install chromium, or set SYNCKIT_CHROMIUM)`);
  // The page's origin must be known before the server starts: it is the one origin CORS allows.
  site = await serveExample({ port: 0 });
  server = await ServerProcess.start(['--cors-origin', site.url]);
  site.setConfig({ serverUrl: server.url, apiKey: server.apiKey });
  assert.notEqual(new URL(site.url).origin, new URL(server.url).origin, 'page and server must be different origins');

  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    timeout: 20_000,
  });
  const context = await browser.newContext({ viewport: { width: 1500, height: 950 } });
  page = await context.newPage();
  page.setDefaultTimeout(STEP_MS);
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => consoleErrors.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => requestLog.push(`failed: ${request.url()} ${request.failure()?.errorText}`));
  page.on('requestfinished', (request) => requestLog.push(`done: ${request.url()}`));
}, { timeout: 35_000 });

after(async () => {
  // Each one even if another fails.
  await browser?.close().catch(() => undefined);
  await site?.close().catch(() => undefined);
  await server?.dispose().catch(() => undefined);
}, { timeout: 10_000 }); // before + test + after stay under 2 minutes

// ---- helpers ---------------------------------------------------------------------------------------

const panel = (name) => `#device-${name.toLowerCase()} .device`;

/** Waits until a device shows the given state ('ready', 'sign-in', …) with nothing in progress. */
async function settled(name, state = 'ready') {
  await page
    .waitForSelector(`${panel(name)}[data-state="${state}"]:not([data-busy])`, { state: 'attached' })
    .catch(async (error) => assert.fail(`device ${name} is not ${state}: ${error.message}; ${await diagnostics()}`));
}

/** Clicks the device's Sync button (push + pull now instead of at the next 2 s tick). */
async function sync(name) {
  await page.click(`${panel(name)} [data-role="sync"]`);
}

/** Waits until `predicate(texts)` holds for the device's to-do items ({title, done}). */
async function waitForTodos(name, description, predicate) {
  const deadline = Date.now() + STEP_MS;
  for (;;) {
    const todos = await page.$$eval(`${panel(name)} [data-role="todos"] li`, (items) =>
      items.map((item) => ({ title: item.querySelector('span').textContent, done: item.classList.contains('done') })),
    );
    if (predicate(todos)) return todos;
    if (Date.now() > deadline) {
      throw new Error(`device ${name}: ${description} did not happen; it shows ${JSON.stringify(todos)}; ${await diagnostics()}`);
    }
    await sync(name).catch(() => undefined);
    await page.waitForTimeout(250);
  }
}

const has = (title, done) => (todos) => todos.some((todo) => todo.title === title && (done === undefined || todo.done === done));

/** Fills the device's sign-in form and presses 'create' (new account) or 'sign-in' (join). */
async function signIn(name, action) {
  const form = `${panel(name)} [data-role="sign-in"]`;
  await page.fill(`${form} input[name="email"]`, email);
  await page.fill(`${form} input[name="password"]`, accountPassword);
  await page.fill(`${form} input[name="encryption"]`, encryptionPassword);
  await page.click(`${form} button[value="${action}"]`);
  await settled(name);
}

async function addTodo(name, title) {
  await page.fill(`${panel(name)} input[name="title"]`, title);
  await page.press(`${panel(name)} input[name="title"]`, 'Enter');
}

function todoItem(name, title) {
  return page.locator(`${panel(name)} [data-role="todos"] li`, { hasText: title });
}

/** The panels' messages and the tail of their client logs, for failure messages. */
async function diagnostics() {
  if (!page) return '';
  return page
    .evaluate(() =>
      [...document.querySelectorAll('.device')].map((device) => ({
        state: device.dataset.state,
        message: device.querySelector('[data-role="message"]').textContent,
        log: device.querySelector('[data-role="log"]').textContent.split('\n').slice(-6),
      })),
    )
    .then((value) => `panels: ${JSON.stringify(value)}; console errors: ${JSON.stringify(consoleErrors)}; last requests: ${JSON.stringify(requestLog.slice(-8))}`)
    .catch((error) => `(no diagnostics: ${error.message})`);
}

/** Everything the server stores for the account, fetched here in Node with A's saved session. */
async function serverBytes() {
  const [a, b] = await page.evaluate(() => ['A', 'B'].map((name) => JSON.parse(localStorage.getItem(`synckit-example/device-${name}`))));
  const headers = { 'X-SyncKit-Api-Key': server.apiKey, Authorization: `Bearer ${a.session.accessToken}` };
  const get = async (path) => {
    const response = await fetch(`${server.url}${path}`, { headers });
    assert.equal(response.status, 200, path);
    return response;
  };
  const payloads = [];
  for (const deviceId of [a.deviceId, b.deviceId]) {
    const reply = await (await get(`/v1/sync/pull?device_id=${deviceId}&cursor=0&limit=1000`)).json();
    assert.equal(reply.has_more, false);
    payloads.push(...reply.changes.map((change) => Buffer.from(change.payload, 'base64')));
  }
  const blob = Buffer.from(await (await get(`/v1/blobs/${a.attachments.list.blobId}`)).arrayBuffer());
  return { payloads, blob };
}

// What IndexedDB holds for both devices, read the way any script on the page could.
function readKeyRecords() {
  return page.evaluate(async (names) => {
    const request = (r) => new Promise((done, fail) => { r.onsuccess = () => done(r.result); r.onerror = () => fail(r.error); });
    const report = [];
    for (const name of names) {
      const db = await request(indexedDB.open(name));
      const records = await request(db.transaction('keys').objectStore('keys').getAll());
      db.close();
      for (const record of records) {
        const key = record.wrappingKey;
        const rejects = async (format) => crypto.subtle.exportKey(format, key).then(() => false, () => true);
        // Every binary value and string anywhere in the record (the CryptoKey is opaque).
        const binaries = [];
        const strings = [];
        const walk = (value) => {
          if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) binaries.push(value.byteLength);
          else if (typeof value === 'string') strings.push(value);
          else if (value && typeof value === 'object' && !(value instanceof CryptoKey)) Object.values(value).forEach(walk);
        };
        walk(record);
        report.push({
          database: name,
          fields: Object.keys(record).sort(),
          isCryptoKey: key instanceof CryptoKey,
          extractable: key.extractable,
          algorithm: key.algorithm.name,
          usages: [...key.usages].sort(),
          rawExportRejects: await rejects('raw'),
          jwkExportRejects: await rejects('jwk'),
          ivBytes: record.iv.byteLength,
          wrappedBytes: record.wrapped.byteLength,
          binaries,
          strings,
        });
      }
    }
    return report;
  }, ['synckit-example-A', 'synckit-example-B']);
}

// ---- the test ----------------------------------------------------------------------------------------

test('the example web app in Chromium: two devices, CORS, blobs, reload, IndexedDB key', { timeout: 70_000 }, async (t) => {
  const started = Date.now();
  const step = (name) => t.diagnostic(`${((Date.now() - started) / 1000).toFixed(1)} s: ${name}`);
  try {
    await page.goto(`${site.url}/`);
    await settled('A', 'sign-in');
    await settled('B', 'sign-in');

    // Device A creates the account and the master key; device B signs in and unwraps it.
    await signIn('A', 'create');
    step('A created the account and set up encryption');
    await signIn('B', 'sign-in');
    step('B signed in and unwrapped the key');

    // To-dos both ways: insert on A, update + insert on B, delete on A.
    await addTodo('A', 'buy oat milk');
    await waitForTodos('B', 'A\'s to-do arriving', has('buy oat milk', false));
    await todoItem('B', 'buy oat milk').locator('input[type="checkbox"]').check();
    await addTodo('B', 'walk the dog');
    await waitForTodos('A', 'B\'s toggle and to-do arriving', (todos) => has('buy oat milk', true)(todos) && has('walk the dog')(todos));
    await todoItem('A', 'walk the dog').locator('button').click();
    await waitForTodos('B', 'A\'s delete arriving', (todos) => !has('walk the dog')(todos) && has('buy oat milk', true)(todos));
    step('to-dos synced both ways (insert, update, delete)');

    // A blob: A attaches a text file, B downloads and decrypts it.
    await page.setInputFiles(`${panel('A')} [data-role="file"]`, { name: 'note.txt', mimeType: 'text/plain', buffer: Buffer.from(NOTE) });
    await settled('A');
    await sync('B');
    await page.waitForFunction(
      ([selector, note]) => document.querySelector(selector)?.textContent === note,
      [`${panel('B')} [data-role="attachment"] pre`, NOTE],
    ).catch(async (error) => assert.fail(`B did not show the attachment: ${error.message}; ${await diagnostics()}`));
    step('blob synced');
    await addTodo('A', 'call the bank');
    await waitForTodos('B', 'one more to-do from A', has('call the bank', false));

    // The server panel: every stored change, as ciphertext only.
    await settled('A');
    await page.click('#server-view [data-role="refresh"]');
    await page.waitForFunction(() => document.querySelectorAll('#server-view tbody tr').length >= 6 &&
      document.querySelector('#server-view [data-role="blob"]').textContent.startsWith('Blob '));
    const view = await page.$eval('#server-view', (element) => ({
      text: element.textContent,
      rows: [...element.querySelectorAll('tbody tr')].map((row) => [...row.cells].map((c) => c.textContent)),
    }));
    for (const plain of PLAINTEXTS) assert.ok(!view.text.includes(plain), `the server panel shows plaintext: ${plain}`);
    assert.ok(view.rows.length >= 6, `6 changes pushed, the server panel lists ${view.rows.length}`);
    for (const [seq, changeId, from, payload] of view.rows) {
      assert.match(seq, /^\d+$/);
      assert.match(changeId, /^[A-Za-z0-9_-]{1,64}$/);
      assert.match(from, /^Device [AB] [0-9a-f]{8}…$/);
      assert.match(payload, /^[A-Za-z0-9+/=]{32}… \(\d+ bytes\)$/);
    }
    assert.deepEqual(new Set(view.rows.map((row) => row[2].slice(0, 8))), new Set(['Device A', 'Device B']));
    step(`server panel: ${view.rows.length} sealed changes, no plaintext`);
    const stored = await serverBytes();
    assert.equal(stored.payloads.length, view.rows.length, 'the panel lists every stored change');
    assert.equal(stored.blob.length, NOTE.length + 40, 'a sealed blob is 40 bytes longer than the file');
    for (const bytes of [...stored.payloads, stored.blob]) {
      for (const plain of PLAINTEXTS) assert.ok(!bytes.includes(plain), `the server stores plaintext: ${plain}`);
    }
    // Cross-origin for real: the browser sent CORS preflights and the server allowed them.
    assert.match(server.stderr(), / OPTIONS \/v1\/sync\/push 2\d\d /, 'no CORS preflight in the server log');

    mkdirSync(artifacts, { recursive: true });
    const screenshot = join(artifacts, 'web-example.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log(`screenshot: ${screenshot}`);

    // The cached master key: wrapped by a non-extractable AES-GCM key; no raw key in the record.
    const records = await readKeyRecords();
    assert.equal(records.length, 2, `one key record per device, found ${JSON.stringify(records)}`);
    for (const record of records) {
      assert.deepEqual(record.fields, ['id', 'iv', 'wrapped', 'wrappingKey'], record.database);
      assert.equal(record.isCryptoKey, true, record.database);
      assert.equal(record.extractable, false, `${record.database}: the wrapping key is extractable`);
      assert.equal(record.algorithm, 'AES-GCM', record.database);
      assert.deepEqual(record.usages, ['decrypt', 'encrypt'], record.database);
      assert.equal(record.rawExportRejects, true, `${record.database}: exportKey('raw') did not reject`);
      assert.equal(record.jwkExportRejects, true, `${record.database}: exportKey('jwk') did not reject`);
      assert.equal(record.ivBytes, 12, record.database);
      assert.equal(record.wrappedBytes, 48, `${record.database}: wrapped = 32-byte key + 16-byte tag`);
      assert.ok(!record.binaries.includes(32), `${record.database}: a 32-byte value in the record: ${record.binaries}`);
      for (const text of record.strings) {
        assert.ok(!/^[A-Za-z0-9+/]{43}=$/.test(text) && !/^[0-9a-fA-F]{64}$/.test(text), `${record.database}: a key-sized string: ${text}`);
      }
    }
    step('IndexedDB: both key records wrapped by non-extractable keys');

    // Reload: both devices resume their sessions and unlock from IndexedDB, no password typed.
    await page.reload();
    for (const name of ['A', 'B']) {
      await settled(name);
      assert.equal(await page.isHidden(`${panel(name)} [data-role="sign-in"]`), true);
      assert.equal(await page.isHidden(`${panel(name)} [data-role="unlock"]`), true);
      assert.match(await page.textContent(`${panel(name)} [data-role="message"]`), /Unlocked from IndexedDB/);
    }
    await waitForTodos('A', 'the list after the reload', (todos) => has('buy oat milk', true)(todos) && has('call the bank')(todos) && todos.length === 2);
    await page.waitForFunction(
      ([selector, note]) => document.querySelector(selector)?.textContent === note,
      [`${panel('B')} [data-role="attachment"] pre`, NOTE],
    );
    await addTodo('B', 'after the reload');
    await waitForTodos('A', 'a to-do pushed after the reload', has('after the reload', false));
    await todoItem('A', 'buy oat milk').locator('input[type="checkbox"]').uncheck();
    await waitForTodos('B', 'an update pushed after the reload', has('buy oat milk', false));
    step('after the reload: both unlocked without a password and still sync');

    assert.deepEqual(consoleErrors, [], 'console errors in the page');
  } catch (error) {
    if (page) {
      mkdirSync(artifacts, { recursive: true });
      const failure = join(artifacts, 'web-example-failure.png');
      await page.screenshot({ path: failure, fullPage: true }).then(() => console.log(`screenshot of the failure: ${failure}`), () => undefined);
    }
    throw error;
  }
});
