import { callbackPromise } from './callback-promise.js';
import { changesToUtf8, parsePull } from './change-text.js';
import { openIndexedDBReplica } from './indexeddb-replica-store.js';
import { Replica, replicaHost } from './replica.js';
import { type KeyStore, type KeyStoreEntry, keyStoreId } from './key-store.js';
import { MemoryKeyStore } from './memory-key-store.js';
import { IndexedDBKeyStore } from './indexeddb-key-store.js';
import { SyncKitError } from './sync-kit-error.js';
import { checkSignal, linkAbort } from './abort-link.js';
import { blobReadableStream, bytesOf, putBlobStreamed, SINGLE_SHOT_LIMIT } from './blob-streams.js';
import type {
  Account,
  BlobData,
  BlobStreamOptions,
  Change,
  Device,
  PullOptions,
  PullResult,
  PutBlobOptions,
  ReplicaOptions,
  RetryOptions,
  Session,
  SessionTokens,
  SyncStatus,
  WatchOptions,
} from './types.js';
import { loadWasmModule, type WasmCallback, type WasmClient, type WasmReplica } from './wasm-module.js';

/** Options of SyncKit.create. */
export interface SyncKitOptions {
  /** https://…, or http:// for a loopback host (local development). */
  serverUrl: string;
  /** Names the app on the server. */
  apiKey: string;
  /** Where the master key is cached (default: IndexedDB in browsers, memory in Node). */
  keyStore?: KeyStore;
  /** A saved session to resume (no sign-in needed). */
  session?: SessionTokens;
  /** Called whenever the session tokens change (sign-in, refresh, logout → null): persist them here. */
  onSessionChange?: (tokens: SessionTokens | null) => void;
  /** One line per request, retry and key-store event; never tokens, keys or row data. */
  log?: (line: string) => void;
  /** Changes asked for per pull (1..1000, default 500). */
  pullLimit?: number;
  /** Time limit of one HTTP request in ms (default 60000). */
  timeoutMs?: number;
  retry?: RetryOptions;
}

// Deletes the wasm object of a client that was garbage-collected without dispose().
const finalizer =
  typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry<{ handle: WasmClient | null }>((slot) => {
        slot.handle?.delete();
        slot.handle = null;
      })
    : null;

function defaultKeyStore(): KeyStore {
  const scope = globalThis as { indexedDB?: unknown; crypto?: { subtle?: unknown }; process?: unknown };
  if (scope.indexedDB && scope.crypto?.subtle && typeof scope.process === 'undefined') return new IndexedDBKeyStore();
  return new MemoryKeyStore();
}

function defaultReplicaDatabase(): IDBFactory | null {
  const scope = globalThis as { indexedDB?: IDBFactory; process?: unknown };
  return scope.indexedDB && typeof scope.process === 'undefined' ? scope.indexedDB : null;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A SyncKit client: sign-in, end-to-end encryption, devices, push/pull of encrypted row changes and
 * blobs. Every method returns a Promise that rejects only with a SyncKitError. Call dispose() when
 * done (a finalizer frees a forgotten client, later).
 */
export class SyncKit {
  readonly #slot: { handle: WasmClient | null };
  readonly #pending = new Set<(error: SyncKitError) => void>();
  readonly #watches = new Set<() => void>();
  readonly #replicas = new Set<Replica>();
  readonly #serverUrl: string;

  private constructor(handle: WasmClient, serverUrl: string) {
    this.#slot = { handle };
    this.#serverUrl = serverUrl;
    finalizer?.register(this, this.#slot, this);
  }

  /** Loads the wasm module (once per page or process) and makes a client. */
  static async create(options: SyncKitOptions): Promise<SyncKit> {
    if (typeof options !== 'object' || options === null) {
      throw new SyncKitError('invalid_input', 'SyncKit.create needs an options object');
    }
    const module = await loadWasmModule();
    const keyStore = options.keyStore ?? defaultKeyStore();
    const ref: { handle: WasmClient | null } = { handle: null };
    const handle = new module.WasmClient(SyncKit.#host(ref, keyStore, options));
    ref.handle = handle;
    const error = handle.open({
      serverUrl: options.serverUrl,
      apiKey: options.apiKey,
      ...(options.pullLimit !== undefined ? { pullLimit: options.pullLimit } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.retry !== undefined ? { retry: options.retry } : {}),
    });
    if (error) {
      handle.delete();
      throw SyncKitError.fromCore(error);
    }
    const client = new SyncKit(handle, options.serverUrl);
    if (options.session) client.restoreSession(options.session);
    return client;
  }

  // What the wasm side calls back into: the key store (by request id) and the option hooks. It must
  // not reference the SyncKit object (the finalizer could never run).
  static #host(ref: { handle: WasmClient | null }, store: KeyStore, options: SyncKitOptions): object {
    const settle = (id: number, error: unknown, key: Uint8Array | null = null) => {
      const text = error === null ? '' : `the key store failed: ${message(error)}`;
      ref.handle?.settleKeyStore(id, text, key);
      if (key instanceof Uint8Array) key.fill(0);
    };
    return {
      save(entry: KeyStoreEntry, view: Uint8Array, id: number) {
        const copy = view.slice();
        Promise.resolve()
          .then(() => store.save({ ...entry }, copy))
          .then(() => settle(id, null), (error) => settle(id, error))
          .finally(() => copy.fill(0));
      },
      load(entry: KeyStoreEntry, id: number) {
        Promise.resolve()
          .then(() => store.load({ ...entry }))
          .then(
            (key) =>
              key === null || key === undefined || key instanceof Uint8Array
                ? settle(id, null, key ?? null)
                : settle(id, new Error('load() returned neither a Uint8Array nor null')),
            (error) => settle(id, error),
          );
      },
      remove(entry: KeyStoreEntry, id: number) {
        Promise.resolve()
          .then(() => store.remove({ ...entry }))
          .then(() => settle(id, null), (error) => settle(id, error));
      },
      ...(options.onSessionChange
        ? { sessionChanged: (tokens: SessionTokens | null) => options.onSessionChange?.(tokens) }
        : {}),
      ...(options.log ? { log: (line: string) => options.log?.(line) } : {}),
    };
  }

  /** Creates an account (the password never leaves the device: a key derived from it does). */
  createAccount(email: string, password: string): Promise<Account> {
    return this.#call((h, done) => h.createAccount(email, password, done));
  }

  /** Signs in with email and password. Rejects with kind 'unauthorized' for wrong credentials. */
  authenticate(email: string, password: string): Promise<Account> {
    return this.#call((h, done) => h.authenticate(email, password, done));
  }

  /** Starts OAuth2 PKCE: the URL to send the browser to. The client keeps verifier and state. */
  beginOAuth(redirectUri: string): string {
    const result = this.#handle().beginOAuth(redirectUri);
    if (result.error) throw SyncKitError.fromCore(result.error);
    return result.url as string;
  }

  /** Finishes OAuth2 PKCE with the URL the browser came back to. */
  completeOAuth(redirectUrl: string): Promise<Account> {
    return this.#call((h, done) => h.completeOAuth(redirectUrl, done));
  }

  /** Resumes a saved session (no network). Throws a SyncKitError for malformed tokens. */
  restoreSession(tokens: SessionTokens): void {
    const error = this.#handle().restoreSession(tokens);
    if (error) throw SyncKitError.fromCore(error);
  }

  /** The current session tokens, or null when signed out. */
  session(): SessionTokens | null {
    return this.#handle().session() as SessionTokens | null;
  }

  /** First device: makes the account's master key, wrapped by `password`, and uploads it. */
  setupEncryptionNew(password: string): Promise<void> {
    return this.#call((h, done) => h.setupEncryptionNew(password, done));
  }

  /** Another device: downloads and unwraps the master key (kind 'wrong_password' if it fails). */
  setupEncryptionExisting(password: string): Promise<void> {
    return this.#call((h, done) => h.setupEncryptionExisting(password, done));
  }

  /** Loads the cached master key from the key store: true when found (no password needed). */
  unlock(): Promise<boolean> {
    return this.#call((h, done) => h.unlock(done));
  }

  /** Re-wraps the master key under a new encryption password (fresh salt). */
  changePassword(oldPassword: string, newPassword: string): Promise<void> {
    return this.#call((h, done) => h.changePassword(oldPassword, newPassword, done));
  }

  /** Whether the master key is unlocked. */
  get encryptionReady(): boolean {
    return this.#slot.handle?.encryptionReady() ?? false;
  }

  /**
   * A new recovery code for the unlocked account (an earlier one stops working). Show it to the
   * user once: SyncKit keeps no copy.
   */
  createRecoveryCode(): Promise<string> {
    return this.#call((h, done) => h.createRecoveryCode(done));
  }

  /**
   * Forgot the password: signs in with the recovery code, makes `newPassword` the sign-in and the
   * encryption password, and unlocks. Every other session ends. A typo in the code rejects with
   * kind 'invalid_input' (nothing sent), a wrong code with 'unauthorized'.
   */
  recover(email: string, code: string, newPassword: string): Promise<Account> {
    return this.#call((h, done) => h.recover(email, code, newPassword, done));
  }

  /** Changes the sign-in password (not the encryption one); every other session ends. */
  changeSignInPassword(oldPassword: string, newPassword: string): Promise<void> {
    return this.#call((h, done) => h.changeSignInPassword(oldPassword, newPassword, done));
  }

  /**
   * Both passwords, for apps with one password: the encryption password first, then the sign-in
   * one. Interrupted, call it again with the same passwords: it finishes.
   */
  changePasswords(oldPassword: string, newPassword: string): Promise<void> {
    return this.#call((h, done) => h.changePasswords(oldPassword, newPassword, done));
  }

  /** The account's sessions, oldest first. */
  listSessions(): Promise<Session[]> {
    return this.#call((h, done) => h.listSessions(done), (value) => (value as RawSession[]).map(toSession));
  }

  /** Ends a session (a lost device): its tokens stop working at once. */
  endSession(sessionId: string): Promise<void> {
    return this.#call((h, done) => h.endSession(sessionId, done));
  }

  /**
   * Deletes the account and everything of it on the server, then signs out and removes the
   * cached key. Rejects with 'unauthorized' for a wrong password.
   */
  deleteAccount(password: string): Promise<void> {
    return this.#call((h, done) => h.deleteAccount(password, done));
  }

  registerDevice(name: string, platform: string): Promise<Device> {
    return this.#call((h, done) => h.registerDevice(name, platform, done), toDevice);
  }

  listDevices(): Promise<Device[]> {
    return this.#call((h, done) => h.listDevices(done), (value) => (value as RawDevice[]).map(toDevice));
  }

  revokeDevice(deviceId: string): Promise<void> {
    return this.#call((h, done) => h.revokeDevice(deviceId, done));
  }

  /**
   * Encrypts the changes on this device and pushes them (in batches of up to 1000); resolves to the
   * server's cursor. All changes cross into wasm as one UTF-8 JSON text.
   */
  push(deviceId: string, changes: readonly Change[]): Promise<number> {
    return this.#call((h, done) => {
      // UTF-8 bytes cross into wasm in one copy; this copy of the plaintext is wiped after it.
      const bytes = changesToUtf8(changes);
      try {
        h.push(deviceId, bytes, done);
      } finally {
        bytes.fill(0);
      }
    });
  }

  /**
   * Other devices' changes after `cursor`, decrypted. `wait` (seconds) makes it a live pull, held
   * on the server until another device pushes; `signal` aborts it (kind 'cancelled').
   */
  pull(deviceId: string, cursor = 0, options: PullOptions = {}): Promise<PullResult> {
    const { wait = 0, signal } = options ?? {};
    return this.#call((h, done) => {
      if (typeof wait !== 'number') throw new SyncKitError('invalid_input', 'wait must be a number of seconds (0..60)', { field: 'wait' });
      checkSignal(signal, 'pull');
      const { id, unlink } = linkAbort(h, () => this.#handle(), signal);
      h.pull(deviceId, cursor, wait, id, (error, value) => {
        unlink();
        done(error, value);
      });
    }, parsePull);
  }

  /**
   * Pulls from `cursor` on and on: live pulls when the server serves them, else polling every 2 s;
   * retries while the server is away. `onPage` gets each page with news (pass `page.cursor` on when
   * you persist it); an error that will not pass ends the watch through `options.onError`.
   * Returns the function that stops it (its request is dropped at once).
   */
  watch(deviceId: string, cursor: number, onPage: (page: PullResult) => void, options: WatchOptions = {}): () => void {
    const handle = this.#handle();
    if (typeof onPage !== 'function') throw new SyncKitError('invalid_input', 'watch needs an onPage function', { field: 'onPage' });
    const { wait = 30, onError } = options ?? {};
    if (typeof wait !== 'number') throw new SyncKitError('invalid_input', 'wait must be a number of seconds (1..60)', { field: 'wait' });
    let stopped = false;
    let id = 0;
    let startError: SyncKitError | null = null;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      this.#watches.delete(stop);
      this.#slot.handle?.stopWatch(id);
    };
    id = handle.watch(deviceId, cursor, wait, (error, value) => {
      if (stopped) return;
      if (error) {
        const failure = SyncKitError.fromCore(error);
        if (id === 0) {
          startError = failure;  // bad arguments: thrown below, synchronously
          return;
        }
        stopped = true;
        this.#watches.delete(stop);
        onError?.(failure);
        return;
      }
      onPage(parsePull(value));
    });
    if (startError) throw startError;
    this.#watches.add(stop);
    return stop;
  }

  /**
   * Encrypts and stores a blob under `blobId`. Up to 4 MiB of bytes (or a Blob that small) go in
   * one piece, exactly 40 bytes of overhead; larger data, a ReadableStream (give `size`) or
   * `stream: true` go as a streamed blob of any size, a few parts of memory at a time, a failed
   * part retried alone. `onProgress` and `signal` work for both.
   */
  async putBlob(blobId: string, data: BlobData, options: PutBlobOptions = {}): Promise<void> {
    const opts = options ?? {};
    const small = !opts.stream && !(typeof ReadableStream !== 'undefined' && data instanceof ReadableStream) &&
      ((data instanceof Uint8Array && data.length <= SINGLE_SHOT_LIMIT) ||
       (typeof Blob !== 'undefined' && data instanceof Blob && data.size <= SINGLE_SHOT_LIMIT));
    if (!small) return putBlobStreamed(this.#pending, () => this.#handle(), blobId, data, opts);
    const bytes = await bytesOf(data);
    if (!bytes) throw new SyncKitError('invalid_input', 'blob data must be a Uint8Array, a Blob or a ReadableStream', { field: 'data' });
    if (opts.signal?.aborted) throw new SyncKitError('cancelled', 'the transfer was aborted before it started');
    await this.#call((h, done) => h.putBlob(blobId, bytes, done));
    opts.onProgress?.(bytes.length, bytes.length);
  }

  /** Fetches and decrypts a blob of either form, whole; the Uint8Array is the caller's own copy. */
  getBlob(blobId: string): Promise<Uint8Array> {
    return this.#call((h, done) => h.getBlob(blobId, done), (view) => (view as Uint8Array).slice());
  }

  /**
   * The blob's plaintext as a stream (either form), read range by range as it is consumed: a few
   * parts in memory whatever the size. It errors with a SyncKitError ('crypto' when the blob is
   * truncated or tampered: bytes read before may be part of such a blob, so only a stream that
   * closed was whole); cancelling it stops the download.
   */
  getBlobStream(blobId: string, options: BlobStreamOptions = {}): ReadableStream<Uint8Array> {
    return blobReadableStream(this.#pending, () => this.#handle(), blobId, options ?? {});
  }

  deleteBlob(blobId: string): Promise<void> {
    return this.#call((h, done) => h.deleteBlob(blobId, done));
  }

  status(): Promise<SyncStatus> {
    return this.#call((h, done) => h.status(done));
  }

  /** Ends the session, forgets tokens and master key, and removes the key from the key store. */
  logout(): Promise<void> {
    return this.#call((h, done) => h.logout(done));
  }

  /**
   * Opens this device's local replica (replica.md): `deviceId` is a device registered for it, and a
   * replica made afresh (a cleared browser profile) needs a new one. Browsers keep it in IndexedDB
   * (one database per server, app, user and options.name), Node in memory unless
   * options.indexedDB is given. The client must be signed in and unlocked. Rejects with
   * not_set_up, invalid_input (the database holds another device's replica), crypto (another
   * account's), storage (IndexedDB failed, or the replica is open in another tab).
   */
  async openReplica(deviceId: string, options: ReplicaOptions = {}): Promise<Replica> {
    const module = await loadWasmModule();
    const tokens = this.session();
    if (!tokens) throw new SyncKitError('not_set_up', 'openReplica needs a signed-in client');
    const factory = options.indexedDB === undefined ? defaultReplicaDatabase() : options.indexedDB;
    const name = `synckit-replica:${keyStoreId({ serverUrl: this.#serverUrl, appId: tokens.appId, userId: tokens.userId })}:${options.name ?? 'default'}`;
    const persister = factory ? await openIndexedDBReplica(factory, name) : null;
    const ref: { handle: WasmReplica | null } = { handle: null };
    const handle = new module.WasmReplica();
    ref.handle = handle;
    const host = {
      ...replicaHost(ref, persister, options.onRejected, options.onError),
      ...(options.waitSeconds !== undefined ? { waitSeconds: options.waitSeconds } : {}),
    };
    const error = handle.open(this.#handle(), deviceId, persister?.records ?? [], host);
    if (error) {
      handle.delete();
      persister?.close();
      throw SyncKitError.fromCore(error);
    }
    const replica: Replica = new Replica({ ref, persister, onClose: () => this.#replicas.delete(replica) });
    this.#replicas.add(replica);
    return replica;
  }

  /** Frees the client. Calls still pending reject (kind 'not_set_up'); later calls do too. */
  dispose(): void {
    const handle = this.#slot.handle;
    if (!handle) return;
    this.#slot.handle = null;
    finalizer?.unregister(this);
    for (const replica of [...this.#replicas]) replica.close();
    for (const stop of [...this.#watches]) stop();
    const pending = [...this.#pending];
    this.#pending.clear();
    const error = new SyncKitError('not_set_up', 'the client was disposed');
    for (const reject of pending) reject(error);
    handle.delete();
  }

  #handle(): WasmClient {
    const handle = this.#slot.handle;
    if (!handle) throw new SyncKitError('not_set_up', 'the client was disposed');
    return handle;
  }

  // Runs one adapter call and turns its callback into a Promise that rejects only with SyncKitError.
  #call<T>(start: (handle: WasmClient, done: WasmCallback) => void, convert?: (value: unknown) => T): Promise<T> {
    return callbackPromise(this.#pending, () => this.#handle(), start, convert);
  }
}

interface RawSession {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  current: boolean;
}

function toSession(value: RawSession): Session {
  return { id: value.id, createdAt: new Date(value.createdAt), lastUsedAt: new Date(value.lastUsedAt), current: value.current };
}

interface RawDevice {
  id: string;
  name: string;
  platform: string;
  createdAt: string;
}

function toDevice(value: unknown): Device {
  const raw = value as RawDevice;
  return { id: raw.id, name: raw.name, platform: raw.platform, createdAt: new Date(raw.createdAt) };
}
