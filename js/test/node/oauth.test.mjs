// OAuth2 PKCE with the test as the browser: beginOAuth's URL, the server's sign-in form, the
// redirect back, completeOAuth. State mismatches and reused codes are invalid_grant.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { ServerProcess } from '../support/server.mjs';
import { clientFor, pullAll, readyClient, sampleChanges } from '../support/client.mjs';

const REDIRECT = 'com.example.app:/oauth-done';
let server;
before(async () => {
  server = await ServerProcess.start();
});
after(async () => {
  await server?.dispose();
});

// Opens the authorize page, submits its form with the credentials; returns the 302's Location.
async function signInInBrowser(authorizeUrl, email, password) {
  const page = await fetch(authorizeUrl);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type'), /^text\/html/);
  const form = new URLSearchParams(new URL(authorizeUrl).search);
  form.set('email', email);
  form.set('password', password);
  const reply = await fetch(`${server.url}/v1/oauth/authorize`, { method: 'POST', body: form, redirect: 'manual' });
  await reply.arrayBuffer();
  return { status: reply.status, location: reply.headers.get('location') };
}

test('OAuth PKCE: sign in through the form, then unlock and pull', async () => {
  const a = await readyClient(server);
  const b = await clientFor(server);
  const c = await clientFor(server);
  try {
    await a.client.push(a.device.id, sampleChanges(2));
    const authorize = b.beginOAuth(REDIRECT);
    const query = new URL(authorize).searchParams;
    assert.ok(authorize.startsWith(`${server.url}/v1/oauth/authorize?`));
    assert.equal(query.get('client_id'), server.apiKey);
    assert.equal(query.get('code_challenge_method'), 'S256');
    assert.equal(query.get('redirect_uri'), REDIRECT);
    assert.ok(!query.has('code_verifier'));

    assert.equal((await signInInBrowser(authorize, a.email, 'wrong')).status, 401);
    const { status, location } = await signInInBrowser(authorize, a.email, a.password);
    assert.equal(status, 302);
    assert.ok(location.startsWith(`${REDIRECT}?`));

    // Another client's state does not match; then the right client succeeds once.
    c.beginOAuth(REDIRECT);
    await assert.rejects(c.completeOAuth(location), { kind: 'invalid_grant' });
    const account = await b.completeOAuth(location);
    assert.equal(account.userId, a.client.session().userId);
    await b.setupEncryptionExisting(a.encryption);
    const device = await b.registerDevice('oauth', 'node');
    assert.equal((await pullAll(b, device.id)).changes.length, 2);

    // The code is single-use.
    b.beginOAuth(REDIRECT);
    const reusedState = new URL(b.beginOAuth(REDIRECT)).searchParams.get('state');
    const reused = `${REDIRECT}?code=${new URL(location.replace(REDIRECT, 'x://y')).searchParams.get('code')}&state=${reusedState}`;
    await assert.rejects(b.completeOAuth(reused), { kind: 'invalid_grant' });
    assert.throws(() => b.beginOAuth(''), { name: 'SyncKitError', kind: 'invalid_input' });
  } finally {
    a.client.dispose();
    b.dispose();
    c.dispose();
  }
});

test('OAuth PKCE: a registered loopback redirect works on any port', async () => {
  const a = await readyClient(server);
  const b = await clientFor(server);
  try {
    const loopback = 'http://127.0.0.1:43117/callback'; // registered as http://127.0.0.1/callback
    const { status, location } = await signInInBrowser(b.beginOAuth(loopback), a.email, a.password);
    assert.equal(status, 302);
    assert.ok(location.startsWith(`${loopback}?code=`));
    const account = await b.completeOAuth(location);
    assert.equal(account.userId, a.client.session().userId);
  } finally {
    a.client.dispose();
    b.dispose();
  }
});

test('OAuth PKCE: an unregistered redirect gets a 400 page and no code', async () => {
  const a = await readyClient(server);
  const b = await clientFor(server);
  try {
    for (const uri of ['https://evil.example/cb', 'com.example.app:/oauth-done/more', 'http://127.0.0.1:43117/callback/x']) {
      const authorize = b.beginOAuth(uri);
      const page = await fetch(authorize, { redirect: 'manual' });
      assert.equal(page.status, 400, uri);
      assert.match(page.headers.get('content-type'), /^text\/html/);
      assert.equal(page.headers.get('location'), null);
      assert.ok(!(await page.text()).includes('<form'), uri);
      const form = new URLSearchParams(new URL(authorize).search);
      form.set('email', a.email);
      form.set('password', a.password);
      const reply = await fetch(`${server.url}/v1/oauth/authorize`, { method: 'POST', body: form, redirect: 'manual' });
      assert.equal(reply.status, 400, uri);
      assert.equal(reply.headers.get('location'), null);
      assert.ok(!(await reply.text()).includes('code='), uri);
    }
  } finally {
    a.client.dispose();
    b.dispose();
  }
});
