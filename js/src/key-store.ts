// Where a SyncKit client caches the account's master key between sessions.

/** Names the account a cached key belongs to. */
export interface KeyStoreEntry {
  serverUrl: string;
  appId: string;
  userId: string;
}

/**
 * A place to keep the 32-byte master key. SyncKit hands `save` its own copy and wipes it when the
 * returned Promise settles; `load` must return a fresh Uint8Array (SyncKit wipes it after use) or
 * null when nothing is stored. Any rejection becomes a SyncKitError of kind 'keychain'.
 */
export interface KeyStore {
  save(entry: KeyStoreEntry, key: Uint8Array): Promise<void>;
  load(entry: KeyStoreEntry): Promise<Uint8Array | null>;
  remove(entry: KeyStoreEntry): Promise<void>;
}

/** One string per account, for stores keyed by strings. */
export function keyStoreId(entry: KeyStoreEntry): string {
  return JSON.stringify([entry.serverUrl, entry.appId, entry.userId]);
}
