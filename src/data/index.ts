/**
 * data/ — uploads become typed tables in the session's SQLite file (issue 3; docs/data-import.md).
 *
 * Public API (everything else in this folder is internal):
 *
 *   ImportPool (import-pool.ts)                         where the API runs imports, drops and recoveries: child
 *                                                       processes with memory, CPU and time limits (issue 12)
 *   spoolUpload (spool.ts)                              the API's side of an upload: bytes → temp/, bounded
 *
 * What the pool's children call (and tests, which exercise the pipeline in-process):
 *
 *   importFile(options: ImportOptions): Promise<ImportResult>
 *     Streams `options.source` (CSV/TSV/JSON/NDJSON/XLSX, optionally .gz) into new table(s) of `options.dbPath`,
 *     with the catalog entry, in one transaction. Throws AppError:
 *       bad_input (400)              bad table name, upload interrupted (signal)
 *       quota_exceeded (413)         the session's limit was crossed while streaming, or a compression bomb
 *       unsupported_media_type (415) binary data, old .xls
 *       unprocessable_file (422)     empty, header only, malformed, too many columns, field/line too long, bad encoding,
 *                                    nesting too deep, a workbook beyond Excel's bounds
 *     On any failure the database and the session's files are exactly as before.
 *     Only one import/drop per db.db runs at a time in this process (others wait); other processes wait on SQLite.
 *
 *   readCatalog(dbPath): Catalog                       the session's tables, columns, types and stats
 *   dropTable(dbPath, name, uploadsDir?): Promise<boolean>   table + catalog entry (+ its kept original, if no
 *                                                      other table came from it); false when there is no such table
 *   readPage(db, table, columns, {limit, offset})      a page of rows as arrays
 *   cleanLeftovers(dbPath, tempDir, spoolGraceMs?)    what a killed import left: hot journal, stray tables, files
 *
 * Engines must hide tables whose name starts with `_agentgraph_` (INTERNAL_PREFIX): that is where the catalog lives.
 */
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { deleteCatalogEntry, readCatalogFrom } from './catalog.js';
import type { Catalog } from './catalog-types.js';
import { openDb, withDbLock } from './db.js';
import { type ImportOptions, type ImportResult, runImport, SPILL_PREFIX } from './importer.js';
import { INTERNAL_PREFIX, quoteIdent } from './naming.js';
import { SPOOL_PREFIX } from './spool.js';

export { CATALOG_TABLE } from './catalog.js';
export type { Catalog, ColumnCatalog, ColumnType, TableCatalog, TopValue } from './catalog-types.js';
export { isWriting } from './db.js';
export type { ImportedTable, ImportOptions, ImportResult } from './importer.js';
export { INTERNAL_PREFIX } from './naming.js';

export function importFile(options: ImportOptions): Promise<ImportResult> {
  return withDbLock(options.dbPath, () => {
    // Under the lock: a spill file in temp/ now can only be a killed import's, never a running one's.
    cleanLeftovers(options.dbPath, options.tempDir);
    return runImport(options);
  });
}

function exists(dbPath: string): boolean {
  try {
    return fs.statSync(dbPath).isFile();
  } catch {
    return false;
  }
}

export function readCatalog(dbPath: string): Catalog {
  if (!exists(dbPath)) return [];
  const db = openDb(dbPath, { readonly: true });
  try {
    return readCatalogFrom(db);
  } finally {
    db.close();
  }
}

export function dropTable(dbPath: string, name: string, uploadsDir?: string): Promise<boolean> {
  return withDbLock(dbPath, async () => {
    if (!exists(dbPath) || name.startsWith(INTERNAL_PREFIX) || name.toLowerCase().startsWith('sqlite_'))
      return false;
    const db = openDb(dbPath);
    try {
      const catalog = readCatalogFrom(db);
      const table = catalog.find((t) => t.name === name);
      if (!table) return false;
      db.transaction(() => {
        db.exec(`DROP TABLE IF EXISTS ${quoteIdent(name)}`);
        deleteCatalogEntry(db, name);
      })();
      // The kept original goes with the last table made from it: otherwise deleting tables could never bring a
      // session back under its quota.
      const source = table.source_file;
      if (uploadsDir && source && !catalog.some((t) => t !== table && t.source_file === source)) {
        fs.rmSync(path.join(uploadsDir, path.basename(source)), { force: true });
      }
      // Give the pages back so the session's size (and quota) goes down.
      if ((db.pragma('auto_vacuum', { simple: true }) as number) !== 0) db.pragma('incremental_vacuum');
      else db.exec('VACUUM');
      return true;
    } finally {
      db.close();
    }
  });
}

/** Rows of `table` in the order of `columns`, as arrays (names are quoted here, never trusted). */
export function readPage(
  db: Database.Database,
  table: string,
  columns: string[],
  page: { limit: number; offset: number },
): unknown[][] {
  const statement = db.prepare(
    `SELECT ${columns.map(quoteIdent).join(', ')} FROM ${quoteIdent(table)} LIMIT ? OFFSET ?`,
  );
  return statement.raw(true).all(page.limit, page.offset) as unknown[][];
}

/**
 * Removes what a killed import may have left: its spill files in temp/, (defensively) any in-flight table, and —
 * when `spoolGraceMs` is given — spooled uploads older than that (younger ones may be uploads still arriving or
 * waiting for this lock, in this process or another). Opening the database with a writer also rolls back a hot
 * journal, which is what undoes a killed transaction.
 */
export function cleanLeftovers(
  dbPath: string,
  tempDir: string,
  spoolGraceMs?: number,
): { tables: string[]; files: string[] } {
  const files: string[] = [];
  const now = Date.now();
  try {
    for (const f of fs.readdirSync(tempDir)) {
      const file = path.join(tempDir, f);
      const stale =
        f.startsWith(SPILL_PREFIX) ||
        (spoolGraceMs !== undefined && f.startsWith(SPOOL_PREFIX) && now - mtimeMs(file) >= spoolGraceMs);
      if (stale) {
        fs.rmSync(file, { force: true, recursive: true });
        files.push(f);
      }
    }
  } catch {
    // No temp dir: nothing to clean.
  }
  const tables: string[] = [];
  if (exists(dbPath)) {
    const db = openDb(dbPath);
    try {
      const stray = db
        .prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE ? ESCAPE '\\'`)
        .pluck()
        .all(`${INTERNAL_PREFIX.replace(/_/g, '\\_')}import\\_%`) as string[];
      for (const t of stray) {
        db.exec(`DROP TABLE ${quoteIdent(t)}`);
        tables.push(t);
      }
      // Reading the schema above already replayed any hot journal.
    } finally {
      db.close();
    }
  }
  return { tables, files };
}

function mtimeMs(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return Date.now();
  }
}
