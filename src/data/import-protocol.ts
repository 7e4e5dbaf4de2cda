/**
 * Requests from the ImportPool (API process) to an import child (import-child.ts). Answers follow the generic pool
 * protocol of process-pool.ts. Every request names its session's files; the child holds nothing between requests
 * but a warm CSV parse thread.
 */
import type { Catalog } from './catalog-types.js';
import type { ImportResult } from './importer.js';

interface Base {
  id: number;
  dbPath: string;
  tempDir: string;
  /** The child's watchdog kills it this long after receiving the request (the parent should have, earlier). */
  deadlineMs: number;
}

/** Import the spooled upload at `sourcePath` (its bytes already counted in the session's size). */
export interface ImportRequest extends Base {
  type: 'import';
  sourcePath: string;
  sourceBytes: number;
  /** Where the original goes after COMMIT (uploads/<name>), if the quota allows keeping it. */
  keepAs: string;
  fileName: string;
  tableName?: string;
  sheets?: 'first' | 'all';
  limitBytes: number;
  /** The session's size without the spooled upload. */
  usedBytes: number;
}

export interface DropRequest extends Base {
  type: 'drop';
  uploadsDir: string;
  name: string;
}

/** Roll back a killed import and remove what it left (spooled uploads only when older than the grace). */
export interface RecoverRequest extends Base {
  type: 'recover';
  spoolGraceMs?: number;
}

export type ImportChildRequest = ImportRequest | DropRequest | RecoverRequest;

/** Every answer carries the catalog as committed, so the API never reads it itself. */
export type ImportAnswer = ImportResult & { all: Catalog };
export interface DropAnswer {
  dropped: boolean;
  all: Catalog;
}
export interface RecoverAnswer {
  tables: string[];
  files: string[];
  all: Catalog;
}
