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
  /**
   * The upload is still arriving (issue 14): read `sourcePath` as it grows, up to what FollowNotices announce, so
   * the import runs while the socket is read. `sourceBytes` is then what was spooled when the request was sent.
   */
  follow?: boolean;
}

/** To the child running a following import: the spooled file now holds `bytes` bytes (all of it when complete). */
export interface FollowNotice {
  type: 'grown';
  job: number;
  bytes: number;
  complete: boolean;
}

/**
 * To the child running a following import: stop waiting for the upload, roll back and answer `{ abandoned: true }`
 * (the API imports the file once it is complete, as any other).
 */
export interface AbandonNotice {
  type: 'abandon';
  job: number;
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
/** A following import's answer: the import, or abandoned (nothing changed) when told to stop following. */
export type FollowAnswer = ImportAnswer | { abandoned: true };
export interface DropAnswer {
  dropped: boolean;
  all: Catalog;
}
export interface RecoverAnswer {
  tables: string[];
  files: string[];
  all: Catalog;
}
