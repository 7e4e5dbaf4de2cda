/**
 * The API process's whole part in an upload (issue 12): the request's bytes go to a file in the session's temp/,
 * and nothing else — parsing, typing and inserting happen in an import child (import-pool.ts) once the file is
 * complete. So a slow or stalled client holds a socket and a file descriptor, never an import process or a lock,
 * and the import itself reads at disk speed.
 *
 * While spooling: the bytes count against the session's quota (re-measured every SPOOL_RECHECK_BYTES, so uploads
 * running in parallel see each other's), an upload that sends nothing for `idleTimeoutMs` is cut off
 * (upload_stalled), an abort signal (the client went away) stops it, and any failure removes the file.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors.js';

/** Spooled uploads in temp/ start with this (cleanLeftovers removes stale ones). */
export const SPOOL_PREFIX = 'agentgraph-upload-';
/** Bytes between two measurements of the session's folder (a walk of its few files). */
const SPOOL_RECHECK_BYTES = 8 * 1024 * 1024;

export interface SpoolOptions {
  /** The session's temp/ folder. */
  dir: string;
  /** The session's storage limit, and its size now (the spool adds to it as it grows). */
  limitBytes: number;
  sessionBytes: () => number;
  /** An upload that sends nothing for this long is aborted. */
  idleTimeoutMs: number;
  signal?: AbortSignal;
}

export interface Spooled {
  path: string;
  bytes: number;
}

type Source = AsyncIterable<Buffer | Uint8Array | string> & { destroy?: (error?: Error) => void };

function quotaError(limitBytes: number): AppError {
  return new AppError('quota_exceeded', { limit_mb: Math.round((limitBytes / 1024 / 1024) * 10) / 10 });
}

function interrupted(): AppError {
  return new AppError('bad_input', {
    detail: 'the upload was interrupted before it completed',
    detail_pt: 'o envio foi interrompido antes de terminar',
  });
}

export async function spoolUpload(source: Source, options: SpoolOptions): Promise<Spooled> {
  const startBytes = options.sessionBytes();
  if (startBytes >= options.limitBytes) throw quotaError(options.limitBytes);
  fs.mkdirSync(options.dir, { recursive: true });
  const file = path.join(options.dir, `${SPOOL_PREFIX}${randomUUID()}`);
  const fd = fs.openSync(file, 'wx');
  let bytes = 0;
  let failure: Error | null = null;
  const stop = (error: Error) => {
    failure ??= error;
    source.destroy?.(error);
  };
  const idle = setTimeout(() => stop(stalled(options.idleTimeoutMs)), options.idleTimeoutMs);
  const onAbort = () => stop(interrupted());
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  try {
    let sinceCheck = 0;
    for await (const piece of source) {
      if (failure) throw failure;
      idle.refresh();
      const chunk = typeof piece === 'string' ? Buffer.from(piece) : piece;
      bytes += chunk.length;
      sinceCheck += chunk.length;
      if (startBytes + bytes > options.limitBytes) throw quotaError(options.limitBytes);
      await write(fd, chunk);
      if (sinceCheck >= SPOOL_RECHECK_BYTES) {
        sinceCheck = 0;
        if (options.sessionBytes() > options.limitBytes) throw quotaError(options.limitBytes);
      }
    }
    if (failure) throw failure;
    return { path: file, bytes };
  } catch (error) {
    fs.rmSync(file, { force: true });
    // The stream's own error after we destroyed it is only the echo of why we did.
    throw failure ?? error;
  } finally {
    clearTimeout(idle);
    options.signal?.removeEventListener('abort', onAbort);
    fs.closeSync(fd);
  }
}

function stalled(idleTimeoutMs: number): AppError {
  return new AppError('upload_stalled', { seconds: Math.round(idleTimeoutMs / 100) / 10 });
}

/** Writes the whole chunk (a write may take only part of it). */
function write(fd: number, chunk: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const next = (offset: number) => {
      fs.write(fd, chunk, offset, chunk.length - offset, null, (error, written) => {
        if (error) reject(error);
        else if (offset + written < chunk.length) next(offset + written);
        else resolve();
      });
    };
    next(0);
  });
}
