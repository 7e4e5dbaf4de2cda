/**
 * The import pipeline: upload bytes → (gunzip) → sniff → format (CSV: import-csv.ts, in a worker thread for all
 * but small files; JSON/NDJSON/XLSX: import-json-xlsx.ts) → TableWriter, inside ONE write transaction on the
 * session's db.db. Nothing becomes visible before COMMIT, so a bad file, a quota breach, an aborted upload or a
 * killed process all leave the database exactly as it was (a kill leaves a hot journal that SQLite rolls back on
 * the next open). Files we write on the way (the kept original, the XLSX spill file) are removed on failure here,
 * and by cleanLeftovers after a kill.
 */
import type Database from 'better-sqlite3';
import { AppError } from '../errors.js';
import { ensureCatalogTable, writeCatalogEntry } from './catalog.js';
import type { ColumnType, TableCatalog } from './catalog-types.js';
import { emptyFile } from './csv-rows.js';
import { openDb, PAGE_SIZE } from './db.js';
import { type EncodingName, StreamDecoder } from './encoding.js';
import { type Chunk, ImportContext, type ImportTarget, Lookahead, maybeGunzip } from './import-context.js';
import { importCsv } from './import-csv.js';
import { importJson, importXlsx } from './import-json-xlsx.js';
import { validateUserTableName } from './naming.js';
import { detectTextFormat, isOle2, isZip, looksBinary, SNIFF_BYTES } from './sniff.js';
import { fileNumberLocale } from './types.js';

export { SPILL_PREFIX } from './import-context.js';

export interface ImportOptions {
  /** The session's db.db (it may be a 0-byte file, i.e. an empty database). */
  dbPath: string;
  /** The session's temp/ folder: spill files go there and are removed afterwards. */
  tempDir: string;
  /** The upload's bytes, streamed. */
  source: AsyncIterable<Buffer | Uint8Array | string> | NodeJS.ReadableStream;
  /** Original file name (`Vendas 2023.csv`, `x.csv.gz`): default table name and a format hint. */
  fileName: string;
  /** A user-chosen table name (validated; a clash still gets `_2`). */
  tableName?: string;
  /** XLSX: import the first sheet (default) or every sheet as its own table. */
  sheets?: 'first' | 'all';
  /**
   * The session's storage limit. `usedBytes` is read once at the start (the session's size before this import);
   * the import adds the bytes it writes (kept original, spill files, database growth) and aborts with 413 when the
   * sum crosses `limitBytes`.
   */
  quota: { limitBytes: number; usedBytes: () => number };
  /** Aborts (and rolls back) when signalled, e.g. when the client disconnects. */
  signal?: AbortSignal;
  /**
   * The upload as a file already on disk (the API process spools it into temp/, issue 12): `source` reads it, and
   * formats that need random access (XLSX) open it in place instead of spilling a second copy.
   */
  original?: {
    path: string;
    /** Its size: counted in the session's use (besides `quota.usedBytes`) for as long as it is kept. */
    bytes: number;
    /** Where it is kept after COMMIT (e.g. `uploads/<name>`); not kept, with a warning, if space runs out. */
    keepAs: string;
    /** Still being written (a following import, issue 14): read only through `source`, never opened in place. */
    growing?: boolean;
  };
}

export interface ImportedTable {
  name: string;
  label: string;
  rows: number;
  columns: Array<{ name: string; label: string; type: ColumnType }>;
}

export interface ImportResult {
  tables: ImportedTable[];
  /** Full catalog entries of the new tables (stats included). */
  catalog: TableCatalog[];
  warnings: string[];
  /** Milliseconds per phase (`total_ms`, `read_ms`, `finish_ms`, `commit_ms`). */
  timings: Record<string, number>;
  format: 'csv' | 'json' | 'ndjson' | 'xlsx';
  /** Text encoding as detected (`ascii` = plain ASCII, which is all of UTF-8, Windows-1252 and Latin-1). */
  encoding: EncodingName | null;
  delimiter: string | null;
  compressed: boolean;
  /** Whether the original upload was kept (at original.keepAs). */
  original_kept: boolean;
}

export async function runImport(opts: ImportOptions): Promise<ImportResult> {
  const t0 = performance.now();
  if (opts.tableName !== undefined) validateUserTableName(opts.tableName);
  const ctx = new ImportContext(opts);
  let db: Database.Database | null = null;
  let abortListener: (() => void) | null = null;
  try {
    ctx.checkAbort();
    if (opts.signal && 'destroy' in opts.source && typeof opts.source.destroy === 'function') {
      const src = opts.source as { destroy: (e?: Error) => void };
      abortListener = () => src.destroy(new Error('aborted'));
      opts.signal.addEventListener('abort', abortListener, { once: true });
    }
    db = openDb(opts.dbPath);
    // A fresh session database: let dropTable give space back, and use larger pages (both must be chosen before
    // any table).
    if ((db.pragma('page_count', { simple: true }) as number) === 0) {
      db.pragma(`page_size = ${PAGE_SIZE}`);
      db.pragma('auto_vacuum = INCREMENTAL');
    }
    db.pragma('cache_size = -32000');
    // No fsync: a session database is temporary, so surviving an OS crash or power loss is not a requirement.
    // Atomicity is kept: the rollback journal is still written, so ROLLBACK, an error and a killed process
    // (SQLite replays the hot journal on the next open) all leave the database as before.
    db.pragma('synchronous = OFF');
    db.exec('BEGIN IMMEDIATE');
    ensureCatalogTable(db);
    const startPages = db.pragma('page_count', { simple: true }) as number;
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const taken = new Set<string>(
      (db.prepare('SELECT name FROM sqlite_schema').pluck().all() as string[]).map((n) => n.toLowerCase()),
    );
    const target: ImportTarget = { db, pageSize, taken, tables: [], evidence: { en: 0, br: 0 } };

    const gz = await maybeGunzip(ctx, new Lookahead(ctx.raw()));
    const look = gz.look;
    const head = await look.peek(SNIFF_BYTES);
    const t1 = performance.now();
    let format: ImportResult['format'];
    let encoding: EncodingName | null = null;
    let delimiter: string | null = null;
    if (head.length === 0) throw emptyFile();
    if (isZip(head)) {
      format = 'xlsx';
      await importXlsx(
        ctx,
        target,
        look.rest(),
        gz.compressed || opts.original?.growing ? undefined : opts.original?.path,
      );
    } else if (isOle2(head)) {
      throw new AppError('unsupported_media_type', {
        type: 'application/vnd.ms-excel; the old .xls format is not supported, save it as .xlsx or CSV',
      });
    } else {
      const decoder = new StreamDecoder(head);
      if (decoder.encoding === 'ascii' && looksBinary(head)) {
        throw new AppError('unsupported_media_type', {
          type: 'binary data; upload CSV, TSV, JSON, NDJSON or XLSX, optionally gzipped',
        });
      }
      const small = look.exhausted;
      const rest = look.rest();
      const it = rest[Symbol.asyncIterator]();
      const first = await it.next();
      const headText = first.done ? '' : decoder.decode(first.value);
      const remaining: AsyncIterable<Chunk> = { [Symbol.asyncIterator]: () => it };
      if (headText.trim().length === 0 && first.done) throw emptyFile();
      format = detectTextFormat(headText, opts.fileName);
      if (format === 'csv') {
        // CSV decodes on its own (possibly in a worker thread), from the head again.
        const all = async function* () {
          if (!first.done) yield first.value;
          yield* remaining;
        };
        const csv = await importCsv(ctx, target, all(), small);
        csv.table.summary = csv.outcome.summary;
        target.evidence.en += csv.outcome.evidence.en;
        target.evidence.br += csv.outcome.evidence.br;
        ctx.warnings.push(...csv.outcome.warnings);
        delimiter = csv.outcome.delimiter;
        encoding = csv.outcome.encoding;
      } else {
        await importJson(ctx, target, remaining, headText, decoder, format);
        encoding = decoder.encoding;
      }
    }
    ctx.checkAbort();
    const t2 = performance.now();
    const fileLocale = fileNumberLocale(target.evidence, delimiter);
    const now = Date.now() / 1000;
    const catalog: TableCatalog[] = [];
    for (const { writer, summary } of target.tables) {
      const r = writer.finish(summary!, fileLocale, pageSize, now);
      catalog.push(r.catalog);
      ctx.warnings.push(
        ...(target.tables.length > 1 ? r.warnings.map((m) => `${writer.name}: ${m}`) : r.warnings),
      );
    }
    ctx.dbGrowth = () => ((db!.pragma('page_count', { simple: true }) as number) - startPages) * pageSize;
    ctx.checkQuota();
    // Decided only now (the quota check may give up keeping it): which kept file the tables came from, so that
    // dropping the last of them removes it too.
    const source = ctx.keptOriginalName;
    for (const entry of catalog) {
      if (source) entry.source_file = source;
      writeCatalogEntry(db, entry);
    }
    ctx.checkQuota();
    const t3 = performance.now();
    ctx.checkAbort();
    db.exec('COMMIT');
    ctx.removeSpills();
    const kept = ctx.finishOriginal();
    const t4 = performance.now();
    return {
      tables: catalog.map((c) => ({
        name: c.name,
        label: c.label,
        rows: c.rows,
        columns: c.columns.map((col) => ({ name: col.name, label: col.label, type: col.type })),
      })),
      catalog,
      warnings: ctx.warnings,
      timings: {
        total_ms: round(t4 - t0),
        sniff_ms: round(t1 - t0),
        read_ms: round(t2 - t1),
        finish_ms: round(t3 - t2),
        commit_ms: round(t4 - t3),
      },
      format,
      encoding,
      delimiter,
      compressed: gz.compressed,
      original_kept: kept,
    };
  } catch (error) {
    if (db?.inTransaction) db.exec('ROLLBACK');
    ctx.discard();
    if (!(error instanceof AppError) && opts.signal?.aborted) {
      throw new AppError(
        'bad_input',
        { detail: 'the upload was interrupted before it completed' },
        { cause: error },
      );
    }
    throw error instanceof AppError ? error : wrapUnexpected(error);
  } finally {
    if (abortListener) opts.signal?.removeEventListener('abort', abortListener);
    db?.close();
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function wrapUnexpected(error: unknown): unknown {
  const e = error as { code?: string; message?: string };
  if (typeof e?.code === 'string' && e.code === 'SQLITE_FULL') {
    return new AppError('quota_exceeded', { limit_mb: '?' }, { cause: error });
  }
  return error;
}
