// One device: a SyncKit client with its own key store, replica and saved session, and the panel
// that shows it. The to-dos are in todos.js, the attached file in attachment.js, the Offline switch
// and sync status in sync-controls.js.
//
// What is kept where:
// - the master key: in IndexedDB, wrapped by a non-extractable WebCrypto key (IndexedDBKeyStore);
//   after a reload unlock() gets it back without the encryption password;
// - the rows and the writes not yet pushed: in the replica's IndexedDB database, sealed
//   (client.openReplica); they show at once after a reload, before any sync;
// - the session tokens, the device id and the Offline switch: in localStorage. The tokens are
//   bearer credentials: anything that can run script on this origin can read them, as with any
//   web session.
import { SyncKit, SyncKitError, IndexedDBKeyStore } from 'synckit';
import { Attachment } from './attachment.js';
import { SyncControls } from './sync-controls.js';
import { TodoList } from './todos.js';

function describe(error) {
  return error instanceof SyncKitError ? `${error.kind}: ${error.message}` : String(error);
}

export class Device {
  /** @param {string} name 'A' or 'B'  @param {HTMLElement} root  @param {{serverUrl, apiKey}} config */
  constructor(name, root, config) {
    this.name = name;
    this.config = config;
    this.storageKey = `synckit-example/device-${name}`;
    this.el = root;
    this.ui = (role) => root.querySelector(`[data-role="${role}"]`);
    this.queue = Promise.resolve(); // this device's account and network steps run one after another
    this.busy = 0;
    this.state = this.#load();
    this.client = null;
    this.replica = null;
    this.todos = null;
    this.attachment = null;
    this.controls = new SyncControls(
      { toggle: this.ui('offline'), button: this.ui('sync'), line: this.ui('sync-status') },
      { run: (what, step) => this.#run(what, step), onSwitch: (offline) => this.#switched(offline), onPushed: () => this.onSynced() },
    );
    this.onSynced = () => {}; // the server panel refreshes
  }

  // ---- start-up: resume the saved session and unlock from IndexedDB, or ask to sign in ----------

  async start() {
    this.ui('title').textContent = `Device ${this.name}`;
    this.#wireUi();
    try {
      this.client = await this.#createClient();
    } catch (error) {
      return this.#say(`SyncKit could not start: ${error.message}`, true);
    }
    if (!this.state.session) return this.#show('sign-in');
    await this.#run('unlocking', async () => {
      if (await this.client.unlock()) {
        this.#say('Unlocked from IndexedDB: no password needed after a reload.');
        await this.#ready();
      } else {
        this.#show('unlock');
      }
    });
  }

  #createClient() {
    return SyncKit.create({
      serverUrl: this.config.serverUrl,
      apiKey: this.config.apiKey,
      // Each device gets its own IndexedDB database, as two browsers would.
      keyStore: new IndexedDBKeyStore({ databaseName: `synckit-example-${this.name}` }),
      // A saved session resumes without signing in; onSessionChange sees every new token pair
      // (sign-in, refresh every ~15 minutes, logout → null), so save it each time.
      session: this.state.session ?? undefined,
      onSessionChange: (tokens) => {
        this.state.session = tokens;
        this.#save();
      },
      log: (line) => this.#log(line), // requests and retries; never tokens, keys or row data
    });
  }

  async #signIn(action, email, password, encryption) {
    if (action === 'create') {
      await this.client.createAccount(email, password);
      await this.client.setupEncryptionNew(encryption); // makes the master key, uploads it wrapped
    } else {
      await this.client.authenticate(email, password);
      await this.client.setupEncryptionExisting(encryption); // downloads and unwraps it
    }
    // setupEncryption* also saved the master key in the key store, for unlock() after a reload.
    this.state.email = email;
    this.#save();
    this.#say(action === 'create' ? 'Account created, encryption set up.' : 'Signed in, key unwrapped.');
    await this.#ready();
  }

  // Signed in and unlocked: open the replica, show its rows, start syncing (unless Offline).
  async #ready() {
    const deviceId = await this.#deviceId();
    this.replica = await this.client.openReplica(deviceId, {
      // Two devices of one account share this page, so their replicas need two names; an app with
      // one device per browser leaves the default.
      name: `device-${this.name}`,
      onError: (error) => this.#syncFailed(error),
      onRejected: (change) => this.#say(`pulled change ${change.changeId} could not be opened: ${change.error.kind}`, true),
    });
    const hooks = { onRemote: () => this.onSynced(), onError: (error) => this.#say(`saving failed: ${describe(error)}`, true) };
    this.todos = new TodoList(this.ui('todos'), this.replica, this.name, hooks);
    this.attachment = new Attachment(this.ui('attachment'), {
      client: this.client, replica: this.replica, me: this.name, ...hooks,
      run: (what, step, options) => this.#run(what, step, options),
      isOffline: () => this.state.offline,
    });
    await this.todos.open();
    await this.attachment.open();
    this.ui('who').textContent = `${this.state.email} · device ${deviceId.slice(0, 8)}…`;
    this.#show('ready');
    this.controls.attach(this.replica, this.state.offline);
    this.#switched(this.state.offline);
  }

  // A replica belongs to one registered device: register once per account and keep the id (a
  // replica made afresh, in a cleared browser profile, would need a new device).
  async #deviceId() {
    const { userId } = this.client.session();
    if (!this.state.deviceIds[userId]) {
      const device = await this.client.registerDevice(`Device ${this.name}`, 'web');
      this.state.deviceIds[userId] = device.id;
      this.#save();
    }
    return this.state.deviceIds[userId];
  }

  #closeReplica() {
    this.controls.detach();
    this.todos?.close();
    this.attachment?.close();
    this.replica?.close();
    this.replica = this.todos = this.attachment = null;
  }

  // ---- syncing --------------------------------------------------------------------------------------

  #switched(offline) {
    this.state.offline = offline;
    this.#save();
    this.ui('file').disabled = offline; // a blob goes to the server at once: no offline uploads
    this.attachment?.render();
  }

  // The loop goes on after network, 5xx and 429 errors (with a backoff) and stops after others.
  #syncFailed(error) {
    this.#say(`sync: ${describe(error)}`, true);
    if (error.kind === 'unauthorized') this.#run('signing in again', async () => this.#sessionLost());
  }

  // A session the server no longer accepts (signed out elsewhere, refresh token expired): ask to
  // sign in again. The replica keeps the writes not yet pushed; they go after the next sign-in.
  #sessionLost() {
    this.#closeReplica();
    this.state.session = null;
    this.#save();
    this.#show('sign-in');
  }

  async #signOut() {
    this.#closeReplica();
    await this.client.logout(); // ends the session and deletes the key from IndexedDB
    this.state.session = null;
    this.#save();
    this.#say('Signed out; the cached key was deleted (the replica stays, sealed).');
    this.#show('sign-in');
  }

  // ---- UI -------------------------------------------------------------------------------------------

  #wireUi() {
    const signIn = this.ui('sign-in');
    signIn.addEventListener('submit', (event) => {
      event.preventDefault();
      const form = new FormData(signIn);
      this.#run('signing in', () =>
        this.#signIn(event.submitter.value, form.get('email'), form.get('password'), form.get('encryption')));
    });
    const unlock = this.ui('unlock');
    unlock.addEventListener('submit', (event) => {
      event.preventDefault();
      const encryption = new FormData(unlock).get('encryption');
      this.#run('unlocking', async () => {
        await this.client.setupEncryptionExisting(encryption);
        await this.#ready();
      });
    });
    const add = this.ui('add');
    add.addEventListener('submit', (event) => {
      event.preventDefault();
      const title = new FormData(add).get('title').trim();
      if (title) this.todos?.add(title);
      add.reset();
    });
    this.ui('file').addEventListener('change', (event) => {
      const [file] = event.target.files;
      if (file && this.attachment) this.attachment.attach(file).finally(() => (event.target.value = ''));
    });
    this.ui('sign-out').addEventListener('click', () => this.#run('signing out', () => this.#signOut()));
  }

  #show(part) {
    for (const role of ['sign-in', 'unlock', 'ready']) this.ui(role).hidden = role !== part;
    this.el.dataset.state = part;
    this.ui('state').textContent = part;
    if (part === 'sign-in' && this.state.email) this.ui('sign-in').elements.email.value = this.state.email;
  }

  // Runs one step after the previous ones; shows errors in the panel (every rejection is a
  // SyncKitError with a `kind`, for example 'unauthorized', 'wrong_password', 'network').
  #run(what, step, { quiet = false } = {}) {
    const result = this.queue.then(async () => {
      this.busy += 1;
      this.el.dataset.busy = 'true';
      if (!quiet) this.ui('state').textContent = what;
      try {
        return await step();
      } catch (error) {
        this.#say(`${what} failed: ${describe(error)}`, true);
        if (error?.kind === 'unauthorized' && this.el.dataset.state === 'ready') this.#sessionLost();
        return undefined;
      } finally {
        this.busy -= 1;
        if (this.busy === 0) delete this.el.dataset.busy;
        this.ui('state').textContent = this.el.dataset.state;
      }
    });
    this.queue = result.then(() => undefined);
    return result;
  }

  #say(text, isError = false) {
    const message = this.ui('message');
    message.textContent = text;
    message.classList.toggle('error', isError);
  }

  #log(line) {
    const log = this.ui('log');
    log.textContent = `${log.textContent}${line}\n`.split('\n').slice(-60).join('\n');
  }

  // ---- saved state ----------------------------------------------------------------------------------

  #fresh() {
    const { serverUrl, apiKey } = this.config;
    return { serverUrl, apiKey, email: '', session: null, deviceIds: {}, offline: false };
  }

  #load() {
    try {
      const saved = JSON.parse(localStorage.getItem(this.storageKey));
      // State saved for another server (an earlier run of examples/web/run) is of no use here.
      if (saved?.serverUrl === this.config.serverUrl && saved?.apiKey === this.config.apiKey && saved.deviceIds) return saved;
    } catch {
      // nothing saved, or unreadable: start fresh
    }
    return this.#fresh();
  }

  #save() {
    localStorage.setItem(this.storageKey, JSON.stringify(this.state));
  }
}
