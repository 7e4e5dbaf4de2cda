/**
 * The child's LRU of open read-only handles. A handle is keyed by path and validated against the file's identity
 * (inode, size, mtime in ns) on every use: SQLite already sees changes other connections commit, but an import that
 * replaces db.db (new inode) would leave an old handle reading the unlinked file, and the column list used by the
 * double-quote repair must be refreshed after an upload anyway. A stat costs a few µs; an open ~65 µs.
 */
import { existsSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { AppError } from '../../errors.js';

export interface OpenDb {
  db: Database.Database;
  fingerprint: string;
  /** Lazily computed, for the double-quote repair. */
  columns?: Set<string>;
}

function fingerprint(path: string): string | null {
  try {
    const s = statSync(path, { bigint: true });
    return `${s.ino}:${s.size}:${s.mtimeNs}`;
  } catch {
    return null;
  }
}

export function openReadOnly(path: string): Database.Database {
  // readonly: SQLite opens the file O_RDONLY, so nothing can write it whatever the statement; query_only also
  // refuses writes to the temp schema, which a read-only main database still allows.
  const db = new Database(path, { readonly: true, fileMustExist: true, timeout: 2000 });
  db.pragma('query_only = ON');
  return db;
}

/** SQLite's "another connection holds the lock" results (SQLITE_BUSY and its extended codes). */
export function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/**
 * Rolls back a hot journal — what an import killed mid-transaction leaves (kill -9 of its process, or of the whole
 * server) — which a read-only handle cannot do (SQLITE_READONLY_ROLLBACK, every read failing until someone writes).
 * Opening with write access and reading the schema is what makes SQLite replay it. If the journal belongs to an
 * import still running, it is not hot and nothing is rolled back: SQLite's locks decide, not the file's presence.
 * No visitor SQL ever runs on this handle.
 */
function recoverJournal(path: string, busyMs: number): void {
  if (!existsSync(`${path}-journal`)) return;
  let db: Database.Database | null = null;
  try {
    db = new Database(path, { fileMustExist: true, timeout: busyMs });
    db.prepare('SELECT count(*) FROM sqlite_schema').pluck().get();
  } catch (error) {
    if (isBusy(error)) throw new AppError('session_busy');
    throw new AppError('not_found', { what: 'the session database' });
  } finally {
    db?.close();
  }
}

export class DbCache {
  private readonly open = new Map<string, OpenDb>();

  constructor(private readonly max: number) {}

  /** A read-only handle on `path`, after rolling back what a killed import left (waiting at most `busyMs`). */
  get(path: string, busyMs = 2000): OpenDb {
    recoverJournal(path, busyMs);
    const print = fingerprint(path);
    if (print === null) throw new AppError('not_found', { what: 'the session database' });
    const found = this.open.get(path);
    if (found) {
      this.open.delete(path);
      if (found.fingerprint === print) {
        this.open.set(path, found);
        return found;
      }
      found.db.close();
    }
    let db: Database.Database;
    try {
      db = openReadOnly(path);
    } catch {
      throw new AppError('not_found', { what: 'the session database' });
    }
    const entry: OpenDb = { db, fingerprint: print };
    this.open.set(path, entry);
    while (this.open.size > this.max) {
      const [oldestPath, oldest] = this.open.entries().next().value as [string, OpenDb];
      this.open.delete(oldestPath);
      oldest.db.close();
    }
    return entry;
  }

  forget(path: string): void {
    const entry = this.open.get(path);
    if (!entry) return;
    this.open.delete(path);
    entry.db.close();
  }

  get size(): number {
    return this.open.size;
  }

  closeAll(): void {
    for (const entry of this.open.values()) entry.db.close();
    this.open.clear();
  }
}
