/**
 * Messages between QuerySandbox (parent) and a sandbox child over the IPC channel ('advanced' serialization, so
 * BigInt and Buffer parameters survive the trip). One request at a time per child.
 */
import type { ErrorCode } from '../../errors.js';

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

/** Close the handle on this database if open (its session ended). */
export interface ForgetRequest {
  type: 'forget';
  dbPath: string;
}

export type ParentMessage = RunRequest | ForgetRequest;

export interface RunResult {
  columns: string[];
  rows: unknown[][];
  row_count: number;
  truncated: boolean;
  sql: string;
  rewrites: string[];
}

export type ChildMessage =
  | { type: 'ready'; pid: number }
  | { type: 'result'; id: number; result: RunResult }
  | { type: 'error'; id: number; code: ErrorCode; params: Record<string, string | number> };

export interface ChildOptions {
  maxOpenDbs: number;
  maxResultBytes: number;
}
