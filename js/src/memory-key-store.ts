import { type KeyStore, type KeyStoreEntry, keyStoreId } from './key-store.js';

/** Keeps keys in this process's memory only (the default in Node): gone when the process ends. */
export class MemoryKeyStore implements KeyStore {
  readonly #keys = new Map<string, Uint8Array>();

  async save(entry: KeyStoreEntry, key: Uint8Array): Promise<void> {
    const id = keyStoreId(entry);
    this.#keys.get(id)?.fill(0);
    this.#keys.set(id, key.slice());
  }

  async load(entry: KeyStoreEntry): Promise<Uint8Array | null> {
    const key = this.#keys.get(keyStoreId(entry));
    return key ? key.slice() : null;
  }

  async remove(entry: KeyStoreEntry): Promise<void> {
    const id = keyStoreId(entry);
    this.#keys.get(id)?.fill(0);
    this.#keys.delete(id);
  }
}
