/**
 * The eval dev set on real PostgreSQL and MariaDB (issue 15): the files of ../shared/eval/data/ are imported by our
 * importer into a session (SQLite), then copied with the same column types into a PostgreSQL schema and a MariaDB
 * database of the test's own (dropped afterwards). Every dev question is asked of all three sessions: where the
 * SQLite session answers, each database session gives the same rows (in any order: rows that tie on the ORDER BY
 * come in the database's own order; numbers to 12 significant digits), or says it cannot answer — never a
 * different answer.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ColumnType, TableCatalog } from '../../src/data/catalog-types.js';
import { buildApp } from '../../src/http/app.js';
import { MY, mariadbAnswers, PG, postgresAnswers } from '../helpers/databases.js';
import { MULTIPART_TYPE, multipart } from '../helpers/multipart.js';
import { makeServices, type TestServices } from '../helpers/services.js';

const EVAL = path.resolve(process.cwd(), '../shared/eval');
const suffix = randomBytes(4).toString('hex');
interface DevQuestion {
  id: string;
  question: string;
  lang: 'en' | 'pt';
}

const ready =
  fs.existsSync(path.join(EVAL, 'questions_dev.jsonl')) &&
  (await postgresAnswers()) &&
  (await mariadbAnswers());

const SQL_TYPES: Record<ColumnType, { pg: string; my: string }> = {
  integer: { pg: 'BIGINT', my: 'BIGINT' },
  real: { pg: 'DOUBLE PRECISION', my: 'DOUBLE' },
  text: { pg: 'TEXT', my: 'TEXT' },
  date: { pg: 'DATE', my: 'DATE' },
  datetime: { pg: 'TIMESTAMP', my: 'DATETIME' },
  boolean: { pg: 'BOOLEAN', my: 'BOOLEAN' },
};

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** The same rows in any order, numbers to 12 significant digits. */
function sameRows(a: unknown[][], b: unknown[][]): boolean {
  const norm = (rows: unknown[][]) =>
    rows
      .map((row) => JSON.stringify(row.map((v) => (typeof v === 'number' ? Number(v.toPrecision(12)) : v))))
      .sort();
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
}

describe.skipIf(!ready)('the eval dev set on PostgreSQL and MariaDB answers as on SQLite', () => {
  const schema = `agentgraph_eval_${suffix}`;
  let services: TestServices;
  let app: FastifyInstance;
  let admin: pg.Client;
  let my: mysql.Connection;
  const headers: Record<'sqlite' | 'postgresql' | 'mysql', Record<string, string>> = {
    sqlite: {},
    postgresql: {},
    mysql: {},
  };

  async function newSession(): Promise<Record<string, string>> {
    const id = (await app.inject({ method: 'POST', url: '/api/sessions' })).json().session.session_id;
    return { 'x-session-id': id };
  }

  beforeAll(async () => {
    services = makeServices('local', { MAX_SESSIONS_PER_IP: '10', DB_ALLOWED_HOSTS: '127.0.0.1' });
    app = await buildApp(services);
    headers.sqlite = await newSession();
    for (const file of fs.readdirSync(path.join(EVAL, 'data'))) {
      const response = await app.inject({
        method: 'POST',
        url: '/api/session/uploads',
        headers: { ...headers.sqlite, 'content-type': MULTIPART_TYPE },
        payload: multipart({ name: file, content: fs.readFileSync(path.join(EVAL, 'data', file)) }),
      });
      expect(response.statusCode).toBe(201);
    }
    const catalog = (
      await app.inject({ method: 'GET', url: '/api/session/tables', headers: headers.sqlite })
    ).json().tables as TableCatalog[];
    const sqlite = new Database(services.paths.dbPath(headers.sqlite['x-session-id']!), { readonly: true });
    admin = new pg.Client(PG);
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    my = await mysql.createConnection(MY);
    await my.query(`CREATE DATABASE ${schema}`);
    await my.query(`USE ${schema}`);
    await my.query("SET SESSION sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES')");
    for (const table of catalog) {
      const cols = table.columns;
      await admin.query(
        `CREATE TABLE ${schema}.${q(table.name)} (${cols.map((c) => `${q(c.name)} ${SQL_TYPES[c.type].pg}`).join(', ')})`,
      );
      await my.query(
        `CREATE TABLE ${q(table.name)} (${cols.map((c) => `${q(c.name)} ${SQL_TYPES[c.type].my}`).join(', ')})`,
      );
      const rows = sqlite
        .prepare(`SELECT ${cols.map((c) => q(c.name)).join(', ')} FROM ${q(table.name)}`)
        .raw()
        .all() as unknown[][];
      for (let i = 0; i < rows.length; i += 200) {
        const batch = rows.slice(i, i + 200);
        const marks = (n: number) =>
          `(${Array.from({ length: cols.length }, (_, k) => `$${n * cols.length + k + 1}`).join(', ')})`;
        await admin.query(
          `INSERT INTO ${schema}.${q(table.name)} VALUES ${batch.map((_, n) => marks(n)).join(', ')}`,
          batch.flat(),
        );
        await my.query(`INSERT INTO ${q(table.name)} VALUES ?`, [batch]);
      }
    }
    sqlite.close();
    headers.postgresql = await newSession();
    headers.mysql = await newSession();
    const toPg = await app.inject({
      method: 'PUT',
      url: '/api/session/connection',
      headers: headers.postgresql,
      payload: { type: 'postgresql', ...PG, schema },
    });
    expect(toPg.statusCode).toBe(200);
    const toMy = await app.inject({
      method: 'PUT',
      url: '/api/session/connection',
      headers: headers.mysql,
      payload: { type: 'mysql', ...MY, database: schema },
    });
    expect(toMy.statusCode).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await services?.dispose();
    await admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin?.end();
    await my?.query(`DROP DATABASE IF EXISTS ${schema}`);
    await my?.end();
  });

  it('every answer equals the SQLite answer, or is a refusal', { timeout: 120_000 }, async () => {
    const questions = fs
      .readFileSync(path.join(EVAL, 'questions_dev.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as DevQuestion);
    const tally = { postgresql: { same: 0, refused: 0 }, mysql: { same: 0, refused: 0 } };
    const wrong: string[] = [];
    let answered = 0;
    for (const dev of questions) {
      const ask = async (h: Record<string, string>) =>
        (
          await app.inject({
            method: 'POST',
            url: '/api/session/queries?wait=true',
            headers: { ...h, 'accept-language': dev.lang },
            payload: { question: dev.question },
          })
        ).json();
      const base = await ask(headers.sqlite);
      if (base.status !== 'done' || base.unsupported) continue;
      answered += 1;
      for (const db of ['postgresql', 'mysql'] as const) {
        const answer = await ask(headers[db]);
        if (answer.status === 'done' && answer.unsupported) {
          tally[db].refused += 1;
          continue;
        }
        if (answer.status === 'done' && sameRows(answer.rows, base.rows)) tally[db].same += 1;
        else
          wrong.push(
            `${db} ${dev.id}: ${JSON.stringify(answer.error ?? answer.rows).slice(0, 200)} ≠ ${JSON.stringify(base.rows).slice(0, 200)}`,
          );
      }
    }
    expect(wrong).toEqual([]);
    // Today everything the SQLite session answers (33 of 34 with the four files in one session) runs in both.
    expect(answered).toBeGreaterThanOrEqual(33);
    expect(tally.postgresql.same).toBe(answered);
    expect(tally.mysql.same).toBe(answered);
    console.log(`dev set on databases: ${JSON.stringify(tally)}`);
  });
});
