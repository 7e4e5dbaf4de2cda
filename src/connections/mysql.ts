/**
 * MySQL and MariaDB (mysql2) for a connected session (issue 15). Each connection is set up once with
 * `SET SESSION TRANSACTION READ ONLY` and `sql_mode` + ANSI_QUOTES,PIPES_AS_CONCAT (so the engines' standard SQL —
 * "quoted identifiers", `||` — means the same as on SQLite and PostgreSQL). Each statement runs in
 * `START TRANSACTION READ ONLY`, with the server's statement time limit (`max_execution_time` on MySQL,
 * `max_statement_time` on MariaDB), streamed so that only maxRows + 1 rows are ever read; on timeout, cancel or a
 * cut result, `KILL QUERY` from a second connection stops it on the server. No multi-statements.
 */
import type { Connection as CoreConnection } from 'mysql2';
import mysql from 'mysql2/promise';
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
const SESSION_SETUP = [
  'SET SESSION TRANSACTION READ ONLY',
  "SET SESSION sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES,PIPES_AS_CONCAT')",
  // AVG of integers and `/` give DECIMALs with 4 more decimals by default (15298.3824 for 15298.382352941177):
  // with the maximum they carry what a double does, as on SQLite and PostgreSQL.
  'SET SESSION div_precision_increment = 30',
];

/** The callback-API connection under mysql2/promise's wrapper: it can stream a query's rows. */
type Core = CoreConnection;

export async function openMysql(spec: ConnectionSpec, host: CheckedHost): Promise<RemoteDatabase> {
  const options: mysql.PoolOptions = {
    // With TLS the certificate is checked against the host name, which mysql2 takes from `host`: the name is used
    // then (resolved again by the driver a moment after our check); without TLS, the checked address.
    host: spec.ssl ? host.host : host.address,
    port: spec.port,
    user: spec.user,
    password: spec.password,
    database: spec.database,
    connectTimeout: CONNECT_TIMEOUT_MS,
    connectionLimit: POOL_SIZE,
    maxIdle: 0,
    idleTimeout: IDLE_CLOSE_MS,
    multipleStatements: false,
    dateStrings: true,
    supportBigNumbers: true,
    decimalNumbers: true,
    ...(spec.ssl ? { ssl: { rejectUnauthorized: true } } : {}),
  };
  const pool = mysql.createPool(options);
  /** Connections already set up (read-only, ANSI quotes), with the statement time limit last set on each. */
  const ready = new WeakMap<object, number>();
  let mariadb = false;
  try {
    const [rows] = await within(CONNECT_TIMEOUT_MS, pool.query('SELECT VERSION() AS v'));
    mariadb = /mariadb/i.test(String((rows as Array<{ v: string }>)[0]?.v));
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw connectError(error, spec.host, spec.port);
  }

  /** `KILL QUERY` from a connection of its own (the pool's may all be busy). */
  async function killQuery(threadId: number): Promise<void> {
    const other = await mysql
      .createConnection({ ...options, connectTimeout: CONNECT_TIMEOUT_MS })
      .catch(() => null);
    if (!other) return;
    try {
      await other.query(`KILL QUERY ${Number(threadId)}`);
    } catch {
      // Already finished.
    } finally {
      await other.end().catch(() => undefined);
    }
  }

  async function readOnly<T>(timeoutMs: number, work: (connection: mysql.PoolConnection) => Promise<T>) {
    const connection = await within(CONNECT_TIMEOUT_MS, pool.getConnection()).catch((error: unknown) => {
      throw connectError(error, spec.host, spec.port);
    });
    try {
      if (!ready.has(connection.connection)) {
        for (const statement of SESSION_SETUP) await connection.query(statement);
        ready.set(connection.connection, 0);
      }
      // The server's own limit, set again only when it changes (a round trip saved per question).
      const limit = Math.max(1, Math.floor(timeoutMs));
      if (ready.get(connection.connection) !== limit) {
        await connection.query(
          mariadb
            ? `SET SESSION max_statement_time = ${limit / 1000}`
            : `SET SESSION max_execution_time = ${limit}`,
        );
        ready.set(connection.connection, limit);
      }
      await connection.query('START TRANSACTION READ ONLY');
      return await work(connection);
    } finally {
      await connection.query('ROLLBACK').catch(() => undefined);
      connection.release();
    }
  }

  /** Streams `sql`, keeping at most `maxRows + 1` rows; stops the statement on the server past that, on timeout or cancel. */
  function streamRows(
    core: Core,
    sql: string,
    { maxRows, timeoutMs, signal }: QueryOptions,
  ): Promise<RemoteRows> {
    return new Promise((resolve, reject) => {
      const rows: unknown[][] = [];
      let columns: string[] = [];
      let settled = false;
      let stopped: 'timeout' | 'cancel' | 'cut' | null = null;
      const query = core.query({ sql, rowsAsArray: true });
      const stop = (why: 'timeout' | 'cancel' | 'cut') => {
        if (stopped) return;
        stopped = why;
        void killQuery(core.threadId ?? 0);
      };
      const timer = setTimeout(() => stop('timeout'), timeoutMs + 250);
      const onAbort = () => stop('cancel');
      signal?.addEventListener('abort', onAbort, { once: true });
      const finish = (error: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (stopped === 'cancel') return reject(new AppError('query_cancelled'));
        if (stopped === 'timeout') return reject(new AppError('query_timeout', { limit_ms: timeoutMs }));
        if (error && stopped !== 'cut') return reject(queryError(error, timeoutMs));
        const truncated = rows.length > maxRows;
        if (truncated) rows.length = maxRows;
        resolve({ sql, columns, rows, row_count: rows.length, truncated });
      };
      query.on('fields', (fields: Array<{ name: string }>) => {
        columns = fields.map((f) => f.name);
      });
      query.on('result', (row: unknown) => {
        if (rows.length <= maxRows) rows.push(row as unknown[]);
        if (rows.length > maxRows) stop('cut');
      });
      query.on('error', (error: unknown) => finish(error));
      query.on('end', () => finish(null));
    });
  }

  return {
    type: 'mysql',

    async query(sql, options) {
      return readOnly(options.timeoutMs, (connection) =>
        streamRows(connection.connection as unknown as Core, sql, options),
      );
    },

    async check(sql: string, { timeoutMs }): Promise<void> {
      await readOnly(timeoutMs, async (connection) => {
        try {
          await connection.query(`EXPLAIN ${sql}`);
        } catch (error) {
          throw queryError(error, timeoutMs);
        }
      });
    },

    async catalog(): Promise<Catalog> {
      return readOnly(30_000, async (connection) => {
        const [columns] = await connection.query(
          `SELECT c.TABLE_NAME AS t, c.COLUMN_NAME AS c, c.COLUMN_TYPE AS type, tb.TABLE_ROWS AS n
             FROM information_schema.COLUMNS c
             JOIN information_schema.TABLES tb ON tb.TABLE_SCHEMA = c.TABLE_SCHEMA AND tb.TABLE_NAME = c.TABLE_NAME
            WHERE c.TABLE_SCHEMA = ? ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION`,
          [spec.database],
        );
        const byTable = new Map<
          string,
          { estimate: number; cols: Array<{ name: string; dataType: string }> }
        >();
        for (const row of columns as Array<{ t: string; c: string; type: string; n: number | null }>) {
          if (!byTable.has(row.t) && byTable.size >= MAX_TABLES) continue;
          const entry = byTable.get(row.t) ?? { estimate: Number(row.n ?? -1), cols: [] };
          entry.cols.push({ name: row.c, dataType: row.type });
          byTable.set(row.t, entry);
        }
        const catalog: TableCatalog[] = [];
        for (const [table, { estimate, cols }] of byTable) {
          let rows = estimate;
          if (rows < 10_000) {
            const [counted] = await connection.query(`SELECT COUNT(*) AS n FROM ${quote(table)}`);
            rows = Number((counted as Array<{ n: number }>)[0]?.n ?? 0);
          }
          const [sample] = await connection.query({
            sql: `SELECT ${cols.map((c) => quote(c.name)).join(', ')} FROM ${quote(table)} LIMIT ${SAMPLE_ROWS}`,
            rowsAsArray: true,
          });
          catalog.push(tableFromSample(table, rows, cols, sample as unknown[][]));
        }
        return catalog;
      });
    },

    async canWrite(): Promise<boolean> {
      const [rows] = await pool.query('SHOW GRANTS FOR CURRENT_USER()');
      return (rows as Array<Record<string, string>>).some((row) =>
        /\b(ALL PRIVILEGES|INSERT|UPDATE|DELETE|DROP|CREATE)\b/i.test(Object.values(row)[0] ?? ''),
      );
    },

    async close(): Promise<void> {
      await pool.end().catch(() => undefined);
    },
  };
}

function queryError(error: unknown, timeoutMs: number): AppError {
  const e = error as { code?: string; errno?: number; message?: string };
  // 1792 / ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION; 1290 read-only server; 1142/1044 no privilege.
  if (e.errno === 1792 || e.errno === 1290 || e.errno === 1142 || e.errno === 1044) {
    return new AppError('unsafe_sql', {
      reason: 'the database refused it: the session is read-only',
      reason_pt: 'o banco de dados recusou: a sessão é somente leitura',
    });
  }
  // 3024 (MySQL max_execution_time), 1969 (MariaDB max_statement_time).
  if (e.errno === 3024 || e.errno === 1969) return new AppError('query_timeout', { limit_ms: timeoutMs });
  return new AppError('sql_error', {
    detail: String(e.message ?? 'the database refused the statement').slice(0, 300),
  });
}
