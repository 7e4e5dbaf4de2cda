/**
 * QuerySandbox: runs guarded SQL in a small pool of child processes (process-pool.ts), so a statement can really be
 * stopped.
 *
 * Why processes: better-sqlite3 runs a statement inside sqlite3_step and exposes neither sqlite3_interrupt nor a
 * progress handler; a worker thread stuck there cannot be terminated (measured: Worker.terminate() never resolves,
 * CPU stays at 100%). A child process can always be SIGKILLed. Cost: ~0.16 ms of IPC per query, ~90 ms to spawn a
 * replacement, paid only after a timeout, a cancel or a crash.
 *
 * The same children serve the API's own reads of session databases (the catalog, table previews: `read`), so no
 * synchronous SQLite call in the API process can wait on another connection's lock (issue 12).
 */
import type { Catalog } from '../../data/catalog-types.js';
import { AppError } from '../../errors.js';
import { childEntry, type PoolStats, ProcessPool, type StopReason } from '../../process-pool.js';
import { checkSql } from '../sql-guard.js';
import type { ChildOptions, ReadRequest, ReadResult, RunRequest, RunResult } from './protocol.js';

export interface SandboxOptions {
  /** Child processes (queries running at once). */
  size: number;
  /** Default wall-clock limit of one statement (QUERY_TIMEOUT_MS). */
  timeoutMs: number;
  /** Default row cap (MAX_RESULT_ROWS); one more row is read to know whether the result was truncated. */
  maxRows: number;
  /** Open read-only handles each child keeps (LRU). Default 16. */
  maxOpenDbsPerChild?: number;
  /** Cap on the rows' estimated JSON size inside the row cap. Default DEFAULT_MAX_RESULT_BYTES. */
  maxResultBytes?: number;
  /** Told about child deaths that were not ours (crashes), with the tail of the child's stderr. */
  onCrash?: (info: { pid: number; code: number | null; signal: string | null; stderr: string }) => void;
}

export interface RunOptions {
  timeoutMs?: number;
  maxRows?: number;
  signal?: AbortSignal;
  params?: unknown[];
}

export interface SandboxResult {
  columns: string[];
  rows: unknown[][];
  row_count: number;
  truncated: boolean;
  /** From handing the statement to a child until its rows came back (queue wait excluded). */
  elapsed_ms: number;
  /** The SQL that ran: trimmed of comments around it and of the trailing `;`, double-quoted literals repaired. */
  sql: string;
  /** Double-quoted tokens rewritten to string literals, e.g. ['"Seattle"'] (empty when none). */
  rewrites: string[];
}

export interface SandboxCheck {
  sql: string;
  columns: string[];
  rewrites: string[];
}

export type SandboxStats = Omit<PoolStats, 'overruns'>;

/**
 * 8 MiB of rows per result. Every result crosses the API process several times over (IPC, the kept copy, the JSON
 * answer, the chart): measured with 64 MiB, ten answers of 1,000 rows × 24 KB took the API process to 928 MB and held
 * its event loop ~0.7 s each time (issue 12, docs/benchmarks.md). 8 MiB is ~80 times a typical 1,000-row result;
 * beyond it the visitor gets result_too_large, asking for fewer or shorter columns.
 */
export const DEFAULT_MAX_RESULT_BYTES = 8 * 1024 * 1024;

/** Extra time the child's own watchdog gives the parent before killing itself. */
const WATCHDOG_GRACE_MS = 2000;
/**
 * How long an internal read (catalog, preview) waits for another connection's lock before answering session_busy.
 * Imports hold the lock for their whole transaction; a short wait covers a commit, not an import.
 */
const READ_BUSY_MS = 250;
/** Time limit of an internal read: a page of rows or the catalog, never a visitor's statement. */
const READ_TIMEOUT_MS = 10_000;

function sandboxFailure(reason: StopReason, limits: { timeoutMs: number }): Error {
  switch (reason) {
    case 'timeout':
      return new AppError('query_timeout', { limit_ms: limits.timeoutMs });
    case 'cancel':
    case 'close':
      return new AppError('query_cancelled');
    default:
      return new AppError('sandbox_crashed');
  }
}

export class QuerySandbox {
  private readonly pool: ProcessPool;

  constructor(private readonly options: SandboxOptions) {
    const childOptions: ChildOptions = {
      maxOpenDbs: options.maxOpenDbsPerChild ?? 16,
      maxResultBytes: options.maxResultBytes ?? DEFAULT_MAX_RESULT_BYTES,
    };
    this.pool = new ProcessPool({
      size: options.size,
      entry: childEntry(import.meta.url, 'child'),
      args: [JSON.stringify(childOptions)],
      failure: sandboxFailure,
      ...(options.onCrash ? { onCrash: options.onCrash } : {}),
    });
  }

  /** Runs one read-only statement on the SQLite file at dbPath. Rejects with an AppError. */
  async run(dbPath: string, sql: string, options: RunOptions = {}): Promise<SandboxResult> {
    const { result, elapsed_ms } = await this.submit(dbPath, sql, options, false);
    return {
      columns: result.columns,
      rows: result.rows,
      row_count: result.row_count,
      truncated: result.truncated,
      elapsed_ms,
      sql: result.sql,
      rewrites: result.rewrites,
    };
  }

  /** Guards and prepares without running: what the engine's check_sql tool needs. */
  async check(dbPath: string, sql: string, options: Pick<RunOptions, 'signal'> = {}): Promise<SandboxCheck> {
    const { result } = await this.submit(dbPath, sql, options, true);
    return { sql: result.sql, columns: result.columns, rewrites: result.rewrites };
  }

  /** The catalog stored in the session database (session_busy while an import holds its lock). */
  async readCatalog(dbPath: string): Promise<Catalog> {
    const { catalog } = (await this.read(dbPath, { what: 'catalog' })) as { catalog: Catalog };
    return catalog;
  }

  /** A page of a table's rows as arrays, in the given columns' order (names are quoted here, not trusted). */
  async readRows(
    dbPath: string,
    page: { table: string; columns: string[]; limit: number; offset: number },
  ): Promise<unknown[][]> {
    const { rows } = (await this.read(dbPath, { what: 'preview', ...page })) as { rows: unknown[][] };
    return rows;
  }

  private async read(
    dbPath: string,
    what:
      | { what: 'catalog' }
      | { what: 'preview'; table: string; columns: string[]; limit: number; offset: number },
  ): Promise<ReadResult> {
    const request: Omit<ReadRequest, 'id'> = {
      type: 'read',
      dbPath,
      busyMs: READ_BUSY_MS,
      deadlineMs: READ_TIMEOUT_MS + WATCHDOG_GRACE_MS,
      ...what,
    };
    const { result } = await this.pool.submit<ReadResult>(request, {
      limits: { timeoutMs: READ_TIMEOUT_MS },
      affinity: dbPath,
    });
    return result;
  }

  /**
   * Closes every child's handle on this database (its session ended): an open handle would keep a deleted file's
   * space in use until the handle's LRU turn came. A child running a statement closes it right after.
   */
  forget(dbPath: string): void {
    this.pool.broadcast({ type: 'forget', dbPath }, dbPath);
  }

  /** Starts every child now and resolves when all are ready (server start-up, benchmarks, tests). */
  warm(): Promise<void> {
    return this.pool.warm();
  }

  stats(): SandboxStats {
    const { overruns: _overruns, ...stats } = this.pool.stats();
    return stats;
  }

  /** Kills every child; queued and running requests fail with query_cancelled. Idempotent. */
  close(): Promise<void> {
    return this.pool.close();
  }

  private submit(
    dbPath: string,
    sql: string,
    options: RunOptions,
    checkOnly: boolean,
  ): Promise<{ result: RunResult; elapsed_ms: number }> {
    // Static rules in the parent: an obviously unsafe statement never occupies a child.
    let checked: string;
    try {
      checked = checkSql(sql).sql;
    } catch (error) {
      return Promise.reject(error);
    }
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs;
    const request: Omit<RunRequest, 'id'> = {
      type: 'run',
      dbPath,
      sql: checked,
      maxRows: Math.max(0, options.maxRows ?? this.options.maxRows),
      params: options.params ?? [],
      deadlineMs: timeoutMs + WATCHDOG_GRACE_MS,
      checkOnly,
    };
    return this.pool.submit<RunResult>(request, {
      limits: { timeoutMs },
      signal: options.signal,
      affinity: dbPath,
    });
  }
}
