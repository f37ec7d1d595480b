import { type KeyStore, type KeyStoreEntry, keyStoreId } from './key-store.js';
import { platformCrypto } from './wasm-module.js';

export interface IndexedDBKeyStoreOptions {
  /** The IndexedDB to use (default: globalThis.indexedDB; in Node, for example fake-indexeddb's). */
  indexedDB?: IDBFactory;
  /** The Web Crypto API (default: globalThis.crypto; in Node 18, node:crypto's webcrypto). */
  crypto?: Crypto;
  /** Database name (default 'synckit-keys'); one object store, 'keys'. */
  databaseName?: string;
}

/** What one account's record holds: no key bytes in the clear. */
interface StoredKey {
  id: string;
  /** AES-256-GCM, non-extractable: WebCrypto can use it, nobody can read it. */
  wrappingKey: CryptoKey;
  iv: Uint8Array;
  /** The master key encrypted under wrappingKey, with the record id as associated data. */
  wrapped: ArrayBuffer;
}

const STORE = 'keys';

function settled<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

function committed(transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error ?? new Error('IndexedDB transaction failed'));
    transaction.onabort = () => reject(transaction.error ?? new Error('IndexedDB transaction aborted'));
  });
}

function isStoredKey(value: unknown): value is StoredKey {
  const record = value as StoredKey | undefined;
  return (
    typeof record === 'object' && record !== null && typeof record.id === 'string' &&
    typeof record.wrappingKey === 'object' && record.iv instanceof Uint8Array && record.iv.length === 12 &&
    record.wrapped instanceof ArrayBuffer
  );
}

/**
 * The browser's key store: the master key is kept encrypted (AES-256-GCM) under a non-extractable
 * WebCrypto key, and both live in IndexedDB. Script on the page can let SyncKit use the key but can
 * never read its bytes out of storage. A new wrapping key is made on every save; remove() deletes
 * the record (wrapping key and wrapped key together).
 */
export class IndexedDBKeyStore implements KeyStore {
  readonly #factory: IDBFactory;
  readonly #crypto: Crypto;
  readonly #name: string;
  #db: Promise<IDBDatabase> | null = null;

  constructor(options: IndexedDBKeyStoreOptions = {}) {
    const factory = options.indexedDB ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
    const crypto = options.crypto ?? platformCrypto();
    if (!factory) throw new Error('IndexedDB is not available here');
    if (!crypto?.subtle) throw new Error('the Web Crypto API is not available here (it needs a secure context)');
    this.#factory = factory;
    this.#crypto = crypto;
    this.#name = options.databaseName ?? 'synckit-keys';
  }

  async save(entry: KeyStoreEntry, key: Uint8Array): Promise<void> {
    const id = keyStoreId(entry);
    const wrappingKey = await this.#crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
      'encrypt',
      'decrypt',
    ]);
    const iv = this.#crypto.getRandomValues(new Uint8Array(12));
    const wrapped = await this.#crypto.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(id) },
      wrappingKey,
      key as BufferSource,
    );
    const record: StoredKey = { id, wrappingKey, iv, wrapped };
    const transaction = (await this.#open()).transaction(STORE, 'readwrite');
    transaction.objectStore(STORE).put(record);
    await committed(transaction);
  }

  async load(entry: KeyStoreEntry): Promise<Uint8Array | null> {
    const id = keyStoreId(entry);
    const transaction = (await this.#open()).transaction(STORE, 'readonly');
    const record: unknown = await settled(transaction.objectStore(STORE).get(id));
    if (record === undefined) return null;
    if (!isStoredKey(record) || record.id !== id) throw new Error('the stored key record is malformed');
    const plain = await this.#crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: record.iv as BufferSource, additionalData: new TextEncoder().encode(id) },
      record.wrappingKey,
      record.wrapped,
    );
    return new Uint8Array(plain);
  }

  async remove(entry: KeyStoreEntry): Promise<void> {
    const transaction = (await this.#open()).transaction(STORE, 'readwrite');
    transaction.objectStore(STORE).delete(keyStoreId(entry));
    await committed(transaction);
  }

  /** Closes the database connection (a later call opens it again). */
  close(): void {
    const db = this.#db;
    this.#db = null;
    db?.then((open) => open.close(), () => undefined);
  }

  #open(): Promise<IDBDatabase> {
    if (!this.#db) {
      const request = this.#factory.open(this.#name, 1);
      request.onupgradeneeded = () => {
        if (!request.result.objectStoreNames.contains(STORE)) request.result.createObjectStore(STORE, { keyPath: 'id' });
      };
      this.#db = settled(request);
      this.#db.catch(() => {
        this.#db = null;
      });
    }
    return this.#db;
  }
}
