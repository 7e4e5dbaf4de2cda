/**
 * QueryQueue: how questions wait and run. Embedded mode runs them in-process (InlineQueue); scaled mode as BullMQ
 * jobs on worker processes (issue 6). Both are fair between sessions: one session's burst cannot starve others.
 */
import type { QueryEvent, QueryJob, QueryResult } from '../engine/types.js';

/** Questions one session may have waiting, in either queue; beyond it a client is flooding, not asking. */
export const MAX_PENDING_PER_SESSION = 20;

/**
 * Questions one session may have running at once: half the slots, rounded up (issue 12: one session's 30 slow
 * questions held all 4 slots and another session's simple question waited 11.7 s). Half, not one, so a visitor
 * alone on the server still gets parallelism; rounded up, so WORKER_CONCURRENCY=1 still runs something.
 * In scaled mode it holds across all workers together (a count in Redis, see keys.ts).
 */
export function slotsPerSession(concurrency: number): number {
  return Math.ceil(concurrency / 2);
}

export type CancelOutcome = 'cancelled' | 'stopping' | 'finished' | 'not_found';

export interface QueueStats {
  kind: 'inline' | 'bullmq';
  concurrency: number;
  /** Questions one session may run at once (slotsPerSession). */
  running_per_session: number;
  running: number;
  queued: number;
  sessions_waiting: number;
  /** Finished results this process keeps in memory for polling/SSE, and their bytes (0 for BullMQ's API side). */
  retained_results: number;
  retained_bytes: number;
  completed: number;
  failed: number;
  cancelled: number;
}

export interface QueryQueue {
  /** Accepts the job (it runs later); throws too_many_queries when the session has too many waiting. */
  submit(job: QueryJob): Promise<void>;
  /** The result so far (queued/running) or the final one; null when this session has no such query. */
  get(sessionId: string, queryId: string): Promise<QueryResult | null>;
  /** Resolves with the final result (done, failed or cancelled). */
  wait(sessionId: string, queryId: string, signal?: AbortSignal): Promise<QueryResult>;
  /**
   * Progress events of a query: those already emitted first (so a late subscriber misses nothing), then live ones,
   * ending with `done`. Returns an unsubscribe function.
   */
  subscribe(sessionId: string, queryId: string, listener: (event: QueryEvent) => void): Promise<() => void>;
  cancel(sessionId: string, queryId: string): Promise<CancelOutcome>;
  stats(): QueueStats;
  close(): Promise<void>;
}
