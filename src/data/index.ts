/**
 * data/ — uploads become typed tables in the session's SQLite file (issue 3; docs/data-import.md).
 *
 * Public API (everything else in this folder is internal):
 *
 *   importFile(options: ImportOptions): Promise<ImportResult>
 *     The one entry point for uploads. Streams `options.source` (CSV/TSV/JSON/NDJSON/XLSX, optionally .gz) into
 *     new table(s) of `options.dbPath`, with the catalog entry, in one transaction. Throws AppError:
 *       bad_input (400)              bad table name, upload interrupted (signal)
 *       quota_exceeded (413)         the session's limit was crossed while streaming
 *       unsupported_media_type (415) binary data, old .xls
 *       unprocessable_file (422)     empty, header only, malformed, too many columns, field/line too long, bad encoding
 *     On any failure the database and the session's files are exactly as before.
 *     Only one import/drop per db.db runs at a time in this process (others wait); other processes wait on SQLite.
 *
 *   readCatalog(dbPath): Catalog                       the session's tables, columns, types and stats
 *   dropTable(dbPath, name): Promise<boolean>          table + catalog entry; false when there is no such table
 *   previewRows(dbPath, name, {limit, offset}): {columns, rows}   rows as arrays; 404 not_found for unknown tables
 *   cleanLeftovers(dbPath, tempDir): {tables, files}   on session open: remove what a killed import left
 *   prewarmImports(): Promise<void>                   keep a CSV parse thread ready (serve does, from start-up)
 *
 * Engines must hide tables whose name starts with `_agentgraph_` (INTERNAL_PREFIX): that is where the catalog lives.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors.js';
import { deleteCatalogEntry, readCatalogFrom } from './catalog.js';
import type { Catalog, ColumnType } from './catalog-types.js';
import { csvWorkers } from './csv-worker-pool.js';
import { openDb, withDbLock } from './db.js';
import { type ImportOptions, type ImportResult, runImport, SPILL_PREFIX } from './importer.js';
import { INTERNAL_PREFIX, quoteIdent } from './naming.js';

export { CATALOG_TABLE } from './catalog.js';
export type { Catalog, ColumnCatalog, ColumnType, TableCatalog, TopValue } from './catalog-types.js';
export type { ImportedTable, ImportOptions, ImportResult } from './importer.js';
export { INTERNAL_PREFIX } from './naming.js';

export function importFile(options: ImportOptions): Promise<ImportResult> {
  return withDbLock(options.dbPath, () => {
    // Under the lock: what is in temp/ now can only be a killed import's, never a running one's spill files.
    cleanLeftovers(options.dbPath, options.tempDir);
    return runImport(options);
  });
}

/**
 * Starts the parse thread of CSV imports ahead of the first upload, so that upload does not wait ~0.1 s for a thread
 * to start, and keeps one ready from then on (the thread of a failed import is replaced at once). Resolves when it
 * is ready.
 */
export function prewarmImports(): Promise<void> {
  return csvWorkers.warm();
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

export function dropTable(dbPath: string, name: string): Promise<boolean> {
  return withDbLock(dbPath, async () => {
    if (!exists(dbPath) || name.startsWith(INTERNAL_PREFIX) || name.toLowerCase().startsWith('sqlite_'))
      return false;
    const db = openDb(dbPath);
    try {
      const known = readCatalogFrom(db).some((t) => t.name === name);
      if (!known) return false;
      db.transaction(() => {
        db.exec(`DROP TABLE IF EXISTS ${quoteIdent(name)}`);
        deleteCatalogEntry(db, name);
      })();
      // Give the pages back so the session's size (and quota) goes down.
      if ((db.pragma('auto_vacuum', { simple: true }) as number) !== 0) db.pragma('incremental_vacuum');
      else db.exec('VACUUM');
      return true;
    } finally {
      db.close();
    }
  });
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

export function previewRows(
  dbPath: string,
  name: string,
  opts: { limit?: number; offset?: number } = {},
): Preview {
  const table = readCatalog(dbPath).find((t) => t.name === name);
  if (!table) throw new AppError('not_found', { what: `table ${name}` });
  const limit = Math.max(0, Math.min(PREVIEW_MAX_LIMIT, Math.floor(opts.limit ?? 50)));
  const offset = Math.max(0, Math.floor(opts.offset ?? 0));
  const db = openDb(dbPath, { readonly: true });
  try {
    const cols = table.columns.map((c) => quoteIdent(c.name)).join(', ');
    const rows = db
      .prepare(`SELECT ${cols} FROM ${quoteIdent(name)} LIMIT ? OFFSET ?`)
      .raw()
      .all(limit, offset) as unknown[][];
    return {
      columns: table.columns.map((c) => ({ name: c.name, label: c.label, type: c.type })),
      rows,
      total: table.rows,
      limit,
      offset,
    };
  } finally {
    db.close();
  }
}

/**
 * Removes what a killed import may have left: its spill files in temp/ and (defensively) any in-flight table.
 * Opening the database with a writer also rolls back a hot journal, which is what undoes a killed transaction.
 */
export function cleanLeftovers(dbPath: string, tempDir: string): { tables: string[]; files: string[] } {
  const files: string[] = [];
  try {
    for (const f of fs.readdirSync(tempDir)) {
      if (f.startsWith(SPILL_PREFIX)) {
        fs.rmSync(path.join(tempDir, f), { force: true, recursive: true });
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
