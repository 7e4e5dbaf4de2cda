/**
 * Opening a session's db.db for the data layer, and the per-database write lock.
 *
 * Rollback journal (not WAL): per-session files are small and many, and WAL costs three descriptors and a slower
 * open per connection (ARCHITECTURE.md, known pitfalls). A killed import leaves a hot journal that SQLite rolls
 * back the next time anyone opens the file — that, not our code, is what makes a kill mid-import harmless.
 */
import Database from 'better-sqlite3';

export const BUSY_TIMEOUT_MS = 5000;
/**
 * Page size of a new session database (SQLite's default is 4 KB). Imported tables are bulk-appended and then
 * scanned whole by analytical queries: with 16 KB pages the INSERTs of the ingest benchmark cost ~10 % less
 * (docs/benchmarks-ingest.md).
 */
export const PAGE_SIZE = 16_384;

export function openDb(dbPath: string, options: { readonly?: boolean } = {}): Database.Database {
  const db = new Database(dbPath, {
    readonly: options.readonly ?? false,
    fileMustExist: options.readonly ?? false,
  });
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  return db;
}

const locks = new Map<string, Promise<unknown>>();

/** Whether a write (import, drop, recovery) of this process holds or waits for `dbPath`'s lock. */
export function isWriting(dbPath: string): boolean {
  return locks.has(dbPath);
}

/**
 * Runs `fn` when no other writer of this process holds `dbPath` (imports and drops are serialised per session).
 * Writers in other processes are kept apart by SQLite's own locking plus busy_timeout.
 */
export async function withDbLock<T>(dbPath: string, fn: () => Promise<T>): Promise<T> {
  const previous = locks.get(dbPath) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((resolve) => {
    release = resolve;
  });
  const chained = previous.then(() => mine);
  locks.set(dbPath, chained);
  try {
    await previous.catch(() => undefined);
    return await fn();
  } finally {
    release();
    if (locks.get(dbPath) === chained) locks.delete(dbPath);
  }
}
