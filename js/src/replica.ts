// A local replica (replica.md): the account's rows on this device, written offline or online and
// merged with other devices' writes by the core's one rule. Browsers keep it in IndexedDB
// (indexeddb-replica-store.ts), Node in memory unless given an IndexedDB.
import { callbackPromise } from './callback-promise.js';
import type { ReplicaPersister, ReplicaWrite } from './indexeddb-replica-store.js';
import { SyncKitError, type CoreError } from './sync-kit-error.js';
import type {
  JsonValue,
  RejectedChange,
  ReplicaEvent,
  ReplicaRow,
  ReplicaStatus,
  ReplicaSyncResult,
} from './types.js';
import type { WasmCallback, WasmReplica } from './wasm-module.js';

interface RawRejected {
  seq: number;
  changeId: string;
  error: CoreError;
}

function toRejected(raw: RawRejected): RejectedChange {
  return { seq: raw.seq, changeId: raw.changeId, error: SyncKitError.fromCore(raw.error) };
}

/** @internal What SyncKit.openReplica hands a new Replica. */
export interface ReplicaParts {
  /** The handle, also as the host object's callbacks see it (nulled on close). */
  ref: { handle: WasmReplica | null };
  persister: ReplicaPersister | null;
  onClose: () => void;
}

/** @internal The host object the wasm replica calls back into (no reference to the Replica). */
export function replicaHost(
  ref: { handle: WasmReplica | null },
  persister: ReplicaPersister | null,
  onRejected: ((change: RejectedChange) => void) | undefined,
  onError: ((error: SyncKitError) => void) | undefined,
): object {
  return {
    persister: persister
      ? {
          commit(writes: ReplicaWrite[], id: number) {
            persister.commit(writes).then(
              () => ref.handle?.settleCommit(id, ''),
              (error: unknown) => ref.handle?.settleCommit(id, error instanceof Error ? error.message : String(error)),
            );
          },
        }
      : null,
    onRejected: (raw: RawRejected) => onRejected?.(toRejected(raw)),
    onError: (raw: CoreError) => onError?.(SyncKitError.fromCore(raw)),
  };
}

/**
 * The replica: put/delete/get/list rows, subscribe to a table, sync once or start the sync loop.
 * Writes resolve once stored (IndexedDB transaction complete). Every Promise rejects only with a
 * SyncKitError. close() when done.
 */
export class Replica {
  readonly #ref: { handle: WasmReplica | null };
  readonly #persister: ReplicaPersister | null;
  readonly #onClose: () => void;
  readonly #pending = new Set<(error: SyncKitError) => void>();

  /** @internal Use SyncKit.openReplica. */
  constructor(parts: ReplicaParts) {
    this.#ref = parts.ref;
    this.#persister = parts.persister;
    this.#onClose = parts.onClose;
  }

  /** Sets the whole row (insert or update); durable and queued for push when it resolves. */
  put(table: string, rowId: string, data: JsonValue): Promise<void> {
    let text: string | undefined;
    try {
      text = JSON.stringify(data);
    } catch {
      text = undefined;
    }
    if (text === undefined) {
      return Promise.reject(new SyncKitError('invalid_input', 'a row\'s data must be JSON', { field: 'data' }));
    }
    const json = text;
    return this.#call((h, done) => h.put(table, rowId, json, done));
  }

  /** Deletes the row (a tombstone that an older write arriving later does not undo). */
  delete(table: string, rowId: string): Promise<void> {
    return this.#call((h, done) => h.remove(table, rowId, done));
  }

  /** The row's data, or null when it was never written or is deleted. */
  async get(table: string, rowId: string): Promise<JsonValue | null> {
    const result = this.#handleOrThrow().get(table, rowId);
    if (result.error) throw SyncKitError.fromCore(result.error);
    return result.data === null || result.data === undefined ? null : (JSON.parse(result.data) as JsonValue);
  }

  /** The table's rows, sorted by row id. */
  async list(table: string): Promise<ReplicaRow[]> {
    const result = this.#handleOrThrow().list(table);
    if (result.error) throw SyncKitError.fromCore(result.error);
    return JSON.parse(result.rows ?? '[]') as ReplicaRow[];
  }

  /** Calls `callback` after every transaction that changed rows of `table`; returns the unsubscribe function. */
  subscribe(table: string, callback: (event: ReplicaEvent) => void): () => void {
    if (typeof callback !== 'function') {
      throw new SyncKitError('invalid_input', 'subscribe needs a callback', { field: 'callback' });
    }
    const id = this.#handleOrThrow().subscribe(table, (text) => callback(JSON.parse(text) as ReplicaEvent));
    return () => this.#ref.handle?.unsubscribe(id);
  }

  /** One round: push local writes, pull and merge other devices' until the server has no more. */
  sync(): Promise<ReplicaSyncResult> {
    return this.#call(
      (h, done) => h.sync(done),
      (value) => {
        const raw = value as { pushed: number; pulled: number; rejected: RawRejected[] };
        return { pushed: raw.pushed, pulled: raw.pulled, rejected: raw.rejected.map(toRejected) };
      },
    );
  }

  /** Starts the sync loop (live pull when the server offers it, else polling; backoff while it is away). */
  start(): void {
    this.#handleOrThrow().start();
  }

  stop(): void {
    this.#ref.handle?.stop();
  }

  status(): ReplicaStatus {
    const raw = this.#handleOrThrow().status();
    return {
      pending: raw.pending,
      lastSyncAt: raw.lastSyncAt === null ? null : new Date(raw.lastSyncAt),
      online: raw.online,
      lastError: raw.lastError ? SyncKitError.fromCore(raw.lastError) : null,
      running: raw.running,
    };
  }

  /**
   * Stops the loop and closes the database; calls still pending and later ones reject ('cancelled').
   * A write whose IndexedDB transaction was already running may still land, whole, as after a crash.
   */
  close(): void {
    const handle = this.#ref.handle;
    if (!handle) return;
    this.#ref.handle = null;  // commits still in IndexedDB settle into nothing
    handle.close();
    handle.delete();
    this.#persister?.close();
    const pending = [...this.#pending];
    this.#pending.clear();
    const error = new SyncKitError('cancelled', 'the replica is closed');
    for (const reject of pending) reject(error);
    this.#onClose();
  }

  #handleOrThrow(): WasmReplica {
    if (!this.#ref.handle) throw new SyncKitError('cancelled', 'the replica is closed');
    return this.#ref.handle;
  }

  #call<T>(start: (handle: WasmReplica, done: WasmCallback) => void, convert?: (value: unknown) => T): Promise<T> {
    return callbackPromise(this.#pending, () => this.#handleOrThrow(), start, convert);
  }
}
