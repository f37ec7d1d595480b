// The plain data types of the SyncKit API.
import type { SyncKitError } from './sync-kit-error.js';

/** A JSON value: what a row's `data` may hold. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** What a change does to its row. */
export type ChangeOp = 'insert' | 'update' | 'delete';

/** One change to one row, as the app sees it. It is encrypted on this device before it leaves. */
export interface Change {
  /** Non-empty, at most 128 UTF-8 bytes. */
  table: string;
  op: ChangeOp;
  /** Non-empty, at most 256 UTF-8 bytes. */
  rowId: string;
  /** When the change was made; kept to the millisecond (a string must be RFC 3339). */
  timestamp: Date | string;
  /** Any JSON value; must be null (or left out) exactly for 'delete'. */
  data?: JsonValue;
}

/** A change pulled from another device, decrypted. */
export interface PulledChange {
  seq: number;
  changeId: string;
  deviceId: string;
  table: string;
  op: ChangeOp;
  rowId: string;
  timestamp: Date;
  data: JsonValue;
  /** Set when a replica wrote the change: its hybrid logical clock stamp (replica.md). */
  hlc?: string;
}

/**
 * A pulled change that could not be opened (tampered with, under another key, or breaking the
 * format). Reported, never dropped silently; `error.kind` is 'crypto' or 'invalid_data'.
 */
export interface UnreadableChange {
  seq: number;
  changeId: string;
  deviceId: string;
  error: { kind: string; message: string };
}

/** One page of a pull: pass `cursor` to the next pull; `hasMore` says whether to pull again now. */
export interface PullResult {
  changes: Array<PulledChange | UnreadableChange>;
  cursor: number;
  hasMore: boolean;
}

/** The signed-in account. */
export interface Account {
  userId: string;
  appId: string;
}

/** A registered device of the account. */
export interface Device {
  id: string;
  name: string;
  platform: string;
  createdAt: Date;
}

/** What the server holds for the account (counts only: it never sees plaintext). */
export interface SyncStatus {
  userId: string;
  appId: string;
  devices: number;
  latestCursor: number;
  changes: number;
  blobs: number;
  blobBytes: number;
}

/**
 * Bearer credentials that resume a session without signing in again (see `onSessionChange` and
 * `restoreSession`). Store them like a password: they grant access to the account's ciphertext.
 */
export interface SessionTokens {
  userId: string;
  appId: string;
  accessToken: string;
  refreshToken: string;
  /** The sign-in email, when the client signed in with one (not after OAuth). */
  email?: string;
}

/** One signed-in session of the account (one per signed-in client). */
export interface Session {
  id: string;
  createdAt: Date;
  /** When its tokens were last refreshed (or made). */
  lastUsedAt: Date;
  /** Whether it is this client's own session. */
  current: boolean;
}

/** Retries of transient failures (network, 5xx, 429) with exponential backoff and jitter. */
export interface RetryOptions {
  /** Tries after the first (default 3, at most 10). */
  maxRetries?: number;
  /** Backoff before the first retry in ms (default 250). */
  baseDelayMs?: number;
  /** Backoff cap in ms (default 8000). */
  maxDelayMs?: number;
}

/** Options of SyncKit.pull. */
/** What putBlob takes: bytes in memory, a Blob (or File), or a stream of bytes. */
export type BlobData = Uint8Array | Blob | ReadableStream<Uint8Array>;

export interface BlobTransferOptions {
  /** Plaintext bytes done so far and in all, after each part sent or range received. */
  onProgress?: (done: number, total: number) => void;
  /** Aborting it ends the transfer: the Promise (or the stream) fails with kind 'cancelled'. */
  signal?: AbortSignal;
}

export interface PutBlobOptions extends BlobTransferOptions {
  /** The byte count of a ReadableStream (required for one: the upload announces its size first). */
  size?: number;
  /** Streamed form even for small data (otherwise only above 4 MiB and for ReadableStreams). */
  stream?: boolean;
}

export interface BlobStreamOptions extends BlobTransferOptions {
  /**
   * Only `length` bytes (default: to the end) from `offset` of the plaintext. A streamed blob is
   * read from its start up to the 64 KiB chunk holding the last byte wanted, no further.
   */
  offset?: number;
  length?: number;
}

/** What a blob download found: its form and plaintext size. */
export interface BlobInfo {
  format: 'sealed-v1' | 'stream-v1';
  size: number;
}

export interface PullOptions {
  /**
   * Live pull (protocol 1.1): when nothing is there yet, the server holds the pull up to this many
   * seconds (0..60, default 0) and answers as soon as another device pushes.
   */
  wait?: number;
  /** Aborting it ends the pull at once: the Promise rejects with kind 'cancelled'. */
  signal?: AbortSignal;
}

/** Options of SyncKit.watch. */
export interface WatchOptions {
  /** How long each live pull may be held (1..60 s, default 30). */
  wait?: number;
  /** The error that ends the watch (a revoked device, signed out, a bad reply), if one does. */
  onError?: (error: SyncKitError) => void;
}

/** Options of SyncKit.openReplica. */
export interface ReplicaOptions {
  /** Names the replica among this account's on this device (default 'default'). */
  name?: string;
  /** Where it is stored: browsers use globalThis.indexedDB by default; Node keeps it in memory unless one is given (for example fake-indexeddb's). null: memory. */
  indexedDB?: IDBFactory | null;
  /** How long the sync loop's live pull is held, 1..60 s (default 30). */
  waitSeconds?: number;
  /** Hears every pulled change that could not be opened (it changed no row). */
  onRejected?: (change: RejectedChange) => void;
  /** Hears every error of the sync loop; it goes on after network, 5xx and 429 errors and stops after others. */
  onError?: (error: import('./sync-kit-error.js').SyncKitError) => void;
}

/** One row of a replica. */
export interface ReplicaRow {
  rowId: string;
  data: JsonValue;
}

/** What a subscriber hears after each transaction that changed rows of its table (data null: deleted). */
export interface ReplicaEvent {
  rows: Array<{ rowId: string; data: JsonValue | null }>;
  origin: 'local' | 'remote';
}

/** A pulled change that could not be opened (tampered, another key, breaks the format). */
export interface RejectedChange {
  seq: number;
  changeId: string;
  error: import('./sync-kit-error.js').SyncKitError;
}

/** One sync round. */
export interface ReplicaSyncResult {
  pushed: number;
  pulled: number;
  rejected: RejectedChange[];
}

export interface ReplicaStatus {
  /** Local writes not yet acknowledged by the server. */
  pending: number;
  /** The end of the last complete sync round. */
  lastSyncAt: Date | null;
  /** The last request reached the server. */
  online: boolean;
  /** Of the last round; null after one that succeeded. */
  lastError: import('./sync-kit-error.js').SyncKitError | null;
  /** The sync loop is on. */
  running: boolean;
}
