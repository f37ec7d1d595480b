// Streamed blobs for SyncKit (putBlob of large data, getBlobStream): the wasm core seals and
// opens, and asks this side for plaintext a piece at a time (read) or hands it over a range at a
// time (write), so the heap holds a few parts whatever the size. Internal to the package.
import { checkSignal, linkAbort } from './abort-link.js';
import { callbackPromise } from './callback-promise.js';
import { SyncKitError } from './sync-kit-error.js';
import type { BlobData, BlobInfo, BlobStreamOptions, BlobTransferOptions, PutBlobOptions } from './types.js';
import type { WasmCallback, WasmClient } from './wasm-module.js';

/** Data at most this large goes up in one piece (40 bytes of overhead) unless streaming is asked for. */
export const SINGLE_SHOT_LIMIT = 4 * 1024 * 1024;

type Handle = () => WasmClient;
type Pending = Set<(error: SyncKitError) => void>;

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function checkOptions(options: BlobTransferOptions): void {
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    throw new SyncKitError('invalid_input', 'onProgress must be a function', { field: 'onProgress' });
  }
  checkSignal(options.signal, 'transfer');
}

// Reads the next `max` bytes (fewer only at the end) of the data, in order.
type Source = (max: number) => Promise<Uint8Array>;

function sourceOf(data: BlobData): { size: number | null; read: Source; close: () => void } {
  if (data instanceof Uint8Array) {
    let at = 0;
    return {
      size: data.length,
      read: async (max) => {
        const piece = data.subarray(at, Math.min(data.length, at + max));
        at += piece.length;
        return piece;
      },
      close: () => {},
    };
  }
  if (typeof Blob !== 'undefined' && data instanceof Blob) {
    let at = 0;
    return {
      size: data.size,
      read: async (max) => {
        const piece = new Uint8Array(await data.slice(at, Math.min(data.size, at + max)).arrayBuffer());
        at += piece.length;
        return piece;
      },
      close: () => {},
    };
  }
  if (typeof ReadableStream !== 'undefined' && data instanceof ReadableStream) {
    const reader = data.getReader();
    let held: Uint8Array = new Uint8Array(0);
    let ended = false;
    return {
      size: null,
      read: async (max) => {
        const parts: Uint8Array[] = [];
        let have = 0;
        while (have < max) {
          if (held.length === 0) {
            if (ended) break;
            const { value, done } = await reader.read();
            if (done) {
              ended = true;
              break;
            }
            if (!(value instanceof Uint8Array)) throw new SyncKitError('invalid_input', 'the stream gave something other than Uint8Array chunks', { field: 'data' });
            held = value;
            continue;
          }
          const take = held.subarray(0, Math.min(held.length, max - have));
          held = held.subarray(take.length);
          parts.push(take);
          have += take.length;
        }
        if (parts.length === 1) return parts[0]!;
        const out = new Uint8Array(have);
        let at = 0;
        for (const part of parts) {
          out.set(part, at);
          at += part.length;
        }
        return out;
      },
      close: () => {
        reader.cancel().catch(() => {});
      },
    };
  }
  throw new SyncKitError('invalid_input', 'blob data must be a Uint8Array, a Blob or a ReadableStream', { field: 'data' });
}

/** Uploads `data` as a streamed blob (any size). */
export function putBlobStreamed(pending: Pending, handle: Handle, blobId: string, data: BlobData,
                                options: PutBlobOptions): Promise<void> {
  return callbackPromise(pending, handle, (h, done: WasmCallback) => {
    checkOptions(options);
    const source = sourceOf(data);
    const size = source.size ?? options.size;
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
      throw new SyncKitError('invalid_input', 'a ReadableStream needs options.size: its byte count', { field: 'size' });
    }
    const { id: cancelId, unlink } = linkAbort(h, handle, options.signal);
    const read = (max: number, id: number) => {
      source.read(max).then(
        (bytes) => handle().settleRead(id, null, bytes),
        (error) => {
          try {
            handle().settleRead(id, error instanceof SyncKitError ? error : new SyncKitError('invalid_input', `reading the data failed: ${message(error)}`), null);
          } catch {
            // the client is gone
          }
        },
      );
    };
    h.putBlobStream(blobId, size, read, options.onProgress ?? null, cancelId, (error, value) => {
      unlink();
      source.close();
      done(error, value);
    });
  });
}

/** Uploads `data` in one piece (it is small, or a Uint8Array the caller did not ask to stream). */
export async function bytesOf(data: BlobData): Promise<Uint8Array | null> {
  if (data instanceof Uint8Array) return data;
  if (typeof Blob !== 'undefined' && data instanceof Blob) return new Uint8Array(await data.arrayBuffer());
  return null;
}

/**
 * A ReadableStream of the blob's plaintext (either form): each range as it authenticated; the
 * stream errors with a SyncKitError ('crypto' for a truncated or tampered stream: what came before
 * it may have been read already, so only a stream that closed was whole). The download runs as
 * fast as the stream is read (one range ahead at most); cancelling the stream ends it.
 */
export function blobReadableStream(pending: Pending, handle: Handle, blobId: string,
                                   options: BlobStreamOptions): ReadableStream<Uint8Array> {
  let waiting: number | null = null;  // a write the download waits on until the reader pulls
  let cancelId = 0;
  let unlink = () => {};
  let finished = false;
  let cancelled = false;
  const settle = (id: number) => {
    try {
      handle().settleWrite(id, null);
    } catch {
      // the client is gone
    }
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const info = callbackPromise<WasmClient, BlobInfo>(pending, handle, (h, done) => {
        checkOptions(options);
        ({ id: cancelId, unlink } = linkAbort(h, handle, options.signal, true));
        const write = (view: Uint8Array, id: number) => {
          try {
            controller.enqueue(view.slice());  // the view is valid only now
          } catch {
            // the stream was cancelled meanwhile: end the download
            queueMicrotask(() => handle().settleWrite(id, new SyncKitError('cancelled', 'the stream was cancelled')));
            return;
          }
          if ((controller.desiredSize ?? 0) > 0) queueMicrotask(() => settle(id));
          else waiting = id;
        };
        const { offset = 0, length } = options;
        if (!Number.isSafeInteger(offset) || offset < 0) throw new SyncKitError('invalid_input', 'offset must be a whole number of bytes', { field: 'offset' });
        if (length !== undefined && (!Number.isSafeInteger(length) || length < 0)) throw new SyncKitError('invalid_input', 'length must be a whole number of bytes', { field: 'length' });
        h.getBlobStream(blobId, offset, length ?? -1, write, options.onProgress ?? null, cancelId, (error, value) => {
          unlink();
          done(error, value);
        });
      });
      info.then(
        () => {
          finished = true;
          if (!cancelled) controller.close();
        },
        (error: SyncKitError) => {
          finished = true;
          if (!cancelled) controller.error(error);
        },
      );
    },
    pull() {
      if (waiting === null) return;
      const id = waiting;
      waiting = null;
      settle(id);
    },
    cancel() {
      cancelled = true;
      if (finished) return;
      try {
        handle().cancel(cancelId);
        if (waiting !== null) handle().settleWrite(waiting, new SyncKitError('cancelled', 'the stream was cancelled'));
      } catch {
        // the client is gone
      }
      waiting = null;
    },
  }, { highWaterMark: 1 });
}
