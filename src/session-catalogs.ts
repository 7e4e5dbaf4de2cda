/**
 * SessionCatalogs: each session database's catalog as last committed, served without a synchronous SQLite read in
 * this process (issue 12: such a read waited up to 5 s on an import's lock, and every session's requests with it).
 *
 * A catalog is kept per database file with the file's stamp (inode, size, mtime in ns). A write this process commits
 * (an import, a drop: SessionTables) hands its new catalog over at once; otherwise a changed stamp means another
 * process wrote, and the catalog is read again — through the query sandbox's children, so a lock can only make that
 * read wait in a child, never here. While an import of this process is in flight its uncommitted pages move the
 * stamp: the kept catalog is still the committed one, so it is served as is. If a read finds the lock held
 * (session_busy) the kept catalog answers; with none kept, the caller gets 409 session_busy.
 */
import { statSync } from 'node:fs';
import type { Catalog } from './data/catalog-types.js';
import { isWriting } from './data/index.js';
import { isAppError } from './errors.js';

export interface CatalogReader {
  readCatalog(dbPath: string): Promise<Catalog>;
}

interface Entry {
  stamp: string;
  catalog: Catalog;
}

function fileStamp(dbPath: string): string | null {
  try {
    const s = statSync(dbPath, { bigint: true });
    return `${s.ino}:${s.size}:${s.mtimeNs}`;
  } catch {
    return null;
  }
}

export class SessionCatalogs {
  /** Least recently used first. */
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly reader: CatalogReader,
    private readonly max = 1024,
  ) {}

  async get(dbPath: string): Promise<Catalog> {
    const stamp = fileStamp(dbPath);
    if (stamp === null) return [];
    const kept = this.entries.get(dbPath);
    if (kept && (kept.stamp === stamp || isWriting(dbPath))) {
      this.remember(dbPath, kept);
      return kept.catalog;
    }
    try {
      const catalog = await this.reader.readCatalog(dbPath);
      // The stamp from before the read: a commit during it makes the next get() read again.
      this.remember(dbPath, { stamp, catalog });
      return catalog;
    } catch (error) {
      if (kept && isAppError(error) && error.code === 'session_busy') return kept.catalog;
      throw error;
    }
  }

  /** The catalog a write of this process just committed. */
  set(dbPath: string, catalog: Catalog): void {
    this.remember(dbPath, { stamp: fileStamp(dbPath) ?? 'missing', catalog });
  }

  forget(dbPath: string): void {
    this.entries.delete(dbPath);
  }

  get size(): number {
    return this.entries.size;
  }

  private remember(dbPath: string, entry: Entry): void {
    this.entries.delete(dbPath);
    this.entries.set(dbPath, entry);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }
}
