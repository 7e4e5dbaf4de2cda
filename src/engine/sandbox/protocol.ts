/**
 * Messages between QuerySandbox (parent) and a sandbox child over the IPC channel ('advanced' serialization, so
 * BigInt and Buffer parameters survive the trip). One request at a time per child; answers follow the generic
 * pool protocol of process-pool.ts.
 */
import type { Catalog } from '../../data/catalog-types.js';

export interface RunRequest {
  type: 'run';
  id: number;
  dbPath: string;
  sql: string;
  maxRows: number;
  params: unknown[];
  /** The child's own watchdog kills the process this long after receiving the request (see child.ts). */
  deadlineMs: number;
  /** Prepare and judge only, do not step (the engine's check_sql tool). */
  checkOnly: boolean;
}

/**
 * Reads the API answers from without running visitor SQL: the catalog, and a page of a table's rows. They run here
 * and not in the API process because a read can wait on another connection's lock (an import committing), and a
 * synchronous wait in the API process would stall every session's requests (issue 12). A lock held longer than
 * `busyMs` answers `session_busy` instead of waiting.
 */
export type ReadRequest = { type: 'read'; id: number; dbPath: string; busyMs: number; deadlineMs: number } & (
  | { what: 'catalog' }
  | { what: 'preview'; table: string; columns: string[]; limit: number; offset: number }
);

/** Close the handle on this database if open (its session ended). */
export interface ForgetRequest {
  type: 'forget';
  dbPath: string;
}

export type ParentMessage = RunRequest | ReadRequest | ForgetRequest;

export interface RunResult {
  columns: string[];
  rows: unknown[][];
  row_count: number;
  truncated: boolean;
  sql: string;
  rewrites: string[];
}

export type ReadResult = { catalog: Catalog } | { rows: unknown[][] };

export interface ChildOptions {
  maxOpenDbs: number;
  maxResultBytes: number;
}
