// The npm package in a real browser: Debian's chromium (headless, driven by playwright-core; no
// browser download) runs the example app (examples/web) served from another origin than the
// synckit-server, so every request goes through CORS. Two devices sign in, set up encryption and
// open local replicas that sync in the background (live pull): to-dos both ways and a blob. Then
// both go Offline and edit the same to-do (B second) while A adds one; back online they converge,
// B's edit wins on both and A's panel explains why. The server panel and the server hold only
// ciphertext; the replicas' IndexedDB databases hold no plaintext; the key in IndexedDB is not
// extractable; after a reload (offline, the server unreachable) both devices show their rows from
// IndexedDB, unlock without a password, and still sync once back online.
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
const SHARED = 'buy oat milk';
const A_EDIT = 'buy oat milk (A, offline)';
const B_EDIT = 'buy oat milk and bread (B, offline)';
// Everything the server and the replicas' databases must never hold in the clear (the server does
// know the device names: registerDevice sends them; the replicas must not hold them).
const TITLES = [SHARED, A_EDIT, B_EDIT, 'walk the dog', 'call the bank', 'written before the reload', 'after the reload'];
const PLAINTEXTS = [...TITLES, 'flowerpot', 'note.txt', 'text/plain', '"title"', '"by"', encryptionPassword, accountPassword];

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

/** Waits for the device's sync status line (replica.status()) to match, e.g. {pending: 2}. */
async function syncStatus(name, expected) {
  const attributes = Object.entries(expected).map(([key, value]) => `[data-${key}="${value}"]`).join('');
  await page
    .waitForSelector(`${panel(name)} [data-role="sync-status"]${attributes}`, { state: 'attached' })
    .catch(async (error) => assert.fail(`device ${name}: sync status is not ${JSON.stringify(expected)}: ${error.message}; ${await diagnostics()}`));
}

/** Flips the device's Offline switch (replica.stop() / start()) and waits for the loop to follow. */
async function setOffline(name, offline) {
  await page.setChecked(`${panel(name)} [data-role="offline"]`, offline);
  await syncStatus(name, { running: !offline });
  assert.equal(await page.isDisabled(`${panel(name)} [data-role="sync"]`), offline, `device ${name}: Sync now while offline=${offline}`);
}

/** The device's to-do items as shown: {title, done, note}. */
function shownTodos(name) {
  return page.$$eval(`${panel(name)} [data-role="todos"] li`, (items) =>
    items.map((item) => ({
      title: item.querySelector('.title')?.textContent,
      done: item.classList.contains('done'),
      note: item.querySelector('.merge-note')?.textContent ?? null,
    })),
  );
}

/** Waits until `predicate(todos)` holds for the device's to-do items (the sync loop brings them). */
async function waitForTodos(name, description, predicate) {
  const deadline = Date.now() + STEP_MS;
  for (;;) {
    const todos = await shownTodos(name);
    if (predicate(todos)) return todos;
    if (Date.now() > deadline) {
      throw new Error(`device ${name}: ${description} did not happen; it shows ${JSON.stringify(todos)}; ${await diagnostics()}`);
    }
    await page.waitForTimeout(100);
  }
}

const titles = (todos) => todos.map((todo) => `${todo.title}${todo.done ? ' ✓' : ''}`);

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
  return page.locator(`${panel(name)} [data-role="todos"] li`).filter({ has: page.getByText(title, { exact: true }) });
}

/** Renames a to-do through its edit form (✎, type, Enter) and waits for the new title. */
async function renameTodo(name, from, to) {
  await todoItem(name, from).locator('[data-role="edit"]').click();
  const input = page.locator(`${panel(name)} [data-role="todos"] form.rename input`);
  await input.fill(to);
  await input.press('Enter');
  await todoItem(name, to).waitFor();
}

/** The panels' messages and the tail of their client logs, for failure messages. */
async function diagnostics() {
  if (!page) return '';
  return page
    .evaluate(() =>
      [...document.querySelectorAll('.device')].map((device) => ({
        state: device.dataset.state,
        message: device.querySelector('[data-role="message"]').textContent,
        sync: device.querySelector('[data-role="sync-status"]').textContent,
        log: device.querySelector('[data-role="log"]').textContent.split('\n').slice(-6),
      })),
    )
    .then((value) => `panels: ${JSON.stringify(value)}; console errors: ${JSON.stringify(consoleErrors)}; last requests: ${JSON.stringify(requestLog.slice(-8))}`)
    .catch((error) => `(no diagnostics: ${error.message})`);
}

/** Both devices' saved state (localStorage): session, device id (one account), Offline switch. */
async function savedStates() {
  const states = await page.evaluate(() => ['A', 'B'].map((name) => JSON.parse(localStorage.getItem(`synckit-example/device-${name}`))));
  return states.map((state) => ({ ...state, deviceId: Object.values(state.deviceIds)[0] }));
}

/** Everything the server stores for the account, fetched here in Node with A's saved session. */
async function serverBytes() {
  const [a, b] = await savedStates();
  const blobId = await page.evaluate(() => window.synckitExample.devices[0].attachment.current.blobId);
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
  const blob = Buffer.from(await (await get(`/v1/blobs/${blobId}`)).arrayBuffer());
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

// Every IndexedDB database of the page (indexedDB.databases()), every object store, every key and
// value, as text: strings as they are, bytes as Latin-1 (so any ASCII or UTF-8 plaintext shows).
function readAllDatabases() {
  return page.evaluate(async () => {
    const request = (r) => new Promise((done, fail) => { r.onsuccess = () => done(r.result); r.onerror = () => fail(r.error); });
    const texts = [];
    const walk = (value) => {
      if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
        const bytes = new Uint8Array(value instanceof ArrayBuffer ? value : value.buffer, value.byteOffset ?? 0, value.byteLength);
        let text = '';
        for (const byte of bytes) text += String.fromCharCode(byte);
        texts.push(text);
      } else if (typeof value === 'string' || typeof value === 'number') {
        texts.push(String(value));
      } else if (value && typeof value === 'object' && !(value instanceof CryptoKey)) {
        for (const [key, inner] of Object.entries(value)) {
          texts.push(key);
          walk(inner);
        }
      }
    };
    const report = [];
    for (const { name } of await indexedDB.databases()) {
      const db = await request(indexedDB.open(name));
      for (const store of db.objectStoreNames) {
        const objects = db.transaction(store).objectStore(store);
        const [keys, values] = await Promise.all([request(objects.getAllKeys()), request(objects.getAll())]);
        texts.length = 0;
        keys.forEach(walk);
        values.forEach(walk);
        report.push({ database: name, store, records: keys.length, text: texts.join('\u0000') });
      }
      db.close();
    }
    return report;
  });
}

// ---- the test ----------------------------------------------------------------------------------------

test('the example web app in Chromium: two replicas offline and back, the merge, CORS, blobs, reload, IndexedDB', { timeout: 70_000 }, async (t) => {
  const started = Date.now();
  const step = (name) => t.diagnostic(`${((Date.now() - started) / 1000).toFixed(1)} s: ${name}`);
  try {
    await page.goto(`${site.url}/`);
    await settled('A', 'sign-in');
    await settled('B', 'sign-in');

    // Device A creates the account and the master key; device B signs in and unwraps it. Each
    // opens its replica and starts the sync loop.
    await signIn('A', 'create');
    step('A created the account and set up encryption');
    await signIn('B', 'sign-in');
    step('B signed in and unwrapped the key');
    for (const name of ['A', 'B']) await syncStatus(name, { running: true, pending: 0 });

    // To-dos both ways, brought by the loops (live pull; nobody presses Sync): insert on A,
    // update + insert on B, delete on A.
    await addTodo('A', SHARED);
    await waitForTodos('B', 'A\'s to-do arriving', has(SHARED, false));
    await todoItem('B', SHARED).locator('input[type="checkbox"]').check();
    await addTodo('B', 'walk the dog');
    await waitForTodos('A', 'B\'s toggle and to-do arriving', (todos) => has(SHARED, true)(todos) && has('walk the dog')(todos));
    await todoItem('A', 'walk the dog').locator('[data-role="delete"]').click();
    await waitForTodos('B', 'A\'s delete arriving', (todos) => !has('walk the dog')(todos) && has(SHARED, true)(todos));
    for (const name of ['A', 'B']) {
      assert.deepEqual((await shownTodos(name)).map((todo) => todo.note), [null], `device ${name}: edits one after another are no conflict`);
    }
    step('to-dos synced both ways by the loops (insert, update, delete)');

    // A blob: A attaches a text file, B downloads and decrypts it.
    await page.setInputFiles(`${panel('A')} [data-role="file"]`, { name: 'note.txt', mimeType: 'text/plain', buffer: Buffer.from(NOTE) });
    await page.waitForFunction(
      ([selector, note]) => document.querySelector(selector)?.textContent === note,
      [`${panel('B')} [data-role="attachment"] pre`, NOTE],
    ).catch(async (error) => assert.fail(`B did not show the attachment: ${error.message}; ${await diagnostics()}`));
    step('blob synced');

    // Both offline. A edits the shared to-do and adds one; then B edits the same to-do.
    await setOffline('A', true);
    await setOffline('B', true);
    await renameTodo('A', SHARED, A_EDIT);
    await addTodo('A', 'call the bank');
    await todoItem('A', 'call the bank').waitFor();
    await syncStatus('A', { pending: 2, running: false });
    await renameTodo('B', SHARED, B_EDIT);
    await syncStatus('B', { pending: 1, running: false });
    assert.deepEqual(titles(await shownTodos('A')), [`${A_EDIT} ✓`, 'call the bank']);
    assert.deepEqual(titles(await shownTodos('B')), [`${B_EDIT} ✓`]);
    assert.match(await page.textContent(`${panel('A')} [data-role="sync-status"]`), /^offline · 2 writes waiting/);
    step('offline: both edited the same to-do (B second), A added one; 2 and 1 writes waiting');

    // Back online, A first: A's writes reach the server, then B's; B's edit was made later, so it
    // wins on both devices, and A's panel says so.
    await setOffline('A', false);
    await syncStatus('A', { pending: 0 });
    await setOffline('B', false);
    await syncStatus('B', { pending: 0 });
    const converged = [`${B_EDIT} ✓`, 'call the bank'];
    const shownA = await waitForTodos('A', 'the merge', (todos) => titles(todos).join('|') === converged.join('|'));
    const shownB = await waitForTodos('B', 'the merge', (todos) => titles(todos).join('|') === converged.join('|'));
    const clock = '\\d\\d:\\d\\d:\\d\\d\\.\\d{3}';
    assert.match(shownA[0].note ?? '', new RegExp(`^B's edit won: it was made later \\(${clock} vs your ${clock}\\)$`), 'A\'s merge note');
    const [later, yours] = shownA[0].note.match(new RegExp(clock, 'g'));
    assert.ok(later > yours, `the note's times: ${shownA[0].note}`);
    assert.match(await todoItem('A', B_EDIT).locator('.merge-note').getAttribute('title'), /greatest hybrid-logical-clock stamp/);
    assert.deepEqual(shownB.map((todo) => todo.note), [null, null], 'B\'s own edit won: nothing replaced on B');
    step(`online again: both show ${JSON.stringify(converged)}; A: "${shownA[0].note}"`);

    // The server panel: every stored change, as ciphertext only. A: insert, delete, blob row,
    // rename, insert; B: toggle, insert, rename.
    const pushed = 8;
    await page.click('#server-view [data-role="refresh"]');
    await page.waitForFunction((count) => document.querySelectorAll('#server-view tbody tr').length >= count &&
      document.querySelector('#server-view [data-role="blob"]').textContent.startsWith('Blob '), pushed);
    const view = await page.$eval('#server-view', (element) => ({
      text: element.textContent,
      rows: [...element.querySelectorAll('tbody tr')].map((row) => [...row.cells].map((c) => c.textContent)),
    }));
    for (const plain of PLAINTEXTS) assert.ok(!view.text.includes(plain), `the server panel shows plaintext: ${plain}`);
    assert.equal(view.rows.length, pushed, `${pushed} writes pushed, the server panel lists ${view.rows.length}`);
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

    // Every IndexedDB database of the page, every key and value: the replicas hold rows, outbox
    // and state sealed; no title, file name, device name, row id, device id or edit time in the clear.
    const rowIds = await page.evaluate(() => window.synckitExample.devices.flatMap((device) => device.todos.snapshot()));
    const [savedA, savedB] = await savedStates();
    const secrets = [...PLAINTEXTS, 'Device A', 'Device B', email, ...rowIds.flatMap((row) => [row.rowId, row.at]), savedA.deviceId, savedB.deviceId];
    const databases = await readAllDatabases();
    const replicas = databases.filter((db) => db.database.startsWith('synckit-replica:'));
    assert.deepEqual(replicas.map((db) => db.database.split(':').at(-1)).sort(), ['device-A', 'device-B'], JSON.stringify(databases.map((db) => db.database)));
    for (const db of replicas) assert.ok(db.records >= 5, `${db.database}/${db.store}: only ${db.records} records`);
    for (const db of databases) {
      for (const secret of secrets) assert.ok(!db.text.includes(secret), `${db.database}/${db.store} holds plaintext: ${secret}`);
    }
    step(`IndexedDB: ${databases.length} object stores (${replicas.map((db) => db.records).join(' + ')} replica records), no plaintext`);

    // Offline again, and A writes once more: that write waits in A's replica across the reload.
    await setOffline('A', true);
    await setOffline('B', true);
    await addTodo('A', 'written before the reload');
    await syncStatus('A', { pending: 1 });
    const beforeA = titles(await shownTodos('A'));
    const beforeB = titles(await shownTodos('B'));
    const lastSyncs = () => page.evaluate(() => window.synckitExample.devices.map((device) => device.replica.status().lastSyncAt?.getTime()));
    const syncedBefore = await lastSyncs();

    // Reload with the server unreachable: both devices resume their sessions, unlock from
    // IndexedDB (no password typed) and show their rows from their replicas, with no request.
    const blocked = [];
    await page.route(`${server.url}/**`, (route) => {
      blocked.push(route.request().url());
      return route.abort();
    });
    await page.reload();
    for (const name of ['A', 'B']) {
      await settled(name);
      assert.equal(await page.isHidden(`${panel(name)} [data-role="sign-in"]`), true);
      assert.equal(await page.isHidden(`${panel(name)} [data-role="unlock"]`), true);
      assert.match(await page.textContent(`${panel(name)} [data-role="message"]`), /Unlocked from IndexedDB/);
      assert.equal(await page.isChecked(`${panel(name)} [data-role="offline"]`), true, `device ${name}: the Offline switch is remembered`);
    }
    await syncStatus('A', { pending: 1, running: false });
    await syncStatus('B', { pending: 0, running: false });
    assert.deepEqual(titles(await shownTodos('A')), beforeA);
    assert.deepEqual(titles(await shownTodos('B')), beforeB);
    await page.waitForFunction(() => window.synckitExample);
    // lastSyncAt is stored with the replica, by the last round that stored something: it may be
    // older than before the reload, never newer (no round ran).
    const syncedAfter = await lastSyncs();
    syncedAfter.forEach((at, i) => assert.ok(at <= syncedBefore[i], `a sync round ran since the reload: ${syncedAfter} vs ${syncedBefore}`));
    assert.deepEqual(blocked, [], 'requests to the server before going online');
    await page.unroute(`${server.url}/**`);
    step('reload: both unlocked from IndexedDB and showed their rows before any sync or request');

    // Back online: A's waiting write goes out, and both still sync both ways.
    await setOffline('A', false);
    await setOffline('B', false);
    await waitForTodos('B', 'the write that waited across the reload', has('written before the reload', false));
    await page.waitForFunction(
      ([selector, note]) => document.querySelector(selector)?.textContent === note,
      [`${panel('B')} [data-role="attachment"] pre`, NOTE],
    );
    await addTodo('B', 'after the reload');
    await waitForTodos('A', 'a to-do pushed after the reload', has('after the reload', false));
    await todoItem('A', B_EDIT).locator('input[type="checkbox"]').uncheck();
    await waitForTodos('B', 'an update pushed after the reload', has(B_EDIT, false));
    const finalA = titles(await shownTodos('A'));
    assert.deepEqual(titles(await waitForTodos('B', 'the same rows as A', (todos) => titles(todos).join('|') === finalA.join('|'))), finalA);
    step('after the reload: both still sync and show the same rows');

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
