// Loading the WebAssembly build of the core (platform/web) and the shape of what it exposes
// (platform/web/src/bindings.cpp). Internal to the package.
import createSynckitModule from './wasm/synckit.mjs';
import type { CoreError } from './sync-kit-error.js';

/** Node-style completion the adapter calls: callback(error) or callback(null, value). */
export type WasmCallback = (error: CoreError | null, value?: unknown) => void;

/** platform/web's ClientAdapter, as embind exposes it. */
export interface WasmClient {
  open(options: object): CoreError | null;
  createAccount(email: string, password: string, done: WasmCallback): void;
  authenticate(email: string, password: string, done: WasmCallback): void;
  beginOAuth(redirectUri: string): { url?: string; error?: CoreError };
  completeOAuth(redirectUrl: string, done: WasmCallback): void;
  restoreSession(tokens: object): CoreError | null;
  session(): unknown;
  setupEncryptionNew(password: string, done: WasmCallback): void;
  setupEncryptionExisting(password: string, done: WasmCallback): void;
  unlock(done: WasmCallback): void;
  changePassword(oldPassword: string, newPassword: string, done: WasmCallback): void;
  encryptionReady(): boolean;
  createRecoveryCode(done: WasmCallback): void;
  recover(email: string, code: string, newPassword: string, done: WasmCallback): void;
  changeSignInPassword(oldPassword: string, newPassword: string, done: WasmCallback): void;
  changePasswords(oldPassword: string, newPassword: string, done: WasmCallback): void;
  listSessions(done: WasmCallback): void;
  endSession(id: string, done: WasmCallback): void;
  deleteAccount(password: string, done: WasmCallback): void;
  registerDevice(name: string, platform: string, done: WasmCallback): void;
  listDevices(done: WasmCallback): void;
  revokeDevice(id: string, done: WasmCallback): void;
  push(deviceId: string, changesUtf8: Uint8Array, done: WasmCallback): void;
  pull(deviceId: string, cursor: number, wait: number, cancelId: number, done: WasmCallback): void;
  newCancel(): number;
  cancel(id: number): void;
  watch(deviceId: string, cursor: number, wait: number, onPage: WasmCallback): number;
  stopWatch(id: number): void;
  putBlob(blobId: string, bytes: Uint8Array, done: WasmCallback): void;
  getBlob(blobId: string, done: WasmCallback): void;
  deleteBlob(blobId: string, done: WasmCallback): void;
  putBlobStream(blobId: string, size: number, read: (max: number, id: number) => void,
                progress: ((done: number, total: number) => void) | null, cancelId: number, done: WasmCallback): void;
  getBlobStream(blobId: string, offset: number, length: number, write: (view: Uint8Array, id: number) => void,
                progress: ((done: number, total: number) => void) | null, cancelId: number, done: WasmCallback): void;
  settleRead(id: number, error: unknown, bytes: Uint8Array | null): void;
  settleWrite(id: number, error: unknown): void;
  status(done: WasmCallback): void;
  logout(done: WasmCallback): void;
  settleKeyStore(id: number, error: string, key: Uint8Array | null): void;
  delete(): void;
}

/** platform/web's ReplicaAdapter, as embind exposes it. */
export interface WasmReplica {
  open(client: WasmClient, deviceId: string, records: unknown[], host: object): CoreError | null;
  put(table: string, rowId: string, data: string, done: WasmCallback): void;
  remove(table: string, rowId: string, done: WasmCallback): void;
  get(table: string, rowId: string): { data?: string | null; error?: CoreError };
  list(table: string): { rows?: string; error?: CoreError };
  subscribe(table: string, callback: (eventJson: string) => void): number;
  unsubscribe(id: number): void;
  sync(done: WasmCallback): void;
  start(): void;
  stop(): void;
  status(): { pending: number; lastSyncAt: number | null; online: boolean; lastError: CoreError | null; running: boolean };
  close(): void;
  settleCommit(id: number, error: string): void;
  delete(): void;
}

export interface WasmModule {
  WasmClient: new (host: object) => WasmClient;
  WasmReplica: new () => WasmReplica;
  errorKinds(): Array<{ kind: string; message: string }>;
}

/** What differs between Node and browsers: chosen by the package entry (node.ts / index.ts). */
export interface Platform {
  /** The bytes of dist/wasm/synckit.wasm. */
  wasmBinary(): Promise<ArrayBuffer | Uint8Array>;
  /** An XMLHttpRequest class when the environment has none (Node). */
  XMLHttpRequest?: unknown;
  /** The Web Crypto API, when globalThis.crypto is missing (Node 18). */
  crypto?: unknown;
}

let platform: Platform | null = null;
let loaded: Promise<WasmModule> | null = null;

/** Called once by the entry module. */
/** The platform's Web Crypto API (Node 18's webcrypto where globalThis.crypto is missing). */
export function platformCrypto(): Crypto | undefined {
  return (globalThis as { crypto?: Crypto }).crypto ?? (platform?.crypto as Crypto | undefined);
}

export function setPlatform(chosen: Platform): void {
  platform = chosen;
}

/** The module, instantiated once per JavaScript realm and shared by every client. */
export function loadWasmModule(): Promise<WasmModule> {
  if (!loaded) {
    const current = platform;
    if (!current) throw new Error('synckit: no platform set (import the package, not its files)');
    loaded = (async () => {
      const options: Record<string, unknown> = {
        wasmBinary: await current.wasmBinary(),
        print: () => undefined,
        printErr: () => undefined,
      };
      if (current.XMLHttpRequest) options.XMLHttpRequest = current.XMLHttpRequest;
      if (current.crypto) options.crypto = current.crypto;
      return (await createSynckitModule(options)) as WasmModule;
    })();
    loaded.catch(() => {
      loaded = null;
    });
  }
  return loaded;
}
