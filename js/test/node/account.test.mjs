// The account's life through the npm package against the real server: a recovery code and
// recovering with it, the sign-in password, both passwords at once, sessions, deleting the account.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { ServerProcess } from '../support/server.mjs';
import { SyncKitError, readyClient, clientFor, sampleChanges, pullAll, uniqueEmail } from '../support/client.mjs';

let server;
const clients = [];

before(async () => {
  server = await ServerProcess.start();
});

after(async () => {
  for (const client of clients) client.dispose();
  await server?.dispose();
});

async function fresh() {
  const client = await clientFor(server);
  clients.push(client);
  return client;
}

async function ready(options) {
  const made = await readyClient(server, options);
  clients.push(made.client);
  return made;
}

async function kindOf(promise) {
  try {
    await promise;
    return 'no error';
  } catch (error) {
    assert.ok(error instanceof SyncKitError, String(error));
    return error.kind;
  }
}

test('forgot the password: recover with the code on a new client and read everything', async () => {
  const email = uniqueEmail('recover');
  const { client, device } = await ready({ email, password: 'pw one', encryption: 'pw one' });
  await client.push(device.id, sampleChanges(5));
  await client.putBlob('note', new TextEncoder().encode('a blob to get back'));
  const code = await client.createRecoveryCode();
  assert.match(code, /^SKR1(-[A-Z2-7]{4}){14}$/);
  assert.equal(client.session().email, email);

  const phone = await fresh();
  const typo = code.slice(0, 9) + (code[9] === 'A' ? 'B' : 'A') + code.slice(10);
  assert.equal(await kindOf(phone.recover(email, typo, 'pw two')), 'invalid_input');
  assert.equal(await kindOf(phone.recover(uniqueEmail('nobody'), code, 'pw two')), 'unauthorized');
  assert.equal(phone.session(), null);

  const account = await phone.recover(email, code.toLowerCase().replaceAll('-', ' '), 'pw two');
  assert.equal(account.userId, client.session().userId);
  assert.ok(phone.encryptionReady);
  const phoneDevice = await phone.registerDevice('phone', 'node');
  const { changes } = await pullAll(phone, phoneDevice.id);
  assert.deepEqual(changes.map((c) => c.rowId), sampleChanges(5).map((c) => c.rowId));
  assert.equal(new TextDecoder().decode(await phone.getBlob('note')), 'a blob to get back');

  assert.equal(await kindOf(client.listDevices()), 'token_expired');
  const probe = await fresh();
  assert.equal(await kindOf(probe.authenticate(email, 'pw one')), 'unauthorized');
  await probe.authenticate(email, 'pw two');
  await probe.setupEncryptionExisting('pw two');

  await phone.createRecoveryCode();
  const late = await fresh();
  assert.equal(await kindOf(late.recover(email, code, 'pw three')), 'unauthorized');
});

test('sessions are listed and ended; the sign-in password changes alone or with the encryption one', async () => {
  const email = uniqueEmail('sessions');
  const { client } = await ready({ email, password: 'same pw', encryption: 'same pw' });
  const other = await fresh();
  await other.authenticate(email, 'same pw');

  const sessions = await client.listSessions();
  assert.equal(sessions.length, 2);
  assert.deepEqual(sessions.map((s) => s.current), [true, false]);
  assert.ok(sessions[0].createdAt instanceof Date && sessions[0].lastUsedAt instanceof Date);
  assert.equal(await kindOf(client.endSession('nope')), 'invalid_input');
  await client.endSession(sessions[1].id);
  assert.equal(await kindOf(other.listDevices()), 'token_expired');

  assert.equal(await kindOf(client.changeSignInPassword('wrong', 'next pw')), 'unauthorized');
  await client.changeSignInPassword('same pw', 'sign-in only');
  await client.changeSignInPassword('sign-in only', 'same pw');

  await client.changePasswords('same pw', 'both new');
  const probe = await fresh();
  await probe.authenticate(email, 'both new');
  await probe.setupEncryptionExisting('both new');
  assert.equal(await kindOf(client.changePasswords('wrong', 'x')), 'wrong_password');
});

test('deleting the account signs out and frees the email', async () => {
  const email = uniqueEmail('delete');
  const { client, device } = await ready({ email, password: 'del pw' });
  await client.push(device.id, sampleChanges(2));
  assert.equal(await kindOf(client.deleteAccount('wrong')), 'unauthorized');
  await client.deleteAccount('del pw');
  assert.equal(client.session(), null);
  assert.equal(client.encryptionReady, false);
  const again = await fresh();
  await again.createAccount(email, 'del pw');
  assert.equal((await again.status()).changes, 0);
});
