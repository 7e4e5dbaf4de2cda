/**
 * PostgreSQL (pg) for a connected session (issue 15). Connections are opened with
 * `default_transaction_read_only=on`; each statement runs in `BEGIN READ ONLY` with a `statement_timeout`, as
 * `SELECT * FROM (<sql>) LIMIT maxRows + 1` so a huge result is never read whole, over the extended protocol (one
 * statement per call: `SELECT 1; DROP …` cannot ride along), and is rolled back. A cancel
 * sends `pg_cancel_backend` from a second connection.
 */
import pg from 'pg';
import type { Catalog, TableCatalog } from '../data/catalog-types.js';
import { AppError } from '../errors.js';
import type { CheckedHost } from './host-policy.js';
import {
  CONNECT_TIMEOUT_MS,
  connectError,
  IDLE_CLOSE_MS,
  MAX_TABLES,
  POOL_SIZE,
  type QueryOptions,
  type RemoteDatabase,
  type RemoteRows,
  SAMPLE_ROWS,
  tableFromSample,
  within,
} from './remote.js';
import type { ConnectionSpec } from './spec.js';

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Numbers as numbers (int8, numeric: pg's default is text), dates and times as the text the server sends. */
const NUMERIC_OIDS = new Set([20, 1700]);
const TEXT_AS_IS = new Set([1082, 1083, 1114, 1184, 1266]);
const types = {
  getTypeParser: (oid: number, format?: string) => {
    if (NUMERIC_OIDS.has(oid)) return (value: string) => Number(value);
    if (TEXT_AS_IS.has(oid)) return (value: string) => value;
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

/** A pg error during a question → our codes (timeout, cancel, refused write, bad SQL). */
function queryError(error: unknown, timeoutMs: number, cancelled: boolean): AppError {
  const e = error as { code?: string; message?: string };
  if (e.code === '57014') {
    return cancelled
      ? new AppError('query_cancelled')
      : new AppError('query_timeout', { limit_ms: timeoutMs });
  }
  if (e.code === '25006' || e.code === '42501') {
    return new AppError('unsafe_sql', {
      reason: 'the database refused it: the session is read-only',
      reason_pt: 'o banco de dados recusou: a sessão é somente leitura',
    });
  }
  return new AppError('sql_error', {
    detail: String(e.message ?? 'the database refused the statement').slice(0, 300),
  });
}

export async function openPostgres(spec: ConnectionSpec, host: CheckedHost): Promise<RemoteDatabase> {
  const options: pg.PoolConfig = {
    host: host.address,
    port: spec.port,
    database: spec.database,
    user: spec.user,
    password: spec.password,
    ssl: spec.ssl ? { servername: host.host } : false,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: 'agentgraph',
    options: '-c default_transaction_read_only=on',
  };
  const pool = new pg.Pool({
    ...options,
    max: POOL_SIZE,
    idleTimeoutMillis: IDLE_CLOSE_MS,
    allowExitOnIdle: true,
  });
  // An idle connection the server drops (restart, idle timeout) must not take the process down.
  pool.on('error', () => undefined);
  try {
    const client = await within(CONNECT_TIMEOUT_MS, pool.connect());
    try {
      const found = await within(
        CONNECT_TIMEOUT_MS,
        client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [spec.schema]),
      );
      if (found.rowCount === 0) throw Object.assign(new Error('no schema'), { code: '3F000' });
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw connectError(error, spec.host, spec.port);
  }

  /** Runs `work` in a READ ONLY transaction with the schema on the search path, rolled back after. */
  async function readOnly<T>(
    timeoutMs: number,
    work: (client: pg.PoolClient) => Promise<T>,
    signal?: AbortSignal,
  ) {
    const client = await within(CONNECT_TIMEOUT_MS, pool.connect()).catch((error: unknown) => {
      throw connectError(error, spec.host, spec.port);
    });
    let cancelled = false;
    const onAbort = () => {
      cancelled = true;
      void cancelBackend((client as unknown as { processID: number }).processID);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      // One round trip (our own text, simple protocol): each one costs as much as a small query here.
      await client.query(
        `BEGIN READ ONLY; SET LOCAL statement_timeout = ${Math.max(1, Math.floor(timeoutMs))}; SET LOCAL search_path TO ${quote(spec.schema)}`,
      );
      return await work(client);
    } catch (error) {
      throw error instanceof AppError ? error : queryError(error, timeoutMs, cancelled);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    }
  }

  async function cancelBackend(pid: number): Promise<void> {
    const other = new pg.Client(options);
    other.on('error', () => undefined);
    try {
      await within(CONNECT_TIMEOUT_MS, other.connect());
      await other.query('SELECT pg_cancel_backend($1)', [pid]);
    } catch {
      // The statement_timeout still ends it.
    } finally {
      await other.end().catch(() => undefined);
    }
  }

  return {
    type: 'postgresql',

    async query(sql: string, { maxRows, timeoutMs, signal }: QueryOptions): Promise<RemoteRows> {
      return readOnly(
        timeoutMs,
        async (client) => {
          // Extended protocol (values given): exactly one statement, and only a query fits in the FROM. Not a cursor:
          // PostgreSQL plans cursors (and row-limited fetches) without parallel workers, which made a GROUP BY over
          // 1,000,000 rows twice as slow as the same query sent directly (docs/benchmarks.md). A subquery with its own
          // ORDER BY is planned as a unit and read in that order by the LIMIT above it.
          const fetched = await client.query({
            text: `SELECT * FROM (${sql.replace(/;\s*$/, '')}) AS agentgraph_rows LIMIT ${maxRows + 1}`,
            values: [],
            rowMode: 'array',
            types,
          });
          const rows = fetched.rows as unknown[][];
          const truncated = rows.length > maxRows;
          if (truncated) rows.length = maxRows;
          return { sql, columns: fetched.fields.map((f) => f.name), rows, row_count: rows.length, truncated };
        },
        signal,
      );
    },

    async check(sql: string, { timeoutMs, signal }): Promise<void> {
      await readOnly(
        timeoutMs,
        async (client) => {
          await client.query({ text: `EXPLAIN ${sql}`, values: [] });
        },
        signal,
      );
    },

    async catalog(): Promise<Catalog> {
      return readOnly(30_000, async (client) => {
        const columns = await client.query<{ table_name: string; column_name: string; data_type: string }>(
          `SELECT c.table_name, c.column_name, c.data_type
             FROM information_schema.columns c
             JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema = $1 AND t.table_type IN ('BASE TABLE', 'VIEW')
            ORDER BY c.table_name, c.ordinal_position`,
          [spec.schema],
        );
        const estimates = await client.query<{ relname: string; rows: string }>(
          `SELECT c.relname, c.reltuples::bigint AS rows FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1`,
          [spec.schema],
        );
        const estimate = new Map(estimates.rows.map((r) => [r.relname, Number(r.rows)]));
        const byTable = new Map<string, Array<{ name: string; dataType: string }>>();
        for (const row of columns.rows) {
          if (!byTable.has(row.table_name) && byTable.size >= MAX_TABLES) continue;
          const list = byTable.get(row.table_name) ?? [];
          list.push({ name: row.column_name, dataType: row.data_type });
          byTable.set(row.table_name, list);
        }
        const catalog: TableCatalog[] = [];
        for (const [table, cols] of byTable) {
          let rows = estimate.get(table) ?? -1;
          // Never analysed (-1) or small: counted exactly (bounded by the transaction's statement_timeout).
          if (rows < 10_000) {
            rows = Number((await client.query(`SELECT count(*) AS n FROM ${quote(table)}`)).rows[0].n);
          }
          const sample = await client.query({
            text: `SELECT ${cols.map((c) => quote(c.name)).join(', ')} FROM ${quote(table)} LIMIT ${SAMPLE_ROWS}`,
            rowMode: 'array',
            types,
          });
          catalog.push(tableFromSample(table, rows, cols, sample.rows as unknown[][]));
        }
        return catalog;
      });
    },

    async canWrite(): Promise<boolean> {
      return readOnly(CONNECT_TIMEOUT_MS, async (client) => {
        const result = await client.query<{ write: boolean }>(
          `SELECT coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false)
               OR has_schema_privilege($1, 'CREATE')
               OR coalesce((SELECT bool_or(has_table_privilege(c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE'))
                              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                             WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')), false) AS write`,
          [spec.schema],
        );
        return result.rows[0]?.write === true;
      });
    },

    async close(): Promise<void> {
      await pool.end().catch(() => undefined);
    },
  };
}
