/**
 * SessionTables: a session's tables — upload, list, preview, drop — keeping the session document in step (its
 * `tables` list, which bumps `version`, and its size). The import itself is data/'s job; this class decides where
 * files go, what the quota is, and what the session looks like afterwards. Used by the HTTP routes and the CLI.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import {
  type Catalog,
  dropTable,
  type ImportResult,
  INTERNAL_PREFIX,
  importFile,
  type Preview,
  previewRows,
  readCatalog,
} from './data/index.js';
import { AppError } from './errors.js';
import type { SessionManager } from './sessions/manager.js';
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

export class SessionTables {
  constructor(private readonly sessions: SessionManager) {}

  private dbPath(doc: SessionDoc): string {
    return this.sessions.paths.dbPath(doc.session_id);
  }

  async upload(doc: SessionDoc, input: UploadInput): Promise<UploadOutcome> {
    const { paths } = this.sessions;
    const id = doc.session_id;
    const dbPath = this.dbPath(doc);
    const tempDir = paths.subdir(id, 'temp');
    let result: ImportResult;
    try {
      result = await importFile({
        dbPath,
        tempDir,
        source: input.source,
        fileName: input.fileName,
        ...(input.tableName ? { tableName: input.tableName } : {}),
        ...(input.sheets ? { sheets: input.sheets } : {}),
        ...(input.signal ? { signal: input.signal } : {}),
        // Read by the importer once it holds the database's import lock, so a concurrent upload's bytes count.
        quota: {
          limitBytes: this.sessions.options.maxSessionSizeBytes,
          usedBytes: () => paths.measureSync(id),
        },
        keepOriginal: { path: paths.safeJoin(id, 'uploads', storedName(input.fileName)) },
      });
    } finally {
      // Success or failure, the document's size must stay true (a failure frees what it used).
      await this.sessions.refreshSize(id).catch(() => undefined);
    }
    const session = await this.syncTables(id);
    return { ...result, session };
  }

  /** The catalog of the session's own tables (internal tables hidden). */
  list(doc: SessionDoc): Catalog {
    const dbPath = this.dbPath(doc);
    if (!existsSync(dbPath)) return [];
    return readCatalog(dbPath).filter((table) => !table.name.startsWith(INTERNAL_PREFIX));
  }

  preview(doc: SessionDoc, name: string, options: { limit?: number; offset?: number }): Preview {
    if (name.startsWith(INTERNAL_PREFIX)) throw new AppError('not_found', { what: `table ${name}` });
    return previewRows(this.dbPath(doc), name, options);
  }

  async drop(doc: SessionDoc, name: string): Promise<SessionDoc> {
    if (!(await dropTable(this.dbPath(doc), name)))
      throw new AppError('not_found', { what: `table ${name}` });
    await this.sessions.refreshSize(doc.session_id);
    return this.syncTables(doc.session_id);
  }

  /**
   * Writes the table list into the session document (a change bumps `version`, invalidating cached agents), and
   * drops names of tables that no longer exist from an explicit include list.
   */
  private async syncTables(id: string): Promise<SessionDoc> {
    const doc = await this.sessions.get(id);
    const names = this.list(doc)
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
