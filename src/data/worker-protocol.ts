/** Messages between the main thread (import-csv.ts) and the CSV worker (csv-worker.ts), and errors across them. */
import { AppError, type ErrorCode } from '../errors.js';
import type { CsvOutcome } from './csv-rows.js';
import type { Segment } from './row-builder.js';

export type ToWorker = { t: 'begin'; fileName: string } | { t: 'chunk'; bytes: Uint8Array } | { t: 'end' };

export type FromWorker =
  | { t: 'ready' }
  | { t: 'start'; labels: string[] }
  /** `chunks`: how many chunks were parsed since the previous message (for the host's flow control). */
  | { t: 'rows'; segments: Segment[]; chunks: number }
  | { t: 'end'; outcome: CsvOutcome; segments: Segment[] }
  | { t: 'error'; error: SerializedError };

export interface SerializedError {
  app: boolean;
  code?: ErrorCode;
  params?: Record<string, string | number>;
  message: string;
  name: string;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof AppError) {
    return { app: true, code: error.code, params: error.params, message: error.message, name: error.name };
  }
  const e = error as { message?: unknown; name?: unknown };
  return { app: false, message: String(e?.message ?? error), name: String(e?.name ?? 'Error') };
}

/** The same AppError the in-process path would have thrown (other errors keep their message). */
export function deserializeError(s: SerializedError): Error {
  if (s.app && s.code) return new AppError(s.code, s.params ?? {});
  const e = new Error(s.message);
  e.name = s.name;
  return e;
}
