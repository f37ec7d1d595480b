// The wasm adapters report completions as Node-style callbacks; the package's classes turn each
// into a Promise that rejects only with a SyncKitError. Internal to the package.
import { SyncKitError } from './sync-kit-error.js';
import type { WasmCallback } from './wasm-module.js';

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs start(handle(), done) and settles with done's value (through `convert`). `pending` holds the
 * rejecter while the call runs, so that disposing the owner can reject it; `handle` throws a
 * SyncKitError when the owner is gone.
 */
export function callbackPromise<H, T>(
  pending: Set<(error: SyncKitError) => void>,
  handle: () => H,
  start: (handle: H, done: WasmCallback) => void,
  convert?: (value: unknown) => T,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let finished = false;
    const fail = (error: SyncKitError) => {
      if (finished) return;
      finished = true;
      pending.delete(fail);
      reject(error);
    };
    const done: WasmCallback = (error, value) => {
      if (finished) return;
      if (error) return fail(SyncKitError.fromCore(error));
      try {
        const converted = convert ? convert(value) : (value as T);
        finished = true;
        pending.delete(fail);
        resolve(converted);
      } catch (thrown) {
        fail(new SyncKitError('json', `the reply could not be read: ${message(thrown)}`));
      }
    };
    try {
      const h = handle();
      pending.add(fail);
      start(h, done);
    } catch (thrown) {
      fail(thrown instanceof SyncKitError ? thrown : new SyncKitError('invalid_input', message(thrown)));
    }
  });
}
