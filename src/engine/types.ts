/**
 * The shapes of a question's life: the job that asks it, the progress events while it runs, and the result object
 * of ../shared/ARCHITECTURE.md ("Query result"). Shared by engine/, queue/ and http/.
 */
import type { Lang } from '../errors.js';

export type QueryStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface QueryJob {
  query_id: string;
  session_id: string;
  question: string;
  /** A model for this question only; the session's selected_model otherwise. */
  model?: string;
  /** From the request (Accept-Language) when the question alone does not tell. */
  lang?: Lang;
  submitted_at: number;
}

export interface QueryError {
  code: string;
  message: string;
}

export interface QueryResult {
  query_id: string;
  session_id: string;
  status: QueryStatus;
  question: string;
  answer: string | null;
  sql: string | null;
  columns: string[];
  rows: unknown[][];
  row_count: number;
  /** Fewer rows here than the query produced: over MAX_RESULT_ROWS, or cut when kept (stored_truncated). */
  truncated: boolean;
  /**
   * The rows were cut to fit the per-result storage cap (engine/kept-result.ts); row_count still counts the rows
   * the query returned.
   */
  stored_truncated?: boolean;
  /** A Vega-Lite spec, or null when a chart would not help (one value, no rows). */
  chart: Record<string, unknown> | null;
  model: string;
  lang: Lang;
  timings: Record<string, number>;
  created_at: number;
  finished_at: number | null;
  explanation?: string;
  /** What was computed, in one sentence of the question's language (built-in engine): "Counted the rows where …". */
  reading?: string;
  unsupported?: boolean;
  suggestions?: string[];
  error?: QueryError;
}

/** One event per graph step, then the final `done` (also for failures and cancellations). */
export type QueryEvent =
  | { type: 'status'; query_id: string; status: QueryStatus; at: number }
  | {
      type: 'step';
      query_id: string;
      step: string;
      phase: 'start' | 'end';
      at: number;
      ms?: number;
      detail?: string;
    }
  | { type: 'done'; query_id: string; result: QueryResult; at: number };

export type EmitEvent = (event: QueryEvent) => void;

export function pendingResult(job: QueryJob, status: QueryStatus, lang: Lang, model: string): QueryResult {
  return {
    query_id: job.query_id,
    session_id: job.session_id,
    status,
    question: job.question,
    answer: null,
    sql: null,
    columns: [],
    rows: [],
    row_count: 0,
    truncated: false,
    chart: null,
    model,
    lang,
    timings: {},
    created_at: job.submitted_at,
    finished_at: null,
  };
}
