/**
 * A sandbox child: runs one guarded statement at a time on read-only handles and sends back JSON-safe rows.
 * The parent enforces the time limit by SIGKILL — the only way to stop a statement inside better-sqlite3's
 * sqlite3_step (ARCHITECTURE.md, known pitfalls). This file is forked by pool.ts, never imported.
 *
 * A watchdog thread guards the case where the parent cannot: if the parent dies (it can no longer kill us) or a
 * statement overruns its deadline by a grace period, the thread SIGKILLs this process. It works while the main
 * thread is stuck in native code because it is its own thread; it is plain JS so it needs no loader.
 */
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import { AppError, isAppError } from '../../errors.js';
import { columnNames, prepareGuarded, sqliteMessage } from '../sql-guard.js';
import { DbCache } from './db-cache.js';
import type { ChildMessage, ChildOptions, ParentMessage, RunRequest, RunResult } from './protocol.js';
import { toJsonSafe, valueBytes } from './values.js';

const options: ChildOptions = { maxOpenDbs: 16, maxResultBytes: 64 * 1024 * 1024, ...parseOptions() };
const cache = new DbCache(options.maxOpenDbs);

function parseOptions(): Partial<ChildOptions> {
  try {
    return JSON.parse(process.argv[2] ?? '{}') as Partial<ChildOptions>;
  } catch {
    return {};
  }
}

// Epoch ms after which the watchdog kills this process; 0 = idle.
const deadline = new BigInt64Array(new SharedArrayBuffer(8));
const WATCHDOG = `
const { workerData } = require('node:worker_threads');
const deadline = new BigInt64Array(workerData.buffer);
setInterval(() => {
  const due = Atomics.load(deadline, 0);
  let orphan = false;
  try { process.kill(workerData.ppid, 0); } catch { orphan = true; }
  if (orphan || (due > 0n && BigInt(Date.now()) > due)) process.kill(process.pid, 'SIGKILL');
}, 250);
`;
new Worker(WATCHDOG, {
  eval: true,
  execArgv: [],
  workerData: { buffer: deadline.buffer, ppid: process.ppid },
}).unref();

function send(message: ChildMessage): void {
  process.send?.(message);
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
    throw new AppError('sql_error', { detail: sqliteMessage(error, hide) });
  }
  return { ...base, rows, row_count: rows.length, truncated };
}

process.on('message', (request: ParentMessage) => {
  if (request?.type === 'forget') return cache.forget(request.dbPath);
  if (request?.type !== 'run') return;
  Atomics.store(deadline, 0, BigInt(Date.now() + request.deadlineMs));
  try {
    send({ type: 'result', id: request.id, result: run(request) });
  } catch (error) {
    const failure = isAppError(error)
      ? error
      : new AppError('sql_error', {
          detail: sqliteMessage(error, [request.dbPath, dirname(request.dbPath)]),
        });
    send({ type: 'error', id: request.id, code: failure.code, params: failure.params });
  } finally {
    Atomics.store(deadline, 0, 0n);
  }
});

// The parent closed the channel (close(), or it exited): nothing more will come.
process.on('disconnect', () => {
  cache.closeAll();
  process.exit(0);
});

send({ type: 'ready', pid: process.pid });
