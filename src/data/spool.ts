/**
 * The API process's whole part in an upload (issue 12): the request's bytes go to a file in the session's temp/,
 * and nothing else — parsing, typing and inserting happen in an import child (import-pool.ts) once the file is
 * complete. So a slow or stalled client holds a socket and a file descriptor, never an import process or a lock,
 * and the import itself reads at disk speed.
 *
 * While spooling: the bytes count against the session's quota (a SpaceMeter, shared by the session's uploads in
 * this process), an upload that sends nothing for `idleTimeoutMs` is cut off (upload_stalled), an abort signal (the
 * client went away) stops it, and any failure removes the file.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors.js';

/** Spooled uploads in temp/ start with this (cleanLeftovers removes stale ones). */
export const SPOOL_PREFIX = 'agentgraph-upload-';
/**
 * Bytes, and milliseconds, between two measurements of the session's folder (a walk of its few files, ~50 µs). What
 * other writers (an import running in a child, another process) add between two measurements can go unseen: the
 * session may overshoot its limit by about this much per concurrent upload, never more.
 */
const RECHECK_BYTES = 1024 * 1024;
const RECHECK_MS = 1000;

/**
 * How full a session is while its uploads arrive. One meter is shared by all the uploads of a session that this
 * process is spooling, so together they cannot take more than the session has left.
 */
export class SpaceMeter {
  private measured: number;
  private added = 0;
  private measuredAt = Date.now();

  constructor(
    private readonly measure: () => number,
    readonly limitBytes: number,
  ) {
    this.measured = measure();
  }

  /** Counts `n` bytes about to be written; throws quota_exceeded when the session would go over its limit. */
  add(n: number): void {
    this.added += n;
    if (this.added >= RECHECK_BYTES || Date.now() - this.measuredAt >= RECHECK_MS) {
      this.measured = this.measure();
      this.measuredAt = Date.now();
      this.added = n;
    }
    if (this.measured + this.added > this.limitBytes) throw quotaError(this.limitBytes);
  }

  /** Throws quota_exceeded when the session is already full (before any byte of a new upload is read). */
  checkRoom(): void {
    this.add(0);
    if (this.measured + this.added >= this.limitBytes) throw quotaError(this.limitBytes);
  }
}

export interface SpoolOptions {
  /** The session's temp/ folder. */
  dir: string;
  meter: SpaceMeter;
  /** An upload that sends nothing for this long is aborted. */
  idleTimeoutMs: number;
  signal?: AbortSignal;
  /** After each write: the file, and the bytes it holds now (an import may be reading it as it grows). */
  onWritten?: (file: string, bytes: number) => void;
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
  options.meter.checkRoom();
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
    for await (const piece of source) {
      if (failure) throw failure;
      idle.refresh();
      const chunk = typeof piece === 'string' ? Buffer.from(piece) : piece;
      options.meter.add(chunk.length);
      bytes += chunk.length;
      await write(fd, chunk);
      options.onWritten?.(file, bytes);
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
