/**
 * The four tools the model may call: their JSON-schema specs, and their execution with every output cut down to
 * what the model may see (≤ 5 rows, short cells, bounded text) whatever the caller's implementation returns.
 */
import type { Catalog, TableCatalog } from '../../data/catalog-types.js';
import { isAppError } from '../../errors.js';
import { cancelledError } from '../models/http.js';
import type { ToolCall, ToolSpec } from '../models/types.js';
import type {
  CheckResult,
  SqlPreview,
  SqlTools,
  TableDescription,
  ToolCallContext,
  ToolError,
} from './types.js';

/** The model never sees more rows than this from one tool call (issue 5: schema and a small sample only). */
export const MAX_ROWS_TO_MODEL = 5;
const MAX_CELL_CHARS = 200;
const MAX_TOOL_OUTPUT_CHARS = 6_000;

const sqlParameter = {
  type: 'object',
  properties: { sql: { type: 'string', description: 'One SQLite SELECT (or WITH … SELECT) statement.' } },
  required: ['sql'],
  additionalProperties: false,
};

export const TOOL_SPECS: ToolSpec[] = [
  {
    name: 'list_tables',
    description: 'List the tables you may query, with their row and column counts.',
    parameters: { type: 'object', properties: {}, additionalProperties: false },
  },
  {
    name: 'describe_table',
    description:
      'Columns of one table (types, labels, null counts, ranges, frequent values) and a few sample rows.',
    parameters: {
      type: 'object',
      properties: { table: { type: 'string', description: 'The table name, as listed.' } },
      required: ['table'],
      additionalProperties: false,
    },
  },
  {
    name: 'check_sql',
    description:
      'Check that a statement is valid, read-only SQLite without running it. Returns ok or the error.',
    parameters: sqlParameter,
  },
  {
    name: 'run_sql',
    description:
      'Run a statement. Returns the column names, the first 5 rows only, the total row count, or the error.',
    parameters: sqlParameter,
  },
];

export interface ToolOutcome {
  /** Text for the tool message the model reads. */
  content: string;
  ok: boolean;
  /** The SQL it ran or checked successfully (so the agent knows which statements are known good). */
  goodSql?: string;
}

/** Runs one tool call; failures become text for the model. Only an abort of `context.signal` escapes (rethrown). */
export async function executeTool(
  call: ToolCall,
  tools: SqlTools,
  context: ToolCallContext,
): Promise<ToolOutcome> {
  if (call.parseError) return failed(`Invalid arguments for ${call.name}: ${call.parseError}.`);
  try {
    switch (call.name) {
      case 'list_tables':
        return succeeded(await tools.listTables(context));
      case 'describe_table': {
        const name = stringArg(call, 'table') ?? stringArg(call, 'name');
        if (!name) return failed('describe_table needs {"table": "<name>"}.');
        const description = await tools.describeTable(name, context);
        if (isToolError(description)) return failed(description.error);
        return succeeded(compactDescription(description));
      }
      case 'check_sql': {
        const sql = stringArg(call, 'sql');
        if (!sql) return failed('check_sql needs {"sql": "<statement>"}.');
        const result: CheckResult = await tools.checkSql(sql, context);
        return result.ok ? { ...succeeded({ ok: true }), goodSql: sql } : failed(result.error);
      }
      case 'run_sql': {
        const sql = stringArg(call, 'sql');
        if (!sql) return failed('run_sql needs {"sql": "<statement>"}.');
        const result = await tools.runSql(sql, context);
        if (isToolError(result)) return failed(result.error);
        return { ...succeeded(compactPreview(result)), goodSql: sql };
      }
      default:
        return failed(`Unknown tool "${call.name}". Use list_tables, describe_table, check_sql or run_sql.`);
    }
  } catch (error) {
    if (context.signal?.aborted) throw cancelledError(context.signal.reason);
    // Thrown sandbox errors (unsafe_sql, sql_error, query_timeout…) are the model's to fix, like returned ones.
    return failed(isAppError(error) ? error.message : error instanceof Error ? error.message : String(error));
  }
}

function succeeded(value: unknown): ToolOutcome {
  return { ok: true, content: bounded(JSON.stringify(value)) };
}

function failed(message: string): ToolOutcome {
  return { ok: false, content: bounded(`Error: ${message}`) };
}

function isToolError(value: unknown): value is ToolError {
  return typeof value === 'object' && value !== null && typeof (value as ToolError).error === 'string';
}

function stringArg(call: ToolCall, key: string): string | undefined {
  const value = call.arguments[key];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

export function compactPreview(preview: SqlPreview) {
  const shown = preview.rows.slice(0, MAX_ROWS_TO_MODEL).map(compactRow);
  return {
    columns: preview.columns,
    rows: shown,
    row_count: preview.row_count,
    ...(preview.truncated ? { truncated: true } : {}),
    ...(preview.row_count > shown.length
      ? { note: `only the first ${shown.length} rows are shown to you` }
      : {}),
  };
}

function compactDescription(description: TableDescription) {
  const t = description.table;
  return {
    name: t.name,
    label: t.label,
    rows: t.rows,
    columns: t.columns.map((c) => ({
      name: c.name,
      label: c.label,
      type: c.type,
      nulls: c.null_count,
      distinct: c.distinct_estimate,
      min: compactCell(c.min),
      max: compactCell(c.max),
      ...(c.top_values.length > 0 ? { top_values: c.top_values.slice(0, 10) } : {}),
    })),
    sample_rows: description.sample_rows.slice(0, MAX_ROWS_TO_MODEL).map(compactRow),
  };
}

export function compactRow(row: unknown[]): unknown[] {
  return Array.isArray(row) ? row.map(compactCell) : [];
}

export function compactCell(value: unknown): unknown {
  if (typeof value === 'string')
    return value.length > MAX_CELL_CHARS ? `${value.slice(0, MAX_CELL_CHARS)}…` : value;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return `<blob ${value.byteLength} bytes>`;
  if (value === undefined) return null;
  return value;
}

function bounded(text: string): string {
  return text.length > MAX_TOOL_OUTPUT_CHARS ? `${text.slice(0, MAX_TOOL_OUTPUT_CHARS)}… (cut)` : text;
}

export interface SandboxRunner {
  checkSql(sql: string, context?: ToolCallContext): Promise<CheckResult>;
  runSql(sql: string, context?: ToolCallContext): Promise<SqlPreview | ToolError>;
}

/**
 * SqlTools from a catalog and two sandbox calls: list/describe come from the catalog, sample rows from
 * `SELECT * FROM "t" LIMIT 3` through the same runner (so samples obey the same read-only path).
 */
export function sqlToolsFromCatalog(catalog: Catalog, runner: SandboxRunner): SqlTools {
  const byName = new Map<string, TableCatalog>(catalog.map((t) => [t.name, t]));
  return {
    listTables: async () =>
      catalog.map((t) => ({ name: t.name, label: t.label, rows: t.rows, columns: t.columns.length })),
    describeTable: async (name, context) => {
      const table = byName.get(name) ?? byName.get(name.replace(/^"|"$/g, '').toLowerCase());
      if (!table) return { error: `no table "${name}"; tables: ${[...byName.keys()].join(', ')}` };
      const sample = await runner.runSql(
        `SELECT * FROM "${table.name.replace(/"/g, '""')}" LIMIT 3`,
        context,
      );
      return { table, sample_rows: isToolError(sample) ? [] : sample.rows.slice(0, 3) };
    },
    checkSql: (sql, context) => runner.checkSql(sql, context),
    runSql: (sql, context) => runner.runSql(sql, context),
  };
}
