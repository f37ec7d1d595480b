// Where a browser's replica keeps its records: one IndexedDB database per server, app, user and
// replica name, holding only what the core hands over (keyed hashes, sealed records, sealed
// changes). The core keeps every record in memory too; this side loads them once and stores each
// transaction before the core applies it (platform/web/src/js_replica_store.cpp).
import { SyncKitError } from './sync-kit-error.js';

const STORE = 'kv';

/** A transaction's writes as the core hands them over: [space, key, value or null to delete]. */
export type ReplicaWrite = [number, Uint8Array, Uint8Array | null];

export interface ReplicaPersister {
  /** The stored records, [space, key, value], in key order. */
  records: ReplicaWrite[];
  /** Stores the writes in one transaction; resolves once it is durable. */
  commit(writes: ReplicaWrite[]): Promise<void>;
  close(): void;
}

function settled<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

// The IndexedDB key of a record (a binary key: they order bytewise): its space byte, then its key.
function storedKey(space: number, key: Uint8Array): ArrayBuffer {
  const out = new Uint8Array(key.length + 1);
  out[0] = space;
  out.set(key, 1);
  return out.buffer;
}

function asBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  throw new SyncKitError('storage', 'the replica database holds a record SyncKit did not write');
}

// Databases open in this realm (page, worker, Node process).
const openHere = new Set<string>();

function inUse(): SyncKitError {
  return new SyncKitError('storage', 'the replica is open already (in this page, another tab or a worker)');
}

/**
 * Holds `name` until release(): in this realm, and across tabs and workers through the Web Locks
 * API where there is one (browsers).
 */
async function exclusive(name: string): Promise<() => void> {
  if (openHere.has(name)) throw inUse();
  openHere.add(name);
  const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
  if (!locks) return () => openHere.delete(name);
  return new Promise<() => void>((resolve, reject) => {
    locks
      .request(name, { ifAvailable: true }, (lock) => {
        if (!lock) {
          reject(inUse());
          return undefined;
        }
        return new Promise<void>((release) => resolve(release));
      })
      .catch(reject);
  }).then(
    (release) => () => {
      openHere.delete(name);
      release();
    },
    (error: unknown) => {
      openHere.delete(name);
      throw error;
    },
  );
}

/** Opens (creating) the database `name` and reads every record. */
export async function openIndexedDBReplica(factory: IDBFactory, name: string): Promise<ReplicaPersister> {
  const release = await exclusive(name);
  let db: IDBDatabase;
  let records: ReplicaWrite[];
  try {
    const request = factory.open(name, 1);
    request.onupgradeneeded = () => {
      if (!request.result.objectStoreNames.contains(STORE)) request.result.createObjectStore(STORE);
    };
    db = await settled(request);
    const transaction = db.transaction(STORE, 'readonly');
    const store = transaction.objectStore(STORE);
    const [keys, values] = await Promise.all([settled(store.getAllKeys()), settled(store.getAll())]);
    records = keys.map((key, i) => {
      const bytes = asBytes(key);
      return [bytes[0] ?? -1, bytes.subarray(1), asBytes(values[i])];
    });
  } catch (error) {
    release();
    throw error instanceof SyncKitError ? error : new SyncKitError('storage', `IndexedDB: ${String(error)}`);
  }
  return {
    records,
    commit(writes) {
      return new Promise((resolve, reject) => {
        const transaction = db.transaction(STORE, 'readwrite', { durability: 'strict' });
        const store = transaction.objectStore(STORE);
        for (const [space, key, value] of writes) {
          if (value) store.put(value, storedKey(space, key));
          else store.delete(storedKey(space, key));
        }
        transaction.oncomplete = () => resolve();
        transaction.onabort = () => reject(transaction.error ?? new Error('the transaction was aborted'));
      });
    },
    close() {
      db.close();
      release();
    },
  };
}
