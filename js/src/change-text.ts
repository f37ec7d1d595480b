import { SyncKitError } from './sync-kit-error.js';
import type { Change, PulledChange, PullResult, UnreadableChange } from './types.js';

const utf8 = new TextEncoder();

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function timestampText(value: Date | string, index: number): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) {
      throw new SyncKitError('invalid_input', `changes[${index}].timestamp is an invalid Date`, {
        field: `changes[${index}].timestamp`,
      });
    }
    return value.toISOString();
  }
  return value;
}

// The JSON texts changes cross the wasm boundary as: push()'s input, pull()'s result.

/**
 * The UTF-8 JSON text push() hands to wasm in one copy: `[{table, op, row_id, timestamp, data}]`.
 * Each object is written with the keys of the format's plaintext in the format's order, and
 * JSON.stringify writes no whitespace, so the core checks each one and keeps its bytes as the
 * plaintext (no parse, no rewrite). The caller wipes the returned bytes after use.
 */
export function changesToUtf8(changes: readonly Change[]): Uint8Array {
  if (!Array.isArray(changes)) throw new SyncKitError('invalid_input', 'changes must be an array');
  const plain = changes.map((change, index) => {
    if (typeof change !== 'object' || change === null) {
      throw new SyncKitError('invalid_input', `changes[${index}] must be an object`, { field: `changes[${index}]` });
    }
    return {
      table: change.table,
      op: change.op,
      row_id: change.rowId,
      timestamp: timestampText(change.timestamp, index),
      data: change.data === undefined ? null : change.data,
    };
  });
  let text: string;
  try {
    text = JSON.stringify(plain);
  } catch (error) {
    throw new SyncKitError('invalid_input', `changes could not be serialised as JSON: ${message(error)}`);
  }
  return utf8.encode(text);
}

/** A pulled change as the adapter writes it: the plaintext as sealed (crypto-format.md), or why not. */
type RawPulled =
  | { seq: number; changeId: string; deviceId: string; change: RawPlaintext }
  | UnreadableChange;
interface RawPlaintext {
  table: string;
  op: PulledChange['op'];
  row_id: string;
  timestamp: string;
  data: PulledChange['data'];
  hlc?: string;
}

/** pull()'s result from the text the adapter makes of it (one JSON.parse; timestamps become Dates). */
export function parsePull(value: unknown): PullResult {
  const raw = JSON.parse(value as string) as { cursor: number; hasMore: boolean; changes: RawPulled[] };
  const changes = raw.changes.map((pulled): PulledChange | UnreadableChange => {
    if ('error' in pulled) return pulled;
    const { seq, changeId, deviceId, change } = pulled;
    return {
      seq,
      changeId,
      deviceId,
      table: change.table,
      op: change.op,
      rowId: change.row_id,
      timestamp: new Date(change.timestamp),
      data: change.data,
      ...(change.hlc !== undefined ? { hlc: change.hlc } : {}),
    };
  });
  return { changes, cursor: raw.cursor, hasMore: raw.hasMore };
}
