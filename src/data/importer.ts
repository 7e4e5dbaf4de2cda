/**
 * The import pipeline: upload bytes → (gunzip) → sniff → decode → parse → TableWriter, inside ONE write
 * transaction on the session's db.db. Nothing becomes visible before COMMIT, so a bad file, a quota breach, an
 * aborted upload or a killed process all leave the database exactly as it was (a kill leaves a hot journal that
 * SQLite rolls back on the next open). Files we write on the way (the kept original, the XLSX spill file) are
 * removed on failure here, and by cleanLeftovers after a kill.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type Database from 'better-sqlite3';
import { AppError } from '../errors.js';
import { ensureCatalogTable, writeCatalogEntry } from './catalog.js';
import type { ColumnType, TableCatalog } from './catalog-types.js';
import { CsvParser, DEFAULT_CSV_LIMITS } from './csv-parser.js';
import { openDb } from './db.js';
import { type EncodingName, StreamDecoder } from './encoding.js';
import { JsonArrayParser, type JsonRecord, jsonCell, NdjsonParser } from './json.js';
import { tableNameFromFile, uniqueName, validateUserTableName } from './naming.js';
import {
  detectTextFormat,
  isGzip,
  isOle2,
  isZip,
  looksBinary,
  SNIFF_BYTES,
  sniffDelimiter,
} from './sniff.js';
import { type LocaleEvidence, TableWriter } from './table-writer.js';
import { ALL_TYPES, classify, isNullToken, type Locale } from './types.js';
import { readXlsx } from './xlsx.js';

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
  /** Also write the raw upload bytes here (e.g. `uploads/<name>`); dropped, with a warning, if space runs out. */
  keepOriginal?: { path: string };
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
  /** Whether the original upload was kept at keepOriginal.path. */
  original_kept: boolean;
}

/** Header-detection and ragged-row decisions look at this many rows before the table is created. */
const SAMPLE_ROWS = 50;
/** Decompressed bytes beyond this multiple of the quota are refused (a gzip bomb of blank lines grows nothing). */
const MAX_INFLATE_RATIO = 10;
/** Temp files of ours in tempDir start with this (cleanLeftovers removes them). */
export const SPILL_PREFIX = 'agentgraph-import-';

type Chunk = Buffer;

/** Upload bytes with look-ahead: `peek` reads until `n` bytes are buffered (or the end), `rest` yields everything. */
class Lookahead {
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
class ImportContext {
  readonly warnings: string[] = [];
  readonly baseline: number;
  receivedBytes = 0;
  inflatedBytes = 0;
  spillBytes = 0;
  originalBytes = 0;
  private original: fs.WriteStream | null = null;
  originalDropped = false;
  readonly spillFiles: string[] = [];
  dbGrowth: () => number = () => 0;

  constructor(readonly opts: ImportOptions) {
    this.baseline = opts.quota.usedBytes();
    if (opts.keepOriginal) {
      fs.mkdirSync(path.dirname(opts.keepOriginal.path), { recursive: true });
      this.original = fs.createWriteStream(opts.keepOriginal.path);
      // Errors surface on write/end; keep the process from crashing on an unhandled 'error' meanwhile.
      this.original.on('error', () => undefined);
    }
  }

  private quotaError(): AppError {
    return new AppError('quota_exceeded', {
      limit_mb: Math.round((this.opts.quota.limitBytes / 1024 / 1024) * 10) / 10,
      detail: 'the upload was stopped while streaming',
    });
  }

  checkAbort(): void {
    if (this.opts.signal?.aborted) {
      throw new AppError('bad_input', { detail: 'the upload was interrupted before it completed' });
    }
  }

  /** Throws quota_exceeded when the session would go over its limit; drops the kept original first. */
  checkQuota(): void {
    const limit = this.opts.quota.limitBytes;
    const used = () => this.baseline + this.originalBytes + this.spillBytes + this.dbGrowth();
    if (used() > limit && this.original) this.dropOriginal();
    // An upload larger than the free space is refused even when it would shrink in SQLite: it is the
    // measure users can act on, and it stops a stream that grows nothing (blank lines) from running forever.
    if (used() > limit || this.baseline + this.receivedBytes > limit) throw this.quotaError();
    if (this.inflatedBytes > MAX_INFLATE_RATIO * limit) throw this.quotaError();
  }

  dropOriginal(): void {
    if (!this.original) return;
    this.original.destroy();
    this.original = null;
    fs.rmSync(this.opts.keepOriginal!.path, { force: true });
    this.originalBytes = 0;
    this.originalDropped = true;
    this.warnings.push(
      'the original file was not kept in uploads/ because the session is near its storage limit; the table was imported',
    );
  }

  async writeOriginal(chunk: Buffer): Promise<void> {
    const out = this.original;
    if (!out) return;
    this.originalBytes += chunk.length;
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', resolve));
  }

  async finishOriginal(): Promise<boolean> {
    const out = this.original;
    if (!out) return false;
    await new Promise<void>((resolve, reject) => {
      out.once('error', reject);
      out.end(() => resolve());
    });
    return true;
  }

  /** Cleans up after a failure: nothing of this attempt stays on disk. */
  discard(): void {
    if (this.original) {
      this.original.destroy();
      this.original = null;
    }
    if (this.opts.keepOriginal) fs.rmSync(this.opts.keepOriginal.path, { force: true });
    this.removeSpills();
  }

  removeSpills(): void {
    for (const f of this.spillFiles.splice(0)) fs.rmSync(f, { force: true });
  }

  /** The upload's raw bytes: counted, copied to the kept original, abort- and quota-checked per chunk. */
  async *raw(): AsyncGenerator<Chunk> {
    const src = this.opts.source as AsyncIterable<Buffer | Uint8Array | string>;
    for await (const piece of src) {
      this.checkAbort();
      const chunk =
        typeof piece === 'string' ? Buffer.from(piece) : Buffer.isBuffer(piece) ? piece : Buffer.from(piece);
      this.receivedBytes += chunk.length;
      await this.writeOriginal(chunk);
      this.checkQuota();
      yield chunk;
    }
    this.checkAbort();
  }
}

interface Target {
  db: Database.Database;
  pageSize: number;
  taken: Set<string>;
  writers: TableWriter[];
  evidence: LocaleEvidence;
  defaultLocale: Locale;
}

function newWriter(
  t: Target,
  ctx: ImportContext,
  labels: string[],
  tableLabel: string,
  sheet?: string,
): TableWriter {
  const opts = ctx.opts;
  let base: string;
  if (opts.tableName !== undefined) {
    const chosen = validateUserTableName(opts.tableName);
    base = sheet === undefined ? chosen : tableNameFromFile(chosen, sheet);
  } else base = tableNameFromFile(opts.fileName, sheet);
  const name = uniqueName(base, t.taken);
  t.taken.add(name);
  const w = new TableWriter(t.db, name, tableLabel, labels, t.evidence, () => t.defaultLocale);
  t.writers.push(w);
  return w;
}

/** Is the first row a header? Yes unless every typed column's first cell fits that column's type. */
export function detectHeader(first: readonly string[], sample: readonly string[][]): boolean {
  let fits = 0;
  let mismatches = 0;
  for (let j = 0; j < first.length; j++) {
    let mask = ALL_TYPES;
    let seen = 0;
    for (const row of sample) {
      const v = row[j];
      if (v === undefined || isNullToken(v)) continue;
      seen++;
      mask &= classify(v, mask).mask;
      if (mask === 0) break;
    }
    if (seen === 0 || mask === 0) continue;
    const h = first[j]!;
    if (isNullToken(h)) continue;
    if ((classify(h, mask).mask & mask) === 0) mismatches++;
    else fits++;
  }
  if (mismatches > 0) return true;
  return fits === 0;
}

function emptyFile(): AppError {
  return new AppError('unprocessable_file', { detail: 'the file is empty' });
}

async function importCsv(
  ctx: ImportContext,
  t: Target,
  bytes: AsyncIterable<Chunk>,
  headText: string,
  decoder: StreamDecoder,
): Promise<string> {
  const delimiter = sniffDelimiter(headText, ctx.opts.fileName);
  const sample: string[][] = [];
  let writer: TableWriter | null = null;
  let blankRows = 0;
  let noHeader = false;
  const startWriter = () => {
    const first = sample[0]!;
    const header = detectHeader(first, sample.slice(1));
    noHeader = !header;
    const labels = header ? first : first.map((_, i) => `column_${i + 1}`);
    writer = newWriter(t, ctx, labels, path.basename(ctx.opts.fileName));
    for (const row of header ? sample.slice(1) : sample) writer.writeRow(row);
    sample.length = 0;
  };
  const parser = new CsvParser(
    delimiter,
    (fields) => {
      // Blank lines and rows of empty fields (`;;;;` at the end of spreadsheet exports) carry nothing.
      if (isBlank(fields)) {
        blankRows++;
        return;
      }
      if (writer) writer.writeRow(fields);
      else {
        sample.push(fields);
        if (sample.length > SAMPLE_ROWS) startWriter();
      }
    },
    DEFAULT_CSV_LIMITS,
  );
  ctx.dbGrowth = () => t.writers.reduce((sum, w) => sum + w.bytesWritten(t.pageSize), 0);
  parser.feed(headText);
  for await (const chunk of bytes) {
    parser.feed(decoder.decode(chunk));
    ctx.checkQuota();
  }
  parser.feed(decoder.end());
  parser.end();
  if (!writer) {
    if (sample.length === 0) throw emptyFile();
    if (sample.length === 1) {
      throw new AppError('unprocessable_file', { detail: 'the file has a header row but no data rows' });
    }
    startWriter();
  }
  if (noHeader) ctx.warnings.push('no header row was detected: the columns are named column_1, column_2, …');
  if (blankRows > 0) ctx.warnings.push(`${blankRows.toLocaleString('en')} empty row(s) were skipped`);
  return delimiter;
}

function isBlank(fields: string[]): boolean {
  for (const f of fields) if (f.length > 0 && f.trim().length > 0) return false;
  return true;
}

async function importJson(
  ctx: ImportContext,
  t: Target,
  bytes: AsyncIterable<Chunk>,
  headText: string,
  decoder: StreamDecoder,
  format: 'json' | 'ndjson',
): Promise<void> {
  const pending: JsonRecord[] = [];
  const keyIndex = new Map<string, number>();
  let writer: TableWriter | null = null;
  const toRow = (w: TableWriter, rec: JsonRecord) => {
    const row: Array<string | null> = new Array(w.width).fill(null);
    for (const key of Object.keys(rec)) {
      let idx = keyIndex.get(key);
      if (idx === undefined) {
        idx = w.addColumn(key);
        keyIndex.set(key, idx);
        row.push(null);
      }
      row[idx] = jsonCell(rec[key]);
    }
    w.writeRow(row, false);
  };
  const start = () => {
    // Columns from the keys of the first records (first-seen order); later keys are added as they appear.
    const labels: string[] = [];
    for (const rec of pending) {
      for (const key of Object.keys(rec)) {
        if (!keyIndex.has(key)) {
          keyIndex.set(key, labels.length);
          labels.push(key);
        }
      }
    }
    if (labels.length === 0)
      throw new AppError('unprocessable_file', { detail: 'the JSON objects have no fields' });
    const w = newWriter(t, ctx, labels, path.basename(ctx.opts.fileName));
    writer = w;
    for (const rec of pending) toRow(w, rec);
    pending.length = 0;
  };
  const onRecord = (rec: JsonRecord) => {
    if (writer) toRow(writer, rec);
    else {
      pending.push(rec);
      if (pending.length >= 1000) start();
    }
  };
  const parser = format === 'json' ? new JsonArrayParser(onRecord) : new NdjsonParser(onRecord);
  ctx.dbGrowth = () => t.writers.reduce((sum, w) => sum + w.bytesWritten(t.pageSize), 0);
  parser.feed(headText);
  for await (const chunk of bytes) {
    parser.feed(decoder.decode(chunk));
    ctx.checkQuota();
  }
  parser.feed(decoder.end());
  parser.end();
  if (!writer) {
    if (pending.length === 0) {
      throw new AppError('unprocessable_file', { detail: 'the JSON has no records' });
    }
    start();
  }
}

async function importXlsx(ctx: ImportContext, t: Target, bytes: AsyncIterable<Chunk>): Promise<void> {
  // ZIP needs random access (its directory is at the end): spill to temp/, counted against the quota.
  const spill = path.join(ctx.opts.tempDir, `${SPILL_PREFIX}${randomUUID()}.xlsx`);
  fs.mkdirSync(ctx.opts.tempDir, { recursive: true });
  ctx.spillFiles.push(spill);
  const out = fs.createWriteStream(spill);
  const counted = async function* () {
    for await (const chunk of bytes) {
      ctx.spillBytes += chunk.length;
      ctx.checkQuota();
      yield chunk;
    }
  };
  await pipeline(Readable.from(counted()), out);
  ctx.dbGrowth = () => t.writers.reduce((sum, w) => sum + w.bytesWritten(t.pageSize), 0);
  let rowsSinceCheck = 0;
  const sheetsDone = await readXlsx(spill, ctx.opts.sheets ?? 'first', {
    onSheet: (sheetName, multi) => {
      let writer: TableWriter | null = null;
      const sample: string[][] = [];
      const start = () => {
        const first = sample[0]!;
        const header = detectHeader(first, sample.slice(1));
        const labels = header ? first : first.map((_, i) => `column_${i + 1}`);
        writer = newWriter(
          t,
          ctx,
          labels,
          `${path.basename(ctx.opts.fileName)} [${sheetName}]`,
          multi ? sheetName : undefined,
        );
        for (const row of header ? sample.slice(1) : sample) writer.writeRow(row);
        if (!header) ctx.warnings.push(`sheet "${sheetName}": no header row was detected`);
        sample.length = 0;
      };
      return {
        row: (cells: Array<string | null>) => {
          if (++rowsSinceCheck >= 2000) {
            rowsSinceCheck = 0;
            ctx.checkAbort();
            ctx.checkQuota();
          }
          const fields = cells.map((c) => c ?? '');
          if (isBlank(fields)) return;
          if (writer) writer.writeRow(fields);
          else {
            sample.push(fields);
            if (sample.length > SAMPLE_ROWS) start();
          }
        },
        end: () => {
          if (!writer) {
            if (sample.length === 0) {
              ctx.warnings.push(`sheet "${sheetName}" is empty and was skipped`);
              return false;
            }
            if (sample.length === 1) {
              ctx.warnings.push(`sheet "${sheetName}" has a header row but no data rows and was skipped`);
              return false;
            }
            start();
          }
          return true;
        },
      };
    },
  });
  if (sheetsDone === 0) {
    throw new AppError('unprocessable_file', { detail: 'the workbook has no sheet with data' });
  }
}

/** Gunzips when the bytes are gzip (whatever the name says), counting inflated bytes for the bomb bound. */
async function maybeGunzip(
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
    // A fresh session database: let dropTable give space back (auto_vacuum must be chosen before any table).
    if ((db.pragma('page_count', { simple: true }) as number) === 0) {
      db.pragma('auto_vacuum = INCREMENTAL');
    }
    db.pragma('cache_size = -32000');
    db.pragma('synchronous = NORMAL');
    db.exec('BEGIN IMMEDIATE');
    ensureCatalogTable(db);
    const startPages = db.pragma('page_count', { simple: true }) as number;
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const taken = new Set<string>(
      (db.prepare('SELECT name FROM sqlite_schema').pluck().all() as string[]).map((n) => n.toLowerCase()),
    );
    const target: Target = {
      db,
      pageSize,
      taken,
      writers: [],
      evidence: { en: 0, br: 0 },
      defaultLocale: 'en',
    };

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
      await importXlsx(ctx, target, look.rest());
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
      const rest = look.rest();
      const it = rest[Symbol.asyncIterator]();
      const first = await it.next();
      const headText = first.done ? '' : decoder.decode(first.value);
      const remaining: AsyncIterable<Chunk> = { [Symbol.asyncIterator]: () => it };
      if (headText.trim().length === 0 && first.done) throw emptyFile();
      format = detectTextFormat(headText, opts.fileName);
      if (format === 'csv') {
        delimiter = await importCsv(ctx, target, remaining, headText, decoder);
      } else {
        await importJson(ctx, target, remaining, headText, decoder, format);
      }
      encoding = decoder.encoding;
    }
    ctx.checkAbort();
    const t2 = performance.now();
    // Number locale of the file: evidence from all its columns; `;`-separated files are Brazilian by default.
    target.defaultLocale = delimiter === ';' ? 'br' : 'en';
    const now = Date.now() / 1000;
    const catalog: TableCatalog[] = [];
    for (const w of target.writers) {
      const r = w.finish(pageSize, now);
      catalog.push(r.catalog);
      ctx.warnings.push(
        ...(target.writers.length > 1 ? r.warnings.map((m) => `${w.name}: ${m}`) : r.warnings),
      );
      writeCatalogEntry(db, r.catalog);
    }
    ctx.dbGrowth = () => ((db!.pragma('page_count', { simple: true }) as number) - startPages) * pageSize;
    ctx.checkQuota();
    const t3 = performance.now();
    ctx.checkAbort();
    const kept = await ctx.finishOriginal();
    db.exec('COMMIT');
    ctx.removeSpills();
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
      original_kept: kept && !ctx.originalDropped,
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
