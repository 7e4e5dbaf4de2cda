/** Contracts between the LLM SQL agent and its caller (the graph), which supplies the tools over the real sandbox. */
import type { TableCatalog } from '../../data/catalog-types.js';
import type { Lang } from '../../errors.js';
import type { ChatModel, ChatUsage } from '../models/types.js';

export interface ToolError {
  error: string;
}

export interface TableSummary {
  name: string;
  label: string;
  rows: number;
  columns: number;
}

export interface TableDescription {
  /** The catalog entry: columns with types, labels and stats. */
  table: TableCatalog;
  /** A few rows (the agent shows the model at most 5, whatever it gets). */
  sample_rows: unknown[][];
}

export interface SqlPreview {
  columns: string[];
  /** The first rows (the agent shows the model at most 5, whatever it gets). */
  rows: unknown[][];
  row_count: number;
  truncated: boolean;
}

export type CheckResult = { ok: true } | { ok: false; error: string };

export interface ToolCallContext {
  signal?: AbortSignal | undefined;
}

/**
 * What the model may do, implemented by the caller over the session's sandbox. Errors may be returned
 * (`{error}` / `{ok:false}`) or thrown (e.g. AppError unsafe_sql, sql_error, query_timeout): either way the message
 * goes back to the model so it can correct itself. Only the caller's abort ends the loop.
 */
export interface SqlTools {
  listTables(context?: ToolCallContext): Promise<TableSummary[]>;
  describeTable(name: string, context?: ToolCallContext): Promise<TableDescription | ToolError>;
  checkSql(sql: string, context?: ToolCallContext): Promise<CheckResult>;
  runSql(sql: string, context?: ToolCallContext): Promise<SqlPreview | ToolError>;
}

export interface HistoryEntry {
  question: string;
  sql: string | null;
}

export type AgentStep =
  /** One model call: its text (shortened) and the tools it asked for. */
  | { kind: 'model'; step: number; text: string; tool_calls: string[]; usage?: ChatUsage }
  /** One tool execution; `summary` is what the model was told, shortened. */
  | { kind: 'tool'; step: number; tool: string; input: Record<string, unknown>; ok: boolean; summary: string }
  /** The agent sent the model back to work (its final SQL failed the check, or it forgot the SQL block). */
  | { kind: 'retry'; step: number; reason: string };

export type SqlDialect = 'sqlite' | 'postgresql' | 'mysql';

export interface SqlAgentOptions {
  model: ChatModel;
  question: string;
  lang: Lang;
  /** The tables the model may use (already filtered by include_tables_key). */
  catalog: TableCatalog[];
  /** Earlier questions of this session, oldest first (the last few are shown, for follow-ups). */
  history?: HistoryEntry[];
  tools: SqlTools;
  /** The SQL the tools run: the session's SQLite (default), or a connected database's (issue 15). */
  dialect?: SqlDialect;
  /** Model calls at most (default 8). */
  maxSteps?: number;
  signal?: AbortSignal;
  /** Progress hook (SSE): called once per step as it happens. */
  onStep?: (step: AgentStep) => void;
}

export interface SqlAgentResult {
  /** The final SQL (checked), or null when the model refused, gave up, or ran out of steps. */
  sql: string | null;
  /** The model's short answer (its final text without the SQL block), when it gave one. */
  answer?: string;
  steps: AgentStep[];
  /** Why there is no SQL: the model's own words, or ours when it ran out of steps. */
  refused?: string;
}

export interface RefineAnswerOptions {
  model: ChatModel;
  question: string;
  lang: Lang;
  sql: string;
  columns: string[];
  /** The first rows of the result (at most 20 are shown to the model). */
  rows: unknown[][];
  row_count: number;
  truncated?: boolean;
  signal?: AbortSignal;
}
