/**
 * Where an import's bytes come from and what it may use: upload bytes with look-ahead (sniffing), gunzip, the quota
 * accounting, the kept original and spill files (ImportContext), and the tables being written (ImportTarget).
 */
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type Database from 'better-sqlite3';
import { AppError } from '../errors.js';
import type { ImportOptions } from './importer.js';
import { tableNameFromFile, uniqueName, validateUserTableName } from './naming.js';
import type { BuilderSummary, LocaleEvidence } from './row-builder.js';
import { isGzip } from './sniff.js';
import { TableWriter } from './table-writer.js';

/**
 * Decompressed bytes beyond this multiple of the quota are refused (a gzip bomb of blank lines grows nothing).
 * Text becomes about as many bytes in SQLite, so more than twice the limit cannot fit; 10× let a 1.5 MB .gz of
 * newlines cost 44 s of CPU (issue 12).
 */
export const MAX_INFLATE_RATIO = 2;
/** Temp files of ours in tempDir start with this (cleanLeftovers removes them). */
export const SPILL_PREFIX = 'agentgraph-import-';

export type Chunk = Buffer;

/** Upload bytes with look-ahead: `peek` reads until `n` bytes are buffered (or the end), `rest` yields everything. */
export class Lookahead {
  private readonly it: AsyncIterator<Chunk>;
  private buffered: Chunk[] = [];
  private size = 0;
  private done = false;

  constructor(source: AsyncIterable<Chunk>) {
    this.it = source[Symbol.asyncIterator]();
  }

  async peek(n: number): Promise<Buffer> {
    while (this.size < n && !this.done) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else {
        this.buffered.push(r.value);
        this.size += r.value.length;
      }
    }
    if (this.buffered.length > 1) this.buffered = [Buffer.concat(this.buffered)];
    return this.buffered[0] ?? Buffer.alloc(0);
  }

  /** Everything was read by `peek` (the whole input is in the look-ahead). */
  get exhausted(): boolean {
    return this.done;
  }

  async *rest(): AsyncGenerator<Chunk> {
    const first = this.buffered;
    this.buffered = [];
    for (const c of first) yield c;
    if (this.done) return;
    for (;;) {
      const r = await this.it.next();
      if (r.done) return;
      yield r.value;
    }
  }
}

/** Quota accounting and the files this import writes. */
export class ImportContext {
  readonly warnings: string[] = [];
  readonly baseline: number;
  receivedBytes = 0;
  inflatedBytes = 0;
  spillBytes = 0;
  private readonly originalSize: number;
  originalDropped = false;
  readonly spillFiles: string[] = [];
  dbGrowth: () => number = () => 0;

  constructor(readonly opts: ImportOptions) {
    this.baseline = opts.quota.usedBytes();
    this.originalSize = opts.original?.bytes ?? 0;
  }

  /**
   * The kept original's bytes while it still counts (0 once dropped). One still growing (a following import) is
   * as large as what was read of it so far.
   */
  get originalBytes(): number {
    if (this.originalDropped) return 0;
    return this.opts.original?.growing ? this.receivedBytes : this.originalSize;
  }

  private quotaError(): AppError {
    return new AppError('quota_exceeded', {
      limit_mb: Math.round((this.opts.quota.limitBytes / 1024 / 1024) * 10) / 10,
      detail: 'the upload was stopped while streaming',
    });
  }

  checkAbort(): void {
    if (this.opts.signal?.aborted) throw interrupted();
  }

  /** Throws quota_exceeded when the session would go over its limit; gives up keeping the original first. */
  checkQuota(): void {
    const limit = this.opts.quota.limitBytes;
    const used = () => this.baseline + this.originalBytes + this.spillBytes + this.dbGrowth();
    if (used() > limit) this.dropOriginal();
    // An upload larger than the free space is refused even when it would shrink in SQLite: it is the
    // measure users can act on, and it stops a stream that grows nothing (blank lines) from running forever.
    if (used() > limit || this.baseline + this.receivedBytes > limit) throw this.quotaError();
    if (this.inflatedBytes > MAX_INFLATE_RATIO * limit) throw inflatedTooFar(limit);
  }

  /**
   * The original will not be kept in uploads/ (the session is near its limit); the import goes on. Its file goes
   * now, so the session's folder stays within its limit: this process keeps reading it through its open descriptor
   * (the space itself is freed when the import closes it).
   */
  dropOriginal(): void {
    if (!this.opts.original || this.originalDropped) return;
    fs.rmSync(this.opts.original.path, { force: true });
    this.originalDropped = true;
    this.warnings.push(
      'the original file was not kept in uploads/ because the session is near its storage limit; the table was imported',
    );
  }

  /** The name the original will have in uploads/, or null when it is not kept. */
  get keptOriginalName(): string | null {
    const original = this.opts.original;
    return original && !this.originalDropped ? path.basename(original.keepAs) : null;
  }

  /**
   * After COMMIT: moves the original into uploads/ (a rename within the session folder), or removes it when it is
   * not kept. Before COMMIT it stays in temp/, so a kill at any moment leaves no partial original in uploads/.
   */
  finishOriginal(): boolean {
    const original = this.opts.original;
    if (!original) return false;
    if (this.originalDropped) {
      fs.rmSync(original.path, { force: true });
      return false;
    }
    try {
      fs.mkdirSync(path.dirname(original.keepAs), { recursive: true });
      fs.renameSync(original.path, original.keepAs);
      return true;
    } catch {
      // The tables are committed; losing the copy is not worth failing the upload for.
      fs.rmSync(original.path, { force: true });
      return false;
    }
  }

  /** Cleans up after a failure: nothing of this attempt stays on disk (the original is its caller's to remove). */
  discard(): void {
    this.removeSpills();
  }

  removeSpills(): void {
    for (const f of this.spillFiles.splice(0)) fs.rmSync(f, { force: true });
  }

  /** The upload's raw bytes: counted, abort- and quota-checked per chunk. */
  async *raw(): AsyncGenerator<Chunk> {
    const src = this.opts.source as AsyncIterable<Buffer | Uint8Array | string> & {
      destroy?: (e?: Error) => void;
    };
    // A source that simply stops (a client gone mid-upload: the multipart stream neither ends nor errors) would
    // keep the loop waiting forever; on abort, destroying a stream source ends the wait with an error.
    const onAbort = () => src.destroy?.(interrupted());
    this.opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (this.opts.signal?.aborted) onAbort(); // aborted before we started listening
    try {
      for await (const piece of src) {
        this.checkAbort();
        const chunk =
          typeof piece === 'string'
            ? Buffer.from(piece)
            : Buffer.isBuffer(piece)
              ? piece
              : Buffer.from(piece);
        this.receivedBytes += chunk.length;
        this.checkQuota();
        yield chunk;
      }
    } catch (error) {
      if (this.opts.signal?.aborted) throw interrupted();
      throw error;
    } finally {
      this.opts.signal?.removeEventListener('abort', onAbort);
    }
    this.checkAbort();
  }
}

/**
 * A compressed upload that inflates beyond MAX_INFLATE_RATIO × the session's limit cannot become a table that fits
 * (SQLite stores about as many bytes as the text); refusing it bounds the CPU a compression bomb can cost.
 */
export function inflatedTooFar(limitBytes: number): AppError {
  return new AppError('quota_exceeded', {
    limit_mb: Math.round((limitBytes / 1024 / 1024) * 10) / 10,
    detail: `the compressed file inflates to more than ${MAX_INFLATE_RATIO}× the session's storage limit`,
  });
}

export function interrupted(): AppError {
  return new AppError('bad_input', { detail: 'the upload was interrupted before it completed' });
}

/** One table being written, and (once its rows are all read) what its columns looked like. */
export interface TableEntry {
  writer: TableWriter;
  summary: BuilderSummary | null;
}

/** The database of the import and the tables it creates. */
export interface ImportTarget {
  db: Database.Database;
  pageSize: number;
  taken: Set<string>;
  tables: TableEntry[];
  /** Number-locale evidence over all the tables of the upload. */
  evidence: LocaleEvidence;
}

/** Creates the table for `labels` (named after the file, or the user's choice; `_2` on a clash). */
export function newTable(
  t: ImportTarget,
  ctx: ImportContext,
  labels: string[],
  tableLabel: string,
  sheet?: string,
): TableEntry {
  const opts = ctx.opts;
  let base: string;
  if (opts.tableName !== undefined) {
    const chosen = validateUserTableName(opts.tableName);
    base = sheet === undefined ? chosen : tableNameFromFile(chosen, sheet);
  } else base = tableNameFromFile(opts.fileName, sheet);
  const name = uniqueName(base, t.taken);
  t.taken.add(name);
  const entry: TableEntry = { writer: new TableWriter(t.db, name, tableLabel, labels), summary: null };
  t.tables.push(entry);
  ctx.dbGrowth = () => t.tables.reduce((sum, e) => sum + e.writer.bytesWritten(t.pageSize), 0);
  return entry;
}

/** Gunzips when the bytes are gzip (whatever the name says), counting inflated bytes for the bomb bound. */
export async function maybeGunzip(
  ctx: ImportContext,
  look: Lookahead,
): Promise<{ look: Lookahead; compressed: boolean }> {
  const head = await look.peek(4);
  if (!isGzip(head)) return { look, compressed: false };
  const gunzip = createGunzip();
  const out = new PassThrough();
  pipeline(Readable.from(look.rest()), gunzip, out).catch((error: unknown) => {
    out.destroy(
      error instanceof AppError
        ? error
        : new AppError('unprocessable_file', {
            detail: `the gzip data is corrupt (${(error as Error).message})`,
          }),
    );
  });
  const inflated = async function* () {
    for await (const chunk of out as AsyncIterable<Buffer>) {
      ctx.inflatedBytes += chunk.length;
      yield chunk;
    }
  };
  return { look: new Lookahead(inflated()), compressed: true };
}
