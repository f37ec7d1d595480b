import { loadWasmModule } from './wasm-module.js';

/** The core's error table: every kind a SyncKitError can have, with its message. */
export async function errorKinds(): Promise<Array<{ kind: string; message: string }>> {
  return (await loadWasmModule()).errorKinds();
}
