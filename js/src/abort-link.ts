// AbortSignals of the Promise API and the core's cancel signals (newCancel / cancel). Internal to
// the package.
import { SyncKitError } from './sync-kit-error.js';
import type { WasmClient } from './wasm-module.js';

/** Throws a SyncKitError for something that is not an AbortSignal, or one aborted before the `what` started. */
export function checkSignal(signal: AbortSignal | undefined, what: string): void {
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new SyncKitError('invalid_input', 'signal must be an AbortSignal', { field: 'signal' });
  }
  if (signal?.aborted) throw new SyncKitError('cancelled', `the ${what} was aborted before it started`);
}

/**
 * A cancel signal in the core fired by `signal` (made anyway with `always`; id 0: none), and the
 * function that forgets the listener. `handle` gives the client, or throws once it is gone.
 */
export function linkAbort(h: WasmClient, handle: () => WasmClient, signal: AbortSignal | undefined,
                          always = false): { id: number; unlink: () => void } {
  if (!signal && !always) return { id: 0, unlink: () => {} };
  const id = h.newCancel();
  if (!signal) return { id, unlink: () => {} };
  const abort = () => {
    try {
      handle().cancel(id);
    } catch {
      // the client is gone: its calls were rejected already
    }
  };
  signal.addEventListener('abort', abort, { once: true });
  return { id, unlink: () => signal.removeEventListener('abort', abort) };
}
