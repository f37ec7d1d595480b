// One device: a SyncKit client with its own key store and saved state, and the panel that shows it.
//
// What is kept where:
// - the master key: in IndexedDB, wrapped by a non-extractable WebCrypto key (IndexedDBKeyStore);
//   after a reload unlock() gets it back without the encryption password;
// - the session tokens, device id, pull cursor, local rows and the changes not yet pushed: in
//   localStorage (a real app would use its own database). The tokens are bearer credentials:
//   anything that can run script on this origin can read them, as with any web session.
import { SyncKit, SyncKitError, IndexedDBKeyStore } from 'synckit';

const TODOS = 'todos';
const ATTACHMENTS = 'attachments';
const ATTACHMENT_ROW = 'list'; // one attachment for the whole list
const PULL_EVERY_MS = 2000;

export class Device {
  /** @param {string} name 'A' or 'B'  @param {HTMLElement} root  @param {{serverUrl, apiKey}} config */
  constructor(name, root, config) {
    this.name = name;
    this.config = config;
    this.storageKey = `synckit-example/device-${name}`;
    this.el = root;
    this.ui = (role) => root.querySelector(`[data-role="${role}"]`);
    this.queue = Promise.resolve(); // SyncKit calls of this device run one after another
    this.busy = 0;
    this.state = this.#load();
    this.client = null;
    this.attachmentUrl = null;
    this.onSynced = () => {};
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

  async #ready() {
    if (!this.state.deviceId) {
      const device = await this.client.registerDevice(`Device ${this.name}`, 'web');
      this.state.deviceId = device.id;
      this.#save();
    }
    this.ui('who').textContent = `${this.state.email} · device ${this.state.deviceId.slice(0, 8)}…`;
    this.#show('ready');
    this.#render();
    clearInterval(this.timer);
    this.timer = setInterval(() => {
      if (this.busy === 0) this.#run('syncing', () => this.#sync(), { quiet: true });
    }, PULL_EVERY_MS);
    await this.#sync();
  }

  // ---- editing: change the local copy, queue the change, push ------------------------------------

  #edit(table, rowId, op, data) {
    const timestamp = Date.now();
    const rows = table === TODOS ? this.state.todos : this.state.attachments;
    rows[rowId] = op === 'delete' ? { deleted: true, updatedAt: timestamp } : { ...data, updatedAt: timestamp };
    // The outbox survives a reload or a failed push; sync() empties it.
    this.state.outbox.push({ table, op, rowId, timestamp: new Date(timestamp).toISOString(), data: op === 'delete' ? null : data });
    this.#save();
    this.#render();
    return this.#run('pushing', () => this.#sync());
  }

  addTodo(title) {
    return this.#edit(TODOS, crypto.randomUUID(), 'insert', { title, done: false });
  }

  toggleTodo(rowId) {
    const todo = this.state.todos[rowId];
    return this.#edit(TODOS, rowId, 'update', { title: todo.title, done: !todo.done });
  }

  deleteTodo(rowId) {
    return this.#edit(TODOS, rowId, 'delete', null);
  }

  // A blob holds the file's bytes (encrypted on this device); a row says which blob is attached.
  async attach(file) {
    const blobId = crypto.randomUUID();
    const bytes = new Uint8Array(await file.arrayBuffer());
    const uploaded = await this.#run('uploading', async () => {
      await this.client.putBlob(blobId, bytes);
      return true;
    });
    if (!uploaded) return;
    const previous = this.state.attachments[ATTACHMENT_ROW];
    await this.#edit(ATTACHMENTS, ATTACHMENT_ROW, previous ? 'update' : 'insert', {
      blobId, name: file.name, type: file.type || 'application/octet-stream', size: file.size,
    });
    if (previous?.blobId) await this.#run('cleaning up', () => this.client.deleteBlob(previous.blobId));
  }

  // ---- sync: push the outbox, then pull until there is nothing more ------------------------------

  async #sync() {
    const pushing = this.state.outbox.length > 0;
    if (pushing) {
      const changes = this.state.outbox.slice(); // edits made while this push runs wait for the next
      await this.client.push(this.state.deviceId, changes);
      this.state.outbox = this.state.outbox.slice(changes.length);
      this.#save();
    }
    let changed = false;
    for (;;) {
      // The server returns the other devices' changes after our cursor; SyncKit decrypts them.
      const page = await this.client.pull(this.state.deviceId, this.state.cursor);
      for (const change of page.changes) changed = this.#apply(change) || changed;
      this.state.cursor = page.cursor;
      this.#save();
      if (!page.hasMore) break;
    }
    if (changed) this.#render();
    if (pushing || changed) this.onSynced();
  }

  // Last writer wins, row by row, by the change's timestamp (on a tie the later arrival wins; a
  // real app would break ties by device id). Deletes leave a tombstone so that an older update
  // arriving later does not bring the row back.
  #apply(change) {
    if ('error' in change) {
      this.#say(`change ${change.changeId} could not be opened: ${change.error.kind}`, true);
      return false;
    }
    const rows = change.table === TODOS ? this.state.todos : change.table === ATTACHMENTS ? this.state.attachments : null;
    if (!rows) return false;
    const at = change.timestamp.getTime();
    if ((rows[change.rowId]?.updatedAt ?? -1) > at) return false;
    rows[change.rowId] = change.op === 'delete' ? { deleted: true, updatedAt: at } : { ...change.data, updatedAt: at };
    return true;
  }

  // ---- UI -----------------------------------------------------------------------------------------

  #render() {
    const list = this.ui('todos');
    list.replaceChildren();
    const todos = Object.entries(this.state.todos).filter(([, todo]) => !todo.deleted);
    for (const [rowId, todo] of todos.sort((a, b) => a[1].title.localeCompare(b[1].title))) {
      const item = document.createElement('li');
      item.dataset.rowId = rowId;
      item.classList.toggle('done', todo.done);
      const box = Object.assign(document.createElement('input'), { type: 'checkbox', checked: todo.done });
      box.addEventListener('change', () => this.toggleTodo(rowId));
      const title = Object.assign(document.createElement('span'), { textContent: todo.title });
      const remove = Object.assign(document.createElement('button'), { type: 'button', textContent: '✕', title: 'Delete' });
      remove.addEventListener('click', () => this.deleteTodo(rowId));
      item.append(box, title, remove);
      list.append(item);
    }
    this.#renderAttachment();
  }

  async #renderAttachment() {
    const meta = this.state.attachments[ATTACHMENT_ROW];
    const view = this.ui('attachment');
    if (!meta || meta.deleted) return view.replaceChildren();
    if (view.dataset.blobId === meta.blobId) return; // already shown
    view.dataset.blobId = meta.blobId;
    const bytes = await this.#run('downloading', () => this.client.getBlob(meta.blobId), { quiet: true });
    if (!bytes) delete view.dataset.blobId; // try again at the next render
    if (!bytes || view.dataset.blobId !== meta.blobId) return;
    if (this.attachmentUrl) URL.revokeObjectURL(this.attachmentUrl);
    this.attachmentUrl = URL.createObjectURL(new Blob([bytes], { type: meta.type }));
    const link = Object.assign(document.createElement('a'), {
      href: this.attachmentUrl, download: meta.name, textContent: `${meta.name} (${bytes.length} bytes)`,
    });
    const parts = [link];
    if (meta.type.startsWith('text/')) {
      parts.push(Object.assign(document.createElement('pre'), { textContent: new TextDecoder().decode(bytes) }));
    } else if (meta.type.startsWith('image/')) {
      parts.push(Object.assign(document.createElement('img'), { src: this.attachmentUrl, alt: meta.name }));
    }
    view.replaceChildren(...parts);
  }

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
      if (title) this.addTodo(title);
      add.reset();
    });
    this.ui('file').addEventListener('change', (event) => {
      const [file] = event.target.files;
      if (file) this.attach(file).finally(() => (event.target.value = ''));
    });
    this.ui('sync').addEventListener('click', () => this.#run('syncing', () => this.#sync()));
    this.ui('sign-out').addEventListener('click', () => this.#run('signing out', () => this.#signOut()));
  }

  async #signOut() {
    clearInterval(this.timer);
    await this.client.logout(); // ends the session and deletes the key from IndexedDB
    this.state = this.#fresh();
    this.#save();
    this.ui('attachment').replaceChildren();
    delete this.ui('attachment').dataset.blobId;
    this.#say('Signed out; the cached key was deleted.');
    this.#show('sign-in');
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
        const text = error instanceof SyncKitError ? `${error.kind}: ${error.message}` : String(error);
        this.#say(`${what} failed: ${text}`, true);
        // A session the server no longer accepts (signed out elsewhere, refresh token expired):
        // forget it and ask to sign in again. Rows still in the outbox are pushed after that.
        if (error?.kind === 'unauthorized' && this.el.dataset.state === 'ready') {
          clearInterval(this.timer);
          Object.assign(this.state, { session: null, deviceId: null, cursor: 0 });
          this.#save();
          this.#show('sign-in');
        }
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

  // ---- saved state --------------------------------------------------------------------------------

  #fresh() {
    const { serverUrl, apiKey } = this.config;
    return { serverUrl, apiKey, email: this.state?.email ?? '', session: null, deviceId: null, cursor: 0, todos: {}, attachments: {}, outbox: [] };
  }

  #load() {
    try {
      const saved = JSON.parse(localStorage.getItem(this.storageKey));
      // State saved for another server (an earlier run of examples/web/run) is of no use here.
      if (saved?.serverUrl === this.config.serverUrl && saved?.apiKey === this.config.apiKey) return saved;
    } catch {
      // nothing saved, or unreadable: start fresh
    }
    return this.#fresh();
  }

  #save() {
    localStorage.setItem(this.storageKey, JSON.stringify(this.state));
  }
}
