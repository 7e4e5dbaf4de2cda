/**
 * Sessions connected to a real PostgreSQL (127.0.0.1:5432, database `test`) and a real MariaDB (127.0.0.1:3306,
 * root, database `test`) — issue 15, first part: connect, see, answer read-only, go back; and each bad input with its
 * code, nothing written, nothing leaked. Each suite makes its own schema or tables and drops them.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import mysql from 'mysql2/promise';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { toDialect, unsafeRemoteSql } from '../../src/connections/dialect.js';
import { HostPolicy } from '../../src/connections/host-policy.js';
import { SecretBox } from '../../src/connections/secret-box.js';
import { maskedUri, parseConnectionInput } from '../../src/connections/spec.js';
import { buildApp } from '../../src/http/app.js';
import { dropSchema, MY, mariadbAnswers, PG, postgresAnswers, scratchSchema } from '../helpers/databases.js';
import { type FakeLlm, fakeLlmEnv, sqlReply, startFakeLlm } from '../helpers/fake-llm.js';
import { runCli } from '../helpers/process.js';
import { makeServices, type TestServices } from '../helpers/services.js';

const suffix = randomBytes(4).toString('hex');
const REGIONS = ['North', 'South', 'East', 'West'];

const pgUp = await postgresAnswers();
const myUp = await mariadbAnswers();

async function appWith(overrides: Record<string, string>) {
  const services = makeServices('local', { MAX_SESSIONS_PER_IP: '50', ...overrides });
  const app = await buildApp(services);
  return { services, app };
}

async function newSession(app: FastifyInstance): Promise<Record<string, string>> {
  const id = (await app.inject({ method: 'POST', url: '/api/sessions' })).json().session.session_id as string;
  return { 'x-session-id': id };
}

function connect(app: FastifyInstance, headers: Record<string, string>, body: unknown) {
  return app.inject({ method: 'PUT', url: '/api/session/connection', headers, payload: body as object });
}

async function ask(app: FastifyInstance, headers: Record<string, string>, question: string) {
  const response = await app.inject({
    method: 'POST',
    url: '/api/session/queries?wait=true',
    headers,
    payload: { question },
  });
  return response.json();
}

describe.skipIf(!pgUp)('a session connected to PostgreSQL', () => {
  const schema = `agentgraph_${suffix}`;
  let admin: pg.Client;
  let services: TestServices;
  let app: FastifyInstance;
  let headers: Record<string, string>;

  beforeAll(async () => {
    admin = await scratchSchema(schema);
    await admin.query(`CREATE TABLE ${schema}.sales (region text, quantity integer, price double precision)`);
    const values = Array.from(
      { length: 120 },
      (_, i) => `('${REGIONS[i % 4]}', ${(i % 5) + 1}, ${10 + i / 4})`,
    );
    await admin.query(`INSERT INTO ${schema}.sales VALUES ${values.join(',')}`);
    await admin.query(`CREATE SEQUENCE ${schema}.counter`);
    ({ services, app } = await appWith({ DB_ALLOWED_HOSTS: '127.0.0.1' }));
    headers = await newSession(app);
  });

  afterAll(async () => {
    await app?.close();
    await services?.dispose();
    await dropSchema(admin, schema);
  });

  it('connects: tables and columns found, the password never shown, version moved, a warning for a role that can write', async () => {
    const before = (await app.inject({ method: 'GET', url: '/api/session', headers })).json().session;
    const response = await connect(app, headers, {
      type: 'postgresql',
      ...PG,
      password: 's3cr3t!@#',
      schema,
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.tables).toEqual([
      {
        name: 'sales',
        rows: 120,
        columns: [
          { name: 'region', type: 'text' },
          { name: 'quantity', type: 'integer' },
          { name: 'price', type: 'real' },
        ],
      },
    ]);
    expect(body.connection).toMatchObject({
      type: 'postgresql',
      host: '127.0.0.1',
      schema,
      user: 'postgres',
    });
    expect(JSON.stringify(body)).not.toContain('s3cr3t');
    expect(body.warnings[0]).toMatch(/may write/);
    const session = (await app.inject({ method: 'GET', url: '/api/session', headers })).json().session;
    expect(session).toMatchObject({ connection_type: 'postgresql', tables: ['sales'] });
    expect(session.db_uri).toBe(`postgresql://postgres:***@127.0.0.1:5432/test?schema=${schema}`);
    expect(session.version).toBeGreaterThan(before.version);
    expect(session).not.toHaveProperty('db_secret');
    const shown = (await app.inject({ method: 'GET', url: '/api/session/connection', headers })).json();
    expect(shown.connection).not.toHaveProperty('password');
    // Stored sealed: the store's copy does not contain the password either.
    const stored = await services.sessions.peek(headers['x-session-id']!);
    expect(stored?.db_secret).toMatch(/^v1\./);
    expect(stored?.db_secret).not.toContain('s3cr3t');
  });

  it('answers in the database what the built-in engine can say the same way there; refuses the rest', async () => {
    const direct = await admin.query(
      `SELECT region, SUM(quantity)::int AS total FROM ${schema}.sales GROUP BY 1 ORDER BY 1`,
    );
    const answer = await ask(app, headers, 'Total quantity by region');
    expect(answer.status).toBe('done');
    expect(answer.rows).toEqual(direct.rows.map((r) => [r.region, r.total]));
    const count = await ask(app, headers, 'How many rows are there?');
    expect(count.rows).toEqual([[120]]);
    // SQLite's MEDIAN is PostgreSQL's percentile_cont(0.5): the same number.
    const median = await ask(app, headers, 'median price');
    const directMedian = await admin.query(
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY price) AS m FROM ${schema}.sales`,
    );
    expect(median).toMatchObject({ status: 'done', rows: [[directMedian.rows[0].m]] });
    expect(median.sql).toMatch(/percentile_cont\(0\.5\) WITHIN GROUP/);
    // The built-in engine's "the highest" shape has unnamed subqueries: named on the way.
    const top = await ask(app, headers, 'Which region has the highest total quantity?');
    // Every region tied at the top (30 rows each, quantities 1–5 alike): all of them, as on SQLite.
    const directTop = await admin.query(
      `WITH t AS (SELECT region, SUM(quantity)::int AS total FROM ${schema}.sales GROUP BY 1)
       SELECT region, total FROM t WHERE total = (SELECT MAX(total) FROM t) ORDER BY 1`,
    );
    expect(top.status).toBe('done');
    expect(top.sql).toMatch(/AS "agentgraph_1"/);
    expect(top.rows).toEqual(directTop.rows.map((r) => [r.region, r.total]));
  });

  it('the database refuses writes even for a role that may write; hostile SQL never reaches it', async () => {
    const doc = (await services.sessions.peek(headers['x-session-id']!))!;
    const database = await services.connections.forSession(doc);
    // Past our guard (called directly): a write inside a query is refused by the read-only transaction itself…
    await expect(
      database.query(`SELECT nextval('${schema}.counter')`, { maxRows: 10, timeoutMs: 2000 }),
    ).rejects.toMatchObject({ code: 'unsafe_sql' });
    // … and statements that are not one query never run at all.
    for (const sql of [`INSERT INTO sales VALUES ('X', 1, 1)`, 'SELECT 1; DROP TABLE sales']) {
      const refused = await database.query(sql, { maxRows: 10, timeoutMs: 2000 }).then(
        () => null,
        (e: { code?: string }) => e.code,
      );
      expect(['sql_error', 'unsafe_sql']).toContain(refused);
    }
    expect((await admin.query(`SELECT last_value::int AS v FROM ${schema}.counter`)).rows[0].v).toBe(1);
    const stillThere = await admin.query(`SELECT count(*)::int AS n FROM ${schema}.sales`);
    expect(stillThere.rows[0].n).toBe(120);
    // A statement past the time limit is stopped by the database.
    await expect(database.query('SELECT pg_sleep(5)', { maxRows: 10, timeoutMs: 300 })).rejects.toMatchObject(
      { code: 'query_timeout' },
    );
    // A huge result is cut at the row cap, never read whole.
    const many = await database.query('SELECT g FROM generate_series(1, 1000000) g', {
      maxRows: 50,
      timeoutMs: 5000,
    });
    expect(many).toMatchObject({ row_count: 50, truncated: true });
  });

  it('the catalog is read once per connection: a schema change is seen when the session connects again', async () => {
    const columns = async () =>
      (await app.inject({ method: 'GET', url: '/api/session/tables', headers }))
        .json()
        .tables[0].columns.map((c: { name: string }) => c.name);
    expect(await columns()).toEqual(['region', 'quantity', 'price']);
    await admin.query(`ALTER TABLE ${schema}.sales ADD COLUMN note text`);
    expect(await columns()).toEqual(['region', 'quantity', 'price']);
    expect((await connect(app, headers, { type: 'postgresql', ...PG, schema })).statusCode).toBe(200);
    expect(await columns()).toEqual(['region', 'quantity', 'price', 'note']);
  });

  it('agentgraph ask --db: one question over the database from the command line', async () => {
    const run = runCli(
      [
        'ask',
        '--json',
        '--db',
        `postgresql://postgres:any@127.0.0.1:5432/test?schema=${schema}`,
        'How many rows are there?',
      ],
      {},
    );
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'done', rows: [[120]] });
    expect(run.stdout + run.stderr).not.toContain('any@');
  });

  it('DELETE goes back to the uploads: type, URI and secret reset, the pool closed', async () => {
    const response = await app.inject({ method: 'DELETE', url: '/api/session/connection', headers });
    expect(response.statusCode).toBe(204);
    const session = (await services.sessions.peek(headers['x-session-id']!))!;
    expect(session).toMatchObject({ connection_type: 'csv', db_secret: null, tables: [] });
    expect(session.db_uri).toMatch(/db\.db$/);
    expect(services.connections.size).toBe(0);
  });
});

describe.skipIf(!pgUp)('an LLM over a connected PostgreSQL database (local OpenAI-protocol server)', () => {
  const schema = `agentgraph_llm_${suffix}`;
  let admin: pg.Client;
  let llm: FakeLlm;
  let services: TestServices;
  let app: FastifyInstance;
  let headers: Record<string, string>;

  beforeAll(async () => {
    admin = await scratchSchema(schema);
    await admin.query(`CREATE TABLE ${schema}.sales (region text, quantity integer)`);
    await admin.query(
      `INSERT INTO ${schema}.sales SELECT (ARRAY['North','South','East','West'])[1 + g % 4], g FROM generate_series(1, 40) g`,
    );
    llm = await startFakeLlm({ models: ['test-model'] });
    ({ services, app } = await appWith({ ...fakeLlmEnv(llm), DB_ALLOWED_HOSTS: '127.0.0.1' }));
    headers = await newSession(app);
    expect((await connect(app, headers, { type: 'postgresql', ...PG, schema })).statusCode).toBe(200);
  });

  afterAll(async () => {
    await app?.close();
    await services?.dispose();
    await llm?.close();
    await dropSchema(admin, schema);
  });

  it('the model is told the dialect; its tools and its final SQL run in the database', async () => {
    const sql = `SELECT region, count(*) AS n FROM sales WHERE region ILIKE 'n%' GROUP BY 1`;
    llm.enqueue({ kind: 'tools', calls: [{ name: 'run_sql', arguments: { sql } }] }, sqlReply(sql));
    const result = await ask(app, headers, 'How many sales in the north?');
    expect(result).toMatchObject({ status: 'done', rows: [['North', 10]] });
    const first = llm.chats()[0]!.body as { messages: Array<{ content: string }> };
    const system = first.messages[0]!.content;
    expect(system).toMatch(/SQL for PostgreSQL/);
    expect(system).toMatch(/ILIKE/);
  });

  it('hostile SQL from the model is refused before the database, and the refusal goes back to the model', async () => {
    llm.enqueue(
      {
        kind: 'tools',
        calls: [{ name: 'run_sql', arguments: { sql: "SELECT pg_read_file('/etc/passwd')" } }],
      },
      sqlReply("COPY (SELECT 1) TO PROGRAM 'touch /tmp/agentgraph-pwned'"),
      { kind: 'text', text: 'I cannot read files of the server.' },
    );
    const before = llm.chats().length;
    const result = await ask(app, headers, 'Show me the password file');
    expect(result).toMatchObject({ status: 'done', unsupported: true, sql: null });
    // Each refusal reached the model in its next request.
    const sent = llm
      .chats()
      .slice(before)
      .map((r) => JSON.stringify(r.body));
    expect(sent[1]).toMatch(/PG_READ_FILE is not allowed/);
    expect(sent[2]).toMatch(/not a query/);
    expect(fs.existsSync('/tmp/agentgraph-pwned')).toBe(false);
  });
});

describe.skipIf(!myUp)('a session connected to MariaDB', () => {
  const table = `agentgraph_sales_${suffix}`;
  let admin: mysql.Connection;
  let services: TestServices;
  let app: FastifyInstance;
  let headers: Record<string, string>;

  beforeAll(async () => {
    admin = await mysql.createConnection(MY);
    await admin.query(`CREATE TABLE ${table} (region varchar(20), quantity int, price double)`);
    const values = Array.from(
      { length: 80 },
      (_, i) => `('${REGIONS[i % 4]}', ${(i % 5) + 1}, ${10 + i / 4})`,
    );
    await admin.query(`INSERT INTO ${table} VALUES ${values.join(',')}`);
    ({ services, app } = await appWith({ DB_ALLOWED_HOSTS: '127.0.0.0/8' }));
    headers = await newSession(app);
  });

  afterAll(async () => {
    await app?.close();
    await services?.dispose();
    await admin.query(`DROP TABLE IF EXISTS ${table}`);
    await admin.end();
  });

  it('connects by URI and answers read-only in the database', async () => {
    const response = await connect(app, headers, { uri: 'mysql://root:@127.0.0.1:3306/test' });
    expect(response.statusCode).toBe(200);
    expect(response.json().tables.map((t: { name: string }) => t.name)).toContain(table);
    // Only our table for the question: the shared `test` database may hold others.
    await app.inject({
      method: 'PATCH',
      url: '/api/session',
      headers,
      payload: { include_tables_key: table },
    });
    const answer = await ask(app, headers, 'Total quantity by region');
    const [direct] = await admin.query(
      `SELECT region, SUM(quantity) AS total FROM ${table} GROUP BY 1 ORDER BY 1`,
    );
    expect(answer.status).toBe('done');
    expect(answer.rows).toEqual(
      (direct as Array<{ region: string; total: number }>).map((r) => [r.region, Number(r.total)]),
    );
    // No median aggregate there: said, not approximated.
    const median = await ask(app, headers, 'median price');
    expect(median).toMatchObject({ status: 'done', unsupported: true, sql: null });
    expect(median.answer).toMatch(/MEDIAN\(\)/);
    const doc = (await services.sessions.peek(headers['x-session-id']!))!;
    const database = await services.connections.forSession(doc);
    await expect(
      database.query(`INSERT INTO ${table} VALUES ('X', 1, 1)`, { maxRows: 10, timeoutMs: 2000 }),
    ).rejects.toMatchObject({ code: 'unsafe_sql' });
    const many = await database.query('SELECT a.seq FROM seq_1_to_1000 a, seq_1_to_1000 b', {
      maxRows: 20,
      timeoutMs: 5000,
    });
    expect(many).toMatchObject({ row_count: 20, truncated: true });
    await expect(database.query('SELECT SLEEP(5)', { maxRows: 10, timeoutMs: 300 })).rejects.toMatchObject({
      code: 'query_timeout',
    });
  });

  it('a wrong password is said in words, without the password', async () => {
    const other = await newSession(app);
    const response = await connect(app, other, { type: 'mysql', ...MY, password: 'wrong-p@ss' });
    expect(response.statusCode).toBe(422);
    expect(response.json().error.code).toBe('connection_failed');
    expect(response.json().error.message).toMatch(/user name or password is wrong/);
    expect(response.body).not.toContain('wrong-p@ss');
    expect((await services.sessions.peek(other['x-session-id']!))?.connection_type).toBe('csv');
  });

  it('ending the session closes its database pool', async () => {
    const before = services.connections.size;
    expect(before).toBeGreaterThan(0);
    expect((await app.inject({ method: 'DELETE', url: '/api/session', headers })).statusCode).toBe(204);
    await vi.waitFor(() => expect(services.connections.size).toBe(before - 1));
  });
});

describe('where a session may connect', () => {
  let services: TestServices;
  let app: FastifyInstance;
  let silent: Server;
  const sockets: Socket[] = [];
  let silentPort = 0;

  beforeAll(async () => {
    ({ services, app } = await appWith({ DB_ALLOWED_HOSTS: '127.0.0.1, 10.9.9.0/24' }));
    // Accepts connections and never says a word.
    silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentPort = (silent.address() as { port: number }).port;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
    await app?.close();
    await services?.dispose();
  });

  it('a host outside DB_ALLOWED_HOSTS, also a name resolving outside it, is refused before any connection', async () => {
    const headers = await newSession(app);
    const outside = await connect(app, headers, { type: 'postgresql', ...PG, host: '10.1.2.3' });
    expect([outside.statusCode, outside.json().error.code]).toEqual([403, 'host_not_allowed']);
    const unknown = await connect(app, headers, { type: 'postgresql', ...PG, host: 'no-such-host.invalid' });
    expect(unknown.json().error.code).toBe('connection_failed');
  });

  it('a closed port and a server that never answers: connection_failed within the 5 s limit', async () => {
    const headers = await newSession(app);
    const closed = await connect(app, headers, { type: 'postgresql', ...PG, port: 1 });
    expect(closed.json().error).toMatchObject({ code: 'connection_failed' });
    expect(closed.json().error.message).toMatch(/port closed/);
    const started = Date.now();
    const mute = await connect(app, headers, { type: 'mysql', ...MY, port: silentPort });
    expect(mute.json().error.code).toBe('connection_failed');
    expect(mute.json().error.message).toMatch(/did not answer/);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect((await services.sessions.peek(headers['x-session-id']!))?.connection_type).toBe('csv');
  });

  it('without DB_ALLOWED_HOSTS connections are off, and say so', async () => {
    const off = await appWith({});
    try {
      const headers = await newSession(off.app);
      const response = await connect(off.app, headers, { type: 'postgresql', ...PG });
      expect([response.statusCode, response.json().error.code]).toEqual([403, 'connections_disabled']);
      const shown = (await off.app.inject({ method: 'GET', url: '/api/session/connection', headers })).json();
      expect(shown).toMatchObject({ enabled: false, connection: null });
    } finally {
      await off.app.close();
      await off.services.dispose();
    }
  });
});

describe('connection input, secrets and SQL a database must never get', () => {
  it('a name is checked by the address it resolves to, unless the name itself is listed', async () => {
    await expect(new HostPolicy(['10.9.9.0/24']).check('localhost')).rejects.toMatchObject({
      code: 'host_not_allowed',
      params: { host: 'localhost', address: '127.0.0.1' },
    });
    expect(await new HostPolicy(['127.0.0.0/8']).check('localhost')).toEqual({
      address: '127.0.0.1',
      host: 'localhost',
    });
    expect(await new HostPolicy(['localhost']).check('localhost')).toMatchObject({ host: 'localhost' });
    await expect(new HostPolicy(['*.example.com']).check('10.0.0.1')).rejects.toMatchObject({
      code: 'host_not_allowed',
    });
    expect(() => new HostPolicy(['10.0.0.0/40'])).toThrow(/CIDR/);
  });

  it('a password with special characters survives a URI and a seal, and is masked', () => {
    const password = `p@ss:w/rd;'"% é`;
    const spec = parseConnectionInput({
      uri: `postgresql://ana:${encodeURIComponent(password)}@db.example.com:6543/sales?schema=public&sslmode=require`,
    });
    expect(spec).toMatchObject({
      type: 'postgresql',
      host: 'db.example.com',
      port: 6543,
      password,
      ssl: true,
    });
    const box = new SecretBox('x'.repeat(32));
    const sealed = box.seal(JSON.stringify(spec));
    expect(sealed).not.toContain('p@ss');
    expect(JSON.parse(box.open(sealed)).password).toBe(password);
    expect(() => new SecretBox('y'.repeat(32)).open(sealed)).toThrow(/SECRET_KEY/);
    expect(maskedUri(spec)).toBe(
      'postgresql://ana:***@db.example.com:6543/sales?schema=public&sslmode=require',
    );
  });

  it.each([
    ['INSERT INTO t VALUES (1)', 'not a query'],
    ['DROP TABLE t', 'not a query'],
    ["COPY (SELECT 1) TO PROGRAM 'id'", 'not a query'],
    ["SELECT pg_read_file('/etc/passwd')", 'PG_READ_FILE'],
    ["SELECT * FROM t INTO OUTFILE '/tmp/x'", 'INTO'],
    ["LOAD DATA INFILE '/etc/passwd' INTO TABLE t", 'not a query'],
    ['SET ROLE postgres', 'not a query'],
    ['SELECT 1; DROP TABLE t', 'more than one statement'],
    ['SELECT pg_sleep(100)', 'PG_SLEEP'],
  ])('%s → refused (%s)', (sql, why) => {
    expect(unsafeRemoteSql(sql)).toContain(why);
  });

  it('the built-in SQL in each database’s spelling, or refused when its meaning would differ', () => {
    expect(toDialect(`SELECT COUNT(*) FROM "t" WHERE "name" LIKE '%like%'`, 'postgresql')).toEqual({
      sql: `SELECT COUNT(*) FROM "t" WHERE "name" ILIKE '%like%'`,
    });
    expect(toDialect('SELECT CAST("a" AS REAL) FROM "t"', 'mysql')).toEqual({
      sql: 'SELECT CAST("a" AS DOUBLE) FROM "t"',
    });
    expect(toDialect('SELECT CAST("a" AS INTEGER) FROM "t"', 'postgresql')).toEqual({
      sql: 'SELECT CAST("a" AS BIGINT) FROM "t"',
    });
    expect(toDialect('SELECT "r", MEDIAN("p") FROM "t" GROUP BY 1', 'postgresql')).toEqual({
      sql: 'SELECT "r", percentile_cont(0.5) WITHIN GROUP (ORDER BY "p") FROM "t" GROUP BY 1',
    });
    // An unnamed subquery in FROM gets a name (both databases require one); named ones and IN (…) stay as they are.
    expect(toDialect('SELECT * FROM (SELECT 1 AS "a") WHERE "a" = 1', 'mysql')).toEqual({
      sql: 'SELECT * FROM (SELECT 1 AS "a") AS "agentgraph_1" WHERE "a" = 1',
    });
    expect(
      toDialect(`SELECT "a" FROM (SELECT ')' AS "a") "x" WHERE "a" IN (SELECT 1)`, 'postgresql'),
    ).toEqual({
      sql: `SELECT "a" FROM (SELECT ')' AS "a") "x" WHERE "a" IN (SELECT 1)`,
    });
    // MySQL/MariaDB have no median aggregate: refused, never approximated.
    expect(toDialect('SELECT MEDIAN("p") FROM "t"', 'mysql')).toEqual({ refused: 'MEDIAN()' });
    for (const sql of [
      `SELECT * FROM "t" WHERE strftime('%w', "d") = '0'`,
      'SELECT MEDIAN(CAST("p" AS REAL)) FROM "t"',
      'SELECT * FROM "t" ORDER BY rowid DESC LIMIT 1',
    ]) {
      expect(toDialect(sql, 'postgresql')).toHaveProperty('refused');
    }
    expect(
      toDialect(`SELECT COUNT(*) FROM "t" WHERE strftime('%Y-%m', "d") = '2021-03'`, 'postgresql'),
    ).toEqual({
      sql: `SELECT COUNT(*) FROM "t" WHERE to_char("d", 'YYYY-MM') = '2021-03'`,
    });
    expect(toDialect(`SELECT strftime('%Y', "d") AS "year" FROM "t"`, 'mysql')).toEqual({
      sql: `SELECT DATE_FORMAT("d", '%Y') AS "year" FROM "t"`,
    });
    // A quoted name that looks like a function is a name.
    expect(toDialect('SELECT "strftime(" FROM "t"', 'mysql')).toEqual({ sql: 'SELECT "strftime(" FROM "t"' });
  });

  it('plain queries pass, whatever their quoted names and literals hold', () => {
    expect(unsafeRemoteSql(`SELECT "set", COUNT(*) FROM "into" WHERE "x" = 'a; DROP' GROUP BY 1`)).toBeNull();
  });
});
