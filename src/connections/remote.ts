/**
 * A session's external database (issue 15), whatever its engine: what the routes and the question engine need —
 * the tables it holds (as a catalog, from bounded samples), a read-only query with a time limit, a row cap and
 * cancellation, and whether the role could write. Drivers: postgres.ts (pg), mysql.ts (mysql2; MariaDB too).
 *
 * Read-only is enforced by the database, not only by our SQL guard: every connection is opened read-only and every
 * statement runs in a READ ONLY transaction that is rolled back.
 */
import type { Catalog, ColumnType, TableCatalog } from '../data/catalog-types.js';
import { AppError } from '../errors.js';
import type { CheckedHost } from './host-policy.js';
import type { ConnectionSpec, DatabaseType } from './spec.js';

/** Connecting (and the first round trip) must succeed within this. */
export const CONNECT_TIMEOUT_MS = 5000;
/** Connections one session may hold (the pool's size). */
export const POOL_SIZE = 2;
/** An idle connection is closed after this. */
export const IDLE_CLOSE_MS = 60_000;
/** Tables described in the catalog, and rows sampled per table for its statistics. */
export const MAX_TABLES = 200;
export const SAMPLE_ROWS = 2000;

export interface RemoteRows {
  sql: string;
  columns: string[];
  rows: unknown[][];
  row_count: number;
  truncated: boolean;
}

export interface QueryOptions {
  maxRows: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface RemoteDatabase {
  readonly type: DatabaseType;
  /** The tables and views of the schema, their columns and sampled statistics. */
  catalog(): Promise<Catalog>;
  query(sql: string, options: QueryOptions): Promise<RemoteRows>;
  /** Whether `sql` is valid there, without running it (EXPLAIN, read-only); throws sql_error otherwise. */
  check(sql: string, options: Omit<QueryOptions, 'maxRows'>): Promise<void>;
  /** Whether the role may write somewhere in the schema (the database still refuses writes in our sessions). */
  canWrite(): Promise<boolean>;
  close(): Promise<void>;
}

export type RemoteOpener = (spec: ConnectionSpec, host: CheckedHost) => Promise<RemoteDatabase>;

/** A database type name (information_schema's data_type) → our column type. */
export function columnTypeOf(dataType: string): ColumnType {
  const t = dataType.toLowerCase();
  if (/^(tinyint\(1\)|boolean|bool)$/.test(t)) return 'boolean';
  if (/int|serial/.test(t)) return 'integer';
  if (/numeric|decimal|real|double|float|money/.test(t)) return 'real';
  if (t === 'date') return 'date';
  if (/timestamp|datetime/.test(t)) return 'datetime';
  return 'text';
}

/** Statistics of one column from a sample of its values (what the question engines read instead of the data). */
export function sampleStats(type: ColumnType, values: unknown[]) {
  let nulls = 0;
  const counts = new Map<string, number>();
  let min: number | string | null = null;
  let max: number | string | null = null;
  for (const raw of values) {
    if (raw === null || raw === undefined) {
      nulls += 1;
      continue;
    }
    const value = normalize(raw);
    const key = String(value);
    counts.set(key, (counts.get(key) ?? 0) + 1);
    if (min === null || value < min) min = value;
    if (max === null || value > max) max = value;
  }
  const top =
    type === 'text' && counts.size <= 200
      ? [...counts]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 20)
          .map(([value, count]) => ({ value, count }))
      : [];
  return { null_count: nulls, distinct_estimate: counts.size, min, max, top_values: top };
}

/** A table's catalog entry from its columns (name, database type) and a sample of its rows (values in column order). */
export function tableFromSample(
  name: string,
  rows: number,
  columns: ReadonlyArray<{ name: string; dataType: string }>,
  sample: unknown[][],
): TableCatalog {
  return {
    name,
    label: name,
    rows,
    columns: columns.map((column, i) => {
      const type = columnTypeOf(column.dataType);
      return {
        name: column.name,
        label: column.name,
        type,
        ...sampleStats(
          type,
          sample.map((row) => row[i]),
        ),
      };
    }),
  };
}

/** Values as the SQLite catalog holds them: numbers, ISO dates, text. */
export function normalize(value: unknown): number | string {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.toISOString().replace(/T00:00:00\.000Z$/, '');
  if (Buffer.isBuffer(value)) return value.toString('hex');
  return String(value);
}

/** A driver's connect error → connection_failed with a reason a person understands (never the password). */
export function connectError(error: unknown, host: string, port: number): AppError {
  if (error instanceof AppError) return error;
  const e = error as { code?: string; errno?: number; message?: string };
  const code = String(e.code ?? '');
  const message = String(e.message ?? '');
  const reason = ((): [string, string, string] => {
    if (
      code === '28P01' ||
      code === '28000' ||
      code === 'ER_ACCESS_DENIED_ERROR' ||
      /password authentication/.test(message)
    )
      return ['auth', 'the user name or password is wrong', 'o usuário ou a senha estão errados'];
    if (code === '3D000' || code === 'ER_BAD_DB_ERROR')
      return ['no_database', 'the database does not exist', 'o banco de dados não existe'];
    if (code === '3F000') return ['no_schema', 'the schema does not exist', 'o schema não existe'];
    if (code === 'ECONNREFUSED')
      return [
        'unreachable',
        `nothing answers at ${host}:${port} (port closed)`,
        `nada responde em ${host}:${port} (porta fechada)`,
      ];
    if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH')
      return ['unreachable', `${host} cannot be reached`, `${host} não pode ser alcançado`];
    if (code === 'ETIMEDOUT' || /timeout|timed out/i.test(message))
      return [
        'timeout',
        `${host}:${port} did not answer within ${CONNECT_TIMEOUT_MS / 1000} s`,
        `${host}:${port} não respondeu em ${CONNECT_TIMEOUT_MS / 1000} s`,
      ];
    return ['refused', 'the database refused the connection', 'o banco de dados recusou a conexão'];
  })();
  return new AppError('connection_failed', { reason: reason[0], detail: reason[1], detail_pt: reason[2] });
}

/** Rejects after `ms` (with a timeout-shaped error), so a server that accepts and never answers cannot hang us. */
export async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
