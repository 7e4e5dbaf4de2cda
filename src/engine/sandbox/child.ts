/**
 * A sandbox child: runs one guarded statement (or one internal read) at a time on read-only handles and sends back
 * JSON-safe rows. The parent enforces the time limit by SIGKILL — the only way to stop a statement inside
 * better-sqlite3's sqlite3_step (ARCHITECTURE.md, known pitfalls); the watchdog thread (child-watchdog.ts) covers
 * a parent that died or is late. This file is forked by pool.ts, never imported.
 */
import { dirname } from 'node:path';
import { startWatchdog } from '../../child-watchdog.js';
import { readCatalogFrom } from '../../data/catalog.js';
import { quoteIdent } from '../../data/naming.js';
import { AppError, isAppError } from '../../errors.js';
import { columnNames, prepareGuarded, sqliteMessage } from '../sql-guard.js';
import { DbCache, isBusy } from './db-cache.js';
import type {
  ChildOptions,
  ParentMessage,
  ReadRequest,
  ReadResult,
  RunRequest,
  RunResult,
} from './protocol.js';
import { toJsonSafe, valueBytes } from './values.js';

// The parent always passes both; these only guard a child started by hand.
const options: ChildOptions = { maxOpenDbs: 16, maxResultBytes: 8 * 1024 * 1024, ...parseOptions() };
const cache = new DbCache(options.maxOpenDbs);
const watchdog = startWatchdog();

function parseOptions(): Partial<ChildOptions> {
  try {
    return JSON.parse(process.argv[2] ?? '{}') as Partial<ChildOptions>;
  } catch {
    return {};
  }
}

function run(request: RunRequest): RunResult {
  const entry = cache.get(request.dbPath);
  // SQLite messages can name the file (e.g. "unable to open database file: /…/db.db"); never show where data lives.
  const hide = [request.dbPath, dirname(request.dbPath)];
  const guarded = prepareGuarded(entry.db, request.sql, {
    knownColumns: () => {
      entry.columns ??= columnNames(entry.db);
      return entry.columns;
    },
    hide,
  });
  const { statement } = guarded;
  const columns = statement.columns().map((c) => c.name);
  const base = { columns, sql: guarded.sql, rewrites: guarded.rewrites };
  if (request.checkOnly) return { ...base, rows: [], row_count: 0, truncated: false };

  statement.raw(true);
  // Exact integers: numbers when safe, decimal strings beyond 2^53 (toJsonSafe).
  statement.safeIntegers(true);
  const rows: unknown[][] = [];
  let truncated = false;
  let bytes = 0;
  try {
    // Leaving the loop early (break/throw) resets the statement: SQLite never computes rows beyond maxRows + 1.
    for (const raw of statement.iterate(...request.params) as IterableIterator<unknown[]>) {
      if (rows.length >= request.maxRows) {
        truncated = true;
        break;
      }
      const row = raw.map(toJsonSafe);
      for (const value of row) bytes += valueBytes(value);
      if (bytes > options.maxResultBytes)
        throw new AppError('result_too_large', { limit_mb: Math.round(options.maxResultBytes / 1048576) });
      rows.push(row);
    }
  } catch (error) {
    if (isAppError(error)) throw error;
    if (isBusy(error)) throw new AppError('session_busy');
    throw new AppError('sql_error', { detail: sqliteMessage(error, hide) });
  }
  return { ...base, rows, row_count: rows.length, truncated };
}

function read(request: ReadRequest): ReadResult {
  const { db } = cache.get(request.dbPath, request.busyMs);
  const previous = db.pragma('busy_timeout', { simple: true }) as number;
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(request.busyMs))}`);
  try {
    if (request.what === 'catalog') return { catalog: readCatalogFrom(db) };
    const columns = request.columns.map(quoteIdent).join(', ');
    const statement = db.prepare(`SELECT ${columns} FROM ${quoteIdent(request.table)} LIMIT ? OFFSET ?`);
    statement.raw(true).safeIntegers(true);
    const rows = (statement.all(request.limit, request.offset) as unknown[][]).map((row) =>
      row.map(toJsonSafe),
    );
    return { rows };
  } catch (error) {
    if (isBusy(error)) throw new AppError('session_busy');
    throw error;
  } finally {
    db.pragma(`busy_timeout = ${previous}`);
  }
}

process.on('message', (request: ParentMessage) => {
  if (request?.type === 'forget') return cache.forget(request.dbPath);
  if (request?.type !== 'run' && request?.type !== 'read') return;
  watchdog.arm(request.deadlineMs);
  try {
    const result = request.type === 'run' ? run(request) : read(request);
    process.send?.({ type: 'result', id: request.id, result });
  } catch (error) {
    const failure = isAppError(error)
      ? error
      : new AppError('sql_error', {
          detail: sqliteMessage(error, [request.dbPath, dirname(request.dbPath)]),
        });
    process.send?.({ type: 'error', id: request.id, code: failure.code, params: failure.params });
  } finally {
    watchdog.disarm();
  }
});

// The parent closed the channel (close(), or it exited): nothing more will come.
process.on('disconnect', () => {
  cache.closeAll();
  process.exit(0);
});

process.send?.({ type: 'ready', pid: process.pid });
