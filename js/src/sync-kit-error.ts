// The one error type of the package. Kinds and their messages come from the C++ core's error table
// (core/include/synckit/error.hpp), read from the wasm module at load time; the type below lists
// the same names and a test checks that the two agree.

/** What went wrong, coarsely: branch on this. */
export type SyncKitErrorKind =
  | 'network'
  | 'server_status'
  | 'rate_limited'
  | 'json'
  | 'crypto'
  | 'wrong_password'
  | 'keychain'
  | 'unauthorized'
  | 'token_expired'
  | 'invalid_input'
  | 'invalid_data'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'invalid_grant'
  | 'not_set_up'
  | 'cancelled'
  | 'storage';

/** The shape the wasm module reports errors in. */
export interface CoreError {
  kind: string;
  message: string;
  status?: number;
  field?: string;
}

/** Every rejection of a SyncKit call. Messages never contain keys, passwords or row data. */
export class SyncKitError extends Error {
  /** The core's kind name. */
  readonly kind: SyncKitErrorKind;
  /** The HTTP status the server answered with, when it gave one. */
  readonly status: number | undefined;
  /** The offending field ('changes[3].rowId'), when one is known. */
  readonly field: string | undefined;

  constructor(kind: SyncKitErrorKind, message: string, options: { status?: number; field?: string } = {}) {
    super(message);
    this.name = 'SyncKitError';
    this.kind = kind;
    this.status = options.status ? options.status : undefined;
    this.field = options.field ? options.field : undefined;
  }

  /** @internal From the wasm module's error object. */
  static fromCore(error: CoreError): SyncKitError {
    return new SyncKitError(error.kind as SyncKitErrorKind, error.message, {
      ...(error.status ? { status: error.status } : {}),
      ...(error.field ? { field: error.field } : {}),
    });
  }
}
