/**
 * bench/databases — issue 15: built-in questions over a session connected to PostgreSQL and to MariaDB, each holding a
 * 1,000,000-row table, asked over HTTP of the compiled server (its own process), against the same SQL sent straight
 * to the database with its own client (`pg`, `mysql2`) from this process, alternating request by request. Target:
 * our overhead ≤ 2 ms p50 above the direct query.
 *
 *   npm run bench -- databases        (BENCH_DB_OPS, default 100 per question; BENCH_DB_TYPES=postgresql,mysql;
 *                                      needs the machine's PostgreSQL and MariaDB, see docs/databases.md)
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { MY, PG } from '../test/helpers/databases.js';
import { alternate } from './queries.js';
import { ask, newSession, request, startServer } from './server.js';
import { formatTable, percentiles, type Row, runIfMain } from './stats.js';

const OPS = Number(process.env.BENCH_DB_OPS ?? 100);
const ROWS = 1_000_000;
const QUESTIONS = ['How many rows are there?', 'Total quantity by region', 'Average price by region'];

export async function main(): Promise<void> {
  const name = `agentgraph_bench_${randomBytes(3).toString('hex')}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentgraph-databases-'));
  const admin = new pg.Client(PG);
  await admin.connect();
  const my = await mysql.createConnection({ ...MY, multipleStatements: false });
  const server = await startServer({
    DATA_DIR: dir,
    MAX_SESSIONS_PER_IP: '100',
    DB_ALLOWED_HOSTS: '127.0.0.1',
  });
  const rows: Row[] = [];
  try {
    const regions = "(ARRAY['North','South','East','West'])[1 + g % 4]";
    await admin.query(`CREATE SCHEMA ${name}`);
    await admin.query(
      `CREATE TABLE ${name}.sales AS SELECT g AS id, ${regions} AS region, 1 + g % 9 AS quantity, (g % 1000) / 10.0 AS price FROM generate_series(1, ${ROWS}) g`,
    );
    await admin.query(`ANALYZE ${name}.sales`);
    await my.query(`CREATE DATABASE ${name}`);
    await my.query(
      `CREATE TABLE ${name}.sales AS SELECT seq AS id, ELT(1 + seq % 4, 'North','South','East','West') AS region, 1 + seq % 9 AS quantity, (seq % 1000) / 10.0 AS price FROM seq_1_to_${ROWS}`,
    );
    await my.query(`ANALYZE TABLE ${name}.sales`);
    // The direct clients set up once, as ours are: the schema on the path, ANSI quotes.
    await admin.query(`SET search_path TO ${name}`);
    await my.query(`USE ${name}`);
    await my.query("SET SESSION sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES,PIPES_AS_CONCAT')");
    const direct = {
      postgresql: (sql: string) => admin.query(sql),
      mysql: (sql: string) => my.query(sql),
    };
    const types = (process.env.BENCH_DB_TYPES ?? 'postgresql,mysql').split(',') as Array<
      'postgresql' | 'mysql'
    >;
    for (const type of types) {
      const session = await newSession(server.base);
      const body = type === 'postgresql' ? { type, ...PG, schema: name } : { type, ...MY, database: name };
      const connected = await request(server.base, {
        path: '/api/session/connection',
        method: 'PUT',
        headers: { 'x-session-id': session, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (connected.status !== 200) throw new Error(`connect ${type}: ${connected.body}`);
      for (const question of QUESTIONS) {
        const first = await ask(server.base, session, question);
        const sql = (first as unknown as { sql: string }).sql;
        const [straight, ours] = await alternate(
          OPS,
          () => direct[type](sql),
          () => ask(server.base, session, question),
          5,
        );
        const a = percentiles(straight);
        const b = percentiles(ours);
        rows.push({ name: `${type}: "${question}" straight to the database (\`${sql}\`)`, ...a });
        rows.push({
          name: `${type}: the same question over HTTP → answer (overhead p50 ${(b.p50 - a.p50).toFixed(1)} ms)`,
          ...b,
        });
      }
    }
    console.log(
      `\n## Connected databases (issue 15) — ${new Date().toISOString()}, load ${os.loadavg()[0]!.toFixed(2)}\n`,
    );
    console.log(formatTable(rows));
  } finally {
    await server.stop();
    await admin.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`).catch(() => undefined);
    await admin.end();
    await my.query(`DROP DATABASE IF EXISTS ${name}`).catch(() => undefined);
    await my.end();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, main);
