// What the package exports, in both entries (index.ts for browsers, node.ts for Node).
export { SyncKit, type SyncKitOptions } from './sync-kit.js';
export { Replica } from './replica.js';
export { SyncKitError, type SyncKitErrorKind } from './sync-kit-error.js';
export { type KeyStore, type KeyStoreEntry } from './key-store.js';
export { MemoryKeyStore } from './memory-key-store.js';
export { IndexedDBKeyStore, type IndexedDBKeyStoreOptions } from './indexeddb-key-store.js';
export { errorKinds } from './error-kinds.js';
export type * from './types.js';
