/**
 * SessionTables: a session's tables — upload, list, preview, drop — keeping the session document in step (its
 * `tables` list, which bumps `version`, and its size). This class decides where files go, what the quota is, and
 * what the session looks like afterwards; the work itself never happens in this process (issue 12):
 *   - an upload is spooled into temp/ (data/spool.ts), then imported by an ImportPool child, which renames the
 *     original into uploads/ only after COMMIT;
 *   - drops and crash recoveries run in the same pool;
 *   - the catalog comes from SessionCatalogs and previews from the query sandbox's children, so no synchronous read
 *     here can wait on an import's lock.
 * Imports and drops of one session are serialised in this process (withDbLock); other processes wait on SQLite's lock
 * inside their children. Used by the HTTP routes and the CLI.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { extname } from 'node:path';
import type { RemoteDatabase } from './connections/remote.js';
import type { Catalog, ColumnType } from './data/catalog-types.js';
import { isWriting, withDbLock } from './data/db.js';
import type { FollowingImport, ImportPool } from './data/import-pool.js';
import type { ImportAnswer } from './data/import-protocol.js';
import { type ImportResult, INTERNAL_PREFIX } from './data/index.js';
import { quoteIdent, validateUserTableName } from './data/naming.js';
import { SpaceMeter, spoolUpload } from './data/spool.js';
import type { QuerySandbox } from './engine/sandbox/index.js';
import { AppError } from './errors.js';
import type { SessionCatalogs } from './session-catalogs.js';
import type { SessionManager } from './sessions/manager.js';
import { SessionPaths } from './sessions/paths.js';
import type { SessionDoc } from './sessions/session.js';

export interface UploadInput {
  source: AsyncIterable<Buffer | Uint8Array | string> | NodeJS.ReadableStream;
  fileName: string;
  tableName?: string;
  sheets?: 'first' | 'all';
  signal?: AbortSignal;
}

export interface UploadOutcome extends ImportResult {
  session: SessionDoc;
}

export interface Preview {
  columns: Array<{ name: string; label: string; type: ColumnType }>;
  rows: unknown[][];
  /** Total rows in the table. */
  total: number;
  limit: number;
  offset: number;
}

export const PREVIEW_MAX_LIMIT = 1000;

export interface SessionTablesOptions {
  /** An upload that sends nothing for this long is aborted (IDLE_TIMEOUT). */
  idleTimeoutMs: number;
  /** Time limit of a preview read in a connected database (QUERY_TIMEOUT_MS). */
  queryTimeoutMs: number;
}

/** A connected session's database (issue 15), as tables are listed and previewed from it (ConnectionRegistry). */
export interface ExternalTables {
  forSession(doc: SessionDoc): Promise<Pick<RemoteDatabase, 'catalog' | 'query'>>;
}

/** A name for the kept original: the user's base name made plain, unique within uploads/. */
function storedName(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? '';
  const ext = extname(base).slice(0, 20);
  const stem = base
    .slice(0, base.length - ext.length)
    .normalize('NFKD')
    .replace(/[^\w.-]+/g, '_')
    .replace(/^[._]+/, '')
    .slice(0, 100);
  return `${stem || 'upload'}-${randomBytes(3).toString('hex')}${ext.replace(/[^\w.]/g, '')}`;
}

/**
 * Uploads whose import may start while they arrive (issue 14): text formats, read front to back. (XLSX needs the
 * whole file; a mislabelled one is still imported correctly, through a spill file.)
 */
const FOLLOWED_NAME = /\.(csv|tsv|tab|txt)(\.gz)?$/i;
/** Smaller uploads are spooled whole before their import starts: following would gain less than it costs. */
const FOLLOW_MIN_BYTES = 1024 * 1024;

type ImportRequestInput = Parameters<ImportPool['import']>[0];

interface Following {
  import: FollowingImport;
  settled: Promise<ImportAnswer | null>;
}

const visible = (catalog: Catalog) => catalog.filter((table) => !table.name.startsWith(INTERNAL_PREFIX));

export class SessionTables {
  /** The space meter of each session with uploads arriving in this process, and how many share it. */
  private readonly meters = new Map<string, { meter: SpaceMeter; users: number }>();

  constructor(
    private readonly sessions: SessionManager,
    private readonly imports: ImportPool,
    private readonly catalogs: SessionCatalogs,
    private readonly sandbox: QuerySandbox,
    private readonly external: ExternalTables,
    private readonly options: SessionTablesOptions,
  ) {}

  private dbPath(doc: SessionDoc): string {
    return this.sessions.paths.dbPath(doc.session_id);
  }

  /** The session's own tables' names (its uploads), whatever it is connected to. */
  async ownTableNames(doc: SessionDoc): Promise<string[]> {
    return visible(await this.catalogs.get(this.dbPath(doc)))
      .map((table) => table.name)
      .sort();
  }

  async upload(doc: SessionDoc, input: UploadInput): Promise<UploadOutcome> {
    const { paths } = this.sessions;
    const id = doc.session_id;
    const dbPath = this.dbPath(doc);
    const tempDir = paths.subdir(id, 'temp');
    const limitBytes = this.sessions.options.maxSessionSizeBytes;
    // A bad name fails before any byte is stored.
    if (input.tableName !== undefined) validateUserTableName(input.tableName);
    const keepAs = paths.safeJoin(id, 'uploads', storedName(input.fileName));
    const request = (sourcePath: string, sourceBytes: number): ImportRequestInput => ({
      type: 'import',
      dbPath,
      tempDir,
      sourcePath,
      sourceBytes,
      keepAs,
      fileName: input.fileName,
      ...(input.tableName !== undefined ? { tableName: input.tableName } : {}),
      ...(input.sheets ? { sheets: input.sheets } : {}),
      limitBytes,
      // Measured under the lock, so a concurrent upload's committed bytes count.
      usedBytes: paths.measureSync(id) - sourceBytes,
    });
    // A following import that fails (a broken file, the quota) ends the upload: the rest of its bytes would be wasted.
    const stop = new AbortController();
    let following: Following | null = null;
    let mayFollow = FOLLOWED_NAME.test(input.fileName);
    let spooled: { path: string; bytes: number } | null = null;
    const meter = this.meterOf(id, limitBytes);
    try {
      try {
        spooled = await spoolUpload(input.source as AsyncIterable<Buffer>, {
          dir: tempDir,
          meter,
          idleTimeoutMs: this.options.idleTimeoutMs,
          signal: input.signal ? AbortSignal.any([input.signal, stop.signal]) : stop.signal,
          onWritten: (file, bytes) => {
            if (following) following.import.grown(bytes);
            else if (mayFollow && bytes >= FOLLOW_MIN_BYTES) {
              mayFollow = false;
              // Only when it makes nobody wait: a free import process, and no other write of this session.
              if (isWriting(dbPath) || !this.imports.canFollow()) return;
              following = this.follow(dbPath, request(file, bytes), input.signal);
              following.settled.catch(() => stop.abort());
            }
          },
        });
      } catch (error) {
        const ended = following as Following | null;
        ended?.import.abandon();
        // The follow's own failure is why the upload stopped; either way the child is done before the file goes.
        const followError = await ended?.settled.then(
          () => null,
          (e: unknown) => e,
        );
        throw stop.signal.aborted && followError ? followError : error;
      } finally {
        this.releaseMeter(id);
      }
      const file = spooled;
      const followed = following as Following | null;
      followed?.import.complete(file.bytes);
      const answer =
        (await followed?.settled) ??
        (await withDbLock(dbPath, async () => {
          const imported = await this.imports.import(request(file.path, file.bytes), input.signal);
          this.catalogs.set(dbPath, imported.all);
          return imported;
        }));
      const { all, ...outcome } = answer;
      const session = await this.syncTables(id, all);
      return { ...outcome, session };
    } finally {
      // After success the child has moved it into uploads/ (or removed it); after a failure it is ours to remove.
      if (spooled) rmSync(spooled.path, { force: true });
      // Success or failure, the document's size must stay true (a failure frees what it used).
      await this.sessions.refreshSize(id).catch(() => undefined);
    }
  }

  /**
   * Starts importing an upload that is still arriving (issue 14), holding the session's write lock until it ends:
   * `settled` is the import's answer, or null when the follow was abandoned (the file is then imported once complete).
   */
  private follow(dbPath: string, request: ImportRequestInput, signal: AbortSignal | undefined): Following {
    const started = this.imports.follow(request, signal);
    const settled = withDbLock(dbPath, async () => {
      const answer = await started.done;
      if (answer) this.catalogs.set(dbPath, answer.all);
      return answer;
    });
    return { import: started, settled };
  }

  private meterOf(id: string, limitBytes: number): SpaceMeter {
    let shared = this.meters.get(id);
    if (!shared) {
      shared = { meter: new SpaceMeter(() => this.sessions.paths.measureSync(id), limitBytes), users: 0 };
      this.meters.set(id, shared);
    }
    shared.users += 1;
    return shared.meter;
  }

  private releaseMeter(id: string): void {
    const shared = this.meters.get(id);
    if (shared && --shared.users === 0) this.meters.delete(id);
  }

  /** The catalog of the session's own tables (internal tables hidden). */
  /** The session's tables: its uploads, or the tables of the database it is connected to (issue 15). */
  async list(doc: SessionDoc): Promise<Catalog> {
    if (doc.connection_type !== 'csv') return (await this.external.forSession(doc)).catalog();
    return visible(await this.catalogs.get(this.dbPath(doc)));
  }

  async preview(
    doc: SessionDoc,
    name: string,
    options: { limit?: number; offset?: number },
  ): Promise<Preview> {
    const table = (await this.list(doc)).find((t) => t.name === name);
    if (!table) throw new AppError('not_found', { what: `table ${name}` });
    const limit = Math.max(0, Math.min(PREVIEW_MAX_LIMIT, Math.floor(options.limit ?? 50)));
    const offset = Math.max(0, Math.floor(options.offset ?? 0));
    const columns = table.columns.map((c) => c.name);
    const rows =
      doc.connection_type === 'csv'
        ? await this.sandbox.readRows(this.dbPath(doc), { table: table.name, columns, limit, offset })
        : (
            await (
              await this.external.forSession(doc)
            ).query(
              // Names from the database's own catalog, quoted (MySQL sessions use ANSI quotes).
              `SELECT ${columns.map(quoteIdent).join(', ')} FROM ${quoteIdent(table.name)} LIMIT ${limit} OFFSET ${offset}`,
              { maxRows: limit, timeoutMs: this.options.queryTimeoutMs },
            )
          ).rows;
    return {
      columns: table.columns.map((c) => ({ name: c.name, label: c.label, type: c.type })),
      rows,
      total: table.rows,
      limit,
      offset,
    };
  }

  async drop(doc: SessionDoc, name: string): Promise<SessionDoc> {
    if (doc.connection_type !== 'csv') {
      throw new AppError('conflict', {
        detail: 'the tables of a connected database are read-only here',
        detail_pt: 'as tabelas de um banco conectado são somente leitura aqui',
      });
    }
    const { paths } = this.sessions;
    const id = doc.session_id;
    const dbPath = this.dbPath(doc);
    const answer = await withDbLock(dbPath, async () => {
      const dropped = await this.imports.drop({
        type: 'drop',
        dbPath,
        tempDir: paths.subdir(id, 'temp'),
        uploadsDir: paths.subdir(id, 'uploads'),
        name,
      });
      this.catalogs.set(dbPath, dropped.all);
      return dropped;
    });
    if (!answer.dropped) throw new AppError('not_found', { what: `table ${name}` });
    await this.sessions.refreshSize(id);
    return this.syncTables(id, answer.all);
  }

  /**
   * Crash recovery (issue 12): rolls back what imports killed with their process left in every session folder
   * (a hot journal, stray tables, spill files) and removes spooled uploads older than `spoolGraceMs` — 0 when no
   * other process can be uploading (embedded mode at start-up). Returns the sessions that needed it.
   */
  async recoverAll(spoolGraceMs: number): Promise<string[]> {
    const { paths } = this.sessions;
    const recovered: string[] = [];
    for (const id of await paths.listSessionDirs()) {
      if (!SessionPaths.isValidId(id)) continue;
      const dbPath = paths.dbPath(id);
      const tempDir = paths.subdir(id, 'temp');
      if (!existsSync(`${dbPath}-journal`) && !hasEntries(tempDir)) continue;
      await withDbLock(dbPath, async () => {
        const answer = await this.imports.recover({ type: 'recover', dbPath, tempDir, spoolGraceMs });
        this.catalogs.set(dbPath, answer.all);
      });
      await this.sessions.refreshSize(id).catch(() => undefined);
      recovered.push(id);
    }
    return recovered;
  }

  /**
   * Writes the table list into the session document (a change bumps `version`, invalidating cached agents), and
   * drops names of tables that no longer exist from an explicit include list.
   */
  private async syncTables(id: string, catalog: Catalog): Promise<SessionDoc> {
    const doc = await this.sessions.get(id);
    // Connected to an external database (issue 15): its tables are the session's; uploads wait for a disconnect.
    if (doc.connection_type !== 'csv') return doc;
    const names = visible(catalog)
      .map((table) => table.name)
      .sort();
    const changes: Partial<SessionDoc> = { tables: names };
    if (doc.include_tables_key !== '*') {
      const kept = doc.include_tables_key.split(',').filter((name) => names.includes(name));
      changes.include_tables_key = kept.length ? kept.join(',') : '*';
    }
    return this.sessions.apply(id, changes);
  }
}

function hasEntries(dir: string): boolean {
  try {
    return readdirSync(dir).length > 0;
  } catch {
    return false;
  }
}
