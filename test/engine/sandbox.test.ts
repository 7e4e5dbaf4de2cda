import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { QuerySandbox } from '../../src/engine/sandbox/index.js';
import type { RunRequest } from '../../src/engine/sandbox/protocol.js';
import { AppError } from '../../src/errors.js';
import { removeDir, sleep, tempDir } from '../helpers/services.js';
import { alive, cpuTicks, fingerprint, makeSessionDb, type SessionDb } from './sandbox-helpers.js';

const ENDLESS = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c';

async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected the query to fail');
}

/** CPU ticks (1/100 s) the given processes use over `ms`; a vanished process counts as 0. */
async function cpuOver(pids: number[], ms: number): Promise<number> {
  const before = pids.map((pid) => cpuTicks(pid) ?? 0);
  await sleep(ms);
  return pids.reduce((sum, pid, i) => sum + Math.max(0, (cpuTicks(pid) ?? before[i]!) - before[i]!), 0);
}

/**
 * CPU ticks of freshly started children over 500 ms, once they have had 300 ms to finish starting (their start-up
 * took 6–7 ticks of the window in full parallel runs). A query still spinning would take ~50.
 */
async function idleTicks(pids: number[]): Promise<number> {
  await sleep(300);
  return cpuOver(pids, 500);
}

/** How many of the sandbox's children hold this database open (from /proc/{pid}/fd). */
async function countOpenDatabasesOf(dbPath: string): Promise<number> {
  let count = 0;
  for (const pid of sandbox.stats().pids) {
    for (const fd of await readdir(`/proc/${pid}/fd`).catch(() => [] as string[])) {
      if ((await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')) === dbPath) count += 1;
    }
  }
  return count;
}

let dataDir: string;
let a: SessionDb;
let b: SessionDb;
let sandbox: QuerySandbox;

beforeAll(async () => {
  dataDir = tempDir('agentgraph-sandbox');
  a = makeSessionDb(dataDir, 1500, ['Seattle', 'Boston', 'Lisboa']);
  b = makeSessionDb(dataDir, 40, ['Recife', 'Porto']);
  sandbox = new QuerySandbox({ size: 2, timeoutMs: 5000, maxRows: 1000 });
  await sandbox.warm();
});

afterAll(async () => {
  await sandbox.close();
  removeDir(dataDir);
});

describe('hostile statements', () => {
  // expect: 'unsafe' = refused by the guard; 'error' = refused by SQLite (cannot even prepare); 'ok' = SQLite
  // accepts it as a reader and it is harmless (the hashes below prove nothing changed).
  type Expect = 'unsafe' | 'error' | 'ok';
  const battery = (): Array<[string, Expect]> => [
    ['DROP TABLE t', 'unsafe'],
    ['drop table if exists t', 'unsafe'],
    ['DELETE FROM t', 'unsafe'],
    ['DELETE FROM t RETURNING *', 'unsafe'],
    ["UPDATE t SET city = 'x'", 'unsafe'],
    ["INSERT INTO t VALUES (99, 'x', 1)", 'unsafe'],
    ['INSERT INTO t DEFAULT VALUES RETURNING *', 'unsafe'],
    ["REPLACE INTO t VALUES (1, 'x', 1)", 'unsafe'],
    ["INSERT OR REPLACE INTO t VALUES (1, 'x', 1)", 'unsafe'],
    ['CREATE TABLE x (a)', 'unsafe'],
    ['CREATE TEMP TABLE x (a)', 'unsafe'],
    ['CREATE TABLE x AS SELECT * FROM t', 'unsafe'],
    ['CREATE VIEW v AS SELECT 1', 'unsafe'],
    ['CREATE INDEX i ON t (city)', 'unsafe'],
    ['CREATE TRIGGER tr AFTER INSERT ON t BEGIN DELETE FROM t; END', 'unsafe'],
    ['CREATE VIRTUAL TABLE f USING fts5(a)', 'unsafe'],
    ['ALTER TABLE t RENAME TO u', 'unsafe'],
    ['ALTER TABLE t ADD COLUMN z', 'unsafe'],
    ["UPDATE sqlite_master SET sql = '' WHERE name = 't'", 'unsafe'],
    ['DELETE FROM _agentgraph_catalog', 'unsafe'],
    [`ATTACH DATABASE '${b.dbPath}' AS other`, 'unsafe'],
    [`/* looks harmless */ attach '${b.dbPath}' as other;`, 'unsafe'],
    [`SELECT * FROM t; ATTACH '${b.dbPath}' AS other`, 'unsafe'],
    ["ATTACH ':memory:' AS m", 'unsafe'],
    ['DETACH DATABASE main', 'unsafe'],
    ['DETACH other', 'unsafe'],
    [`SELECT * FROM other.t`, 'error'],
    ['PRAGMA writable_schema = 1', 'unsafe'],
    ['PRAGMA main.writable_schema = ON', 'unsafe'],
    ['PRAGMA journal_mode = delete', 'unsafe'],
    ['PRAGMA journal_mode = WAL', 'unsafe'],
    ['PRAGMA query_only = 0', 'unsafe'],
    ['PRAGMA user_version = 7', 'unsafe'],
    ['PRAGMA table_info(t)', 'unsafe'],
    ['SELECT * FROM pragma_database_list', 'unsafe'],
    ['SELECT * FROM "pragma_writable_schema"', 'unsafe'],
    ['SELECT writable_schema FROM t', 'unsafe'],
    ['SELECT 1; DROP TABLE t', 'unsafe'],
    ['SELECT 1;DELETE FROM t;', 'unsafe'],
    ['VALUES (1); DROP TABLE t', 'unsafe'],
    ['VACUUM', 'unsafe'],
    [`VACUUM INTO '${join(dataDir, 'stolen.db')}'`, 'unsafe'],
    [`vacuum main into '${join(b.dir, 'overwrite.db')}'`, 'unsafe'],
    ["SELECT load_extension('x')", 'unsafe'],
    [`SELECT "load_extension"('/tmp/x.so', 'entry')`, 'unsafe'],
    ['WITH x AS (SELECT 1) DELETE FROM t', 'unsafe'],
    ['WITH x AS (SELECT 1) INSERT INTO t SELECT 1, 2, 3 FROM x', 'unsafe'],
    ["WITH x(a) AS MATERIALIZED (SELECT 1) UPDATE t SET city = 'y'", 'unsafe'],
    ["WITH RECURSIVE x(n) AS (SELECT 1) REPLACE INTO t VALUES (1, 'a', 1)", 'unsafe'],
    ['WITH x AS (INSERT INTO t VALUES (1, 2, 3) RETURNING *) SELECT * FROM x', 'error'],
    ['SELECT * FROM t WHERE id IN (DELETE FROM t RETURNING id)', 'error'],
    ['EXPLAIN DELETE FROM t', 'unsafe'],
    ['EXPLAIN QUERY PLAN DROP TABLE t', 'unsafe'],
    ['REINDEX', 'unsafe'],
    ['REINDEX t', 'unsafe'],
    ['ANALYZE', 'unsafe'],
    ['SAVEPOINT a', 'unsafe'],
    ['RELEASE a', 'unsafe'],
    ['BEGIN', 'unsafe'],
    ['BEGIN IMMEDIATE', 'unsafe'],
    ['COMMIT', 'unsafe'],
    ['END', 'unsafe'],
    ['ROLLBACK', 'unsafe'],
    ["SELECT readfile('/etc/passwd')", 'unsafe'],
    ["SELECT writefile('/tmp/agentgraph-pwned', 'x')", 'unsafe'],
    ["SELECT fts3_tokenizer('simple')", 'unsafe'],
    ["SELECT fts3_tokenizer('simple', x'4141414141414141')", 'unsafe'],
    ['SELECT * FROM sqlite_dbpage', 'unsafe'],
    // Comments and strings hiding statements: the hidden part is never a statement.
    ['SELECT 1 /* ; DROP TABLE t */', 'ok'],
    ['SELECT 1 -- ; DROP TABLE t', 'ok'],
    ['SELECT 1 --\r DROP TABLE t', 'ok'],
    ['SELECT 1 /* never closed ; DROP TABLE t', 'ok'],
    ['/*/ DROP TABLE t /*/ SELECT 1', 'ok'],
    ["SELECT '; DROP TABLE t;'", 'ok'],
    ['SELECT * FROM t; -- ok', 'ok'],
    ['SELECT "a"";DROP TABLE t"', 'ok'], // a double-quoted "string": rewritten to a literal, harmless
    ['SELECT [; DROP TABLE t]', 'error'],
    ['SELECT `a; DROP TABLE t`', 'error'],
    // Unicode tricks: SQLite treats non-ASCII as identifier characters, never as separators.
    ['SELECT 1；DROP TABLE t', 'error'], // fullwidth semicolon
    ['SELECT 1\u200B; DROP TABLE t', 'unsafe'], // zero-width space before a real semicolon
    ['ＤＲＯＰ TABLE t', 'unsafe'], // fullwidth letters
    ['DR\u200BOP TABLE t', 'unsafe'],
    ['\uFEFFDROP TABLE t', 'unsafe'], // byte-order mark
    ['SELECT 1\u000B; DROP TABLE t', 'unsafe'], // vertical tab is not whitespace for SQLite
    ['\r\n\tDROP\tTABLE\r\nt', 'unsafe'],
    ["SELECT 'x' || char(59) || ' DROP TABLE t'", 'ok'],
    // Harmless readers SQLite accepts.
    ["SELECT * FROM pragma_table_info('t')", 'ok'],
    ['SELECT name, sql FROM sqlite_schema', 'ok'],
    ['SELECT * FROM _agentgraph_catalog', 'ok'],
    ['SELECT randomblob(16), zeroblob(1000)', 'ok'],
    ['EXPLAIN SELECT * FROM t', 'ok'],
    ["SELECT sqlite_compileoption_used('ENABLE_FTS5')", 'ok'],
    ['SELECT edit, readfile FROM (SELECT 1 AS edit, 2 AS readfile)', 'ok'], // only calls are refused
  ];

  it('refuses every writer and changes nothing in either session (sha256 before and after)', async () => {
    const statementsRun = battery();
    expect(statementsRun.length).toBeGreaterThanOrEqual(50);
    const before = [fingerprint(a), fingerprint(b)];
    const outcomes: string[] = [];
    for (const [sql, expected] of statementsRun) {
      let got: string;
      try {
        await sandbox.run(a.dbPath, sql);
        got = 'ok';
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        got = error.code === 'unsafe_sql' ? 'unsafe' : error.code === 'sql_error' ? 'error' : error.code;
        // Reasons and SQLite messages go to the model: never a stack or a file path.
        expect(error.message).not.toContain(dataDir);
        expect(error.message).not.toMatch(/\n\s+at /);
      }
      outcomes.push(`${got === expected ? 'as expected' : `GOT ${got}, WANTED ${expected}`}: ${sql}`);
    }
    expect(outcomes.filter((line) => line.startsWith('GOT'))).toEqual([]);
    expect([fingerprint(a), fingerprint(b)]).toEqual(before);
    expect(existsSync(join(dataDir, 'stolen.db'))).toBe(false);
    expect(existsSync('/tmp/agentgraph-pwned')).toBe(false);
    expect(sandbox.stats().crashes).toBe(0);
  });
});

describe('results', () => {
  it('caps rows: truncated with exactly maxRows rows', async () => {
    const capped = await sandbox.run(a.dbPath, 'SELECT id FROM t ORDER BY id', { maxRows: 10 });
    expect(capped.truncated).toBe(true);
    expect(capped.row_count).toBe(10);
    expect(capped.rows).toEqual(Array.from({ length: 10 }, (_, i) => [i + 1]));
    const exact = await sandbox.run(a.dbPath, 'SELECT id FROM t LIMIT 10', { maxRows: 10 });
    expect(exact.truncated).toBe(false);
    expect(exact.row_count).toBe(10);
  });

  it('repairs double-quoted string literals', async () => {
    const result = await sandbox.run(a.dbPath, 'SELECT count(*) AS n FROM t WHERE city = "Seattle"');
    expect(result.rows).toEqual([[500]]);
    expect(result.sql).toBe(`SELECT count(*) AS n FROM t WHERE city = 'Seattle'`);
    expect(result.rewrites).toEqual(['"Seattle"']);
  });

  it('returns JSON-safe values: exact big integers, blobs as hex, infinity as text', async () => {
    const result = await sandbox.run(a.dbPath, "SELECT 9007199254740993, 42, x'00ff', 1e999, 'ok', NULL");
    expect(result.columns).toHaveLength(6);
    expect(result.rows).toEqual([['9007199254740993', 42, '0x00ff', 'Infinity', 'ok', null]]);
    expect(JSON.parse(JSON.stringify(result.rows))).toEqual(result.rows);
  });

  it('binds parameters and reports SQLite errors as sql_error', async () => {
    const bound = await sandbox.run(a.dbPath, 'SELECT count(*) FROM t WHERE city = ?', {
      params: ['Boston'],
    });
    expect(bound.rows).toEqual([[500]]);
    const error = await failure(sandbox.run(a.dbPath, 'SELECT nope FROM t'));
    expect(error.code).toBe('sql_error');
    expect(error.status).toBe(422);
    expect(error.message).toContain('no such column: nope');
  });

  it('never mixes results of parallel queries on two databases', async () => {
    const jobs = Array.from({ length: 24 }, (_, i) => {
      const session = i % 2 === 0 ? a : b;
      return sandbox
        .run(session.dbPath, 'SELECT count(*), group_concat(DISTINCT city) FROM t')
        .then((r) => ({ session, row: r.rows[0] }));
    });
    for (const { session, row } of await Promise.all(jobs)) {
      expect(row).toEqual(session === a ? [1500, 'Seattle,Boston,Lisboa'] : [40, 'Recife,Porto']);
    }
  });

  it('sees a table uploaded after the handle was opened', async () => {
    const c = makeSessionDb(dataDir, 3, ['X']);
    expect((await sandbox.run(c.dbPath, 'SELECT count(*) FROM t')).rows).toEqual([[3]]);
    const writer = new Database(c.dbPath);
    writer.exec("CREATE TABLE uploaded (v TEXT); INSERT INTO uploaded VALUES ('new');");
    writer.close();
    // The new table also takes part in the double-quote repair's column list.
    const result = await sandbox.run(c.dbPath, 'SELECT v FROM uploaded WHERE v = "new"');
    expect(result.rows).toEqual([['new']]);
  });

  it("forget() closes every child's handle on an ended session's database", async () => {
    const ended = makeSessionDb(dataDir, 5, ['Y']);
    await sandbox.run(b.dbPath, 'SELECT count(*) FROM t');
    // Both children open it (two statements at once), then the session ends.
    await Promise.all([
      sandbox.run(ended.dbPath, 'SELECT count(*) FROM t'),
      sandbox.run(ended.dbPath, 'SELECT count(*) FROM t'),
    ]);
    const handles = () => countOpenDatabasesOf(ended.dbPath);
    expect(await handles()).toBe(2);
    sandbox.forget(ended.dbPath);
    await vi.waitFor(async () => expect(await handles()).toBe(0), { timeout: 5_000 });
    // The other sessions' handles stay open, and the forgotten one opens again on demand.
    expect(await countOpenDatabasesOf(b.dbPath)).toBeGreaterThan(0);
    expect((await sandbox.run(ended.dbPath, 'SELECT count(*) FROM t')).rows).toEqual([[5]]);
  });

  it('answers check() without running the statement', async () => {
    const checked = await sandbox.check(a.dbPath, 'SELECT city FROM t WHERE city = "Lisboa";');
    expect(checked).toEqual({
      sql: "SELECT city FROM t WHERE city = 'Lisboa'",
      columns: ['city'],
      rewrites: ['"Lisboa"'],
    });
    expect((await failure(sandbox.check(a.dbPath, 'DELETE FROM t'))).code).toBe('unsafe_sql');
  });
});

describe('stopping statements', () => {
  it('times out a never-ending query, kills its process and leaves the CPU idle', async () => {
    const small = new QuerySandbox({ size: 1, timeoutMs: 400, maxRows: 10 });
    try {
      await small.warm();
      const [pid] = small.stats().pids;
      const error = await failure(small.run(a.dbPath, ENDLESS));
      expect(error.code).toBe('query_timeout');
      expect(error.message).toContain('the limit is 400 ms');
      expect(alive(pid!)).toBe(false);
      await small.warm(); // the replacement, started right away
      const replacement = small.stats().pids;
      expect(replacement).not.toContain(pid);
      expect(await idleTicks(replacement)).toBeLessThanOrEqual(5);
      expect((await small.run(a.dbPath, 'SELECT count(*) FROM t')).rows).toEqual([[1500]]);
      expect(small.stats()).toMatchObject({ timeouts: 1, crashes: 0 });
    } finally {
      await small.close();
    }
  });

  it('cancels a running never-ending query via AbortSignal, and a queued one without killing', async () => {
    const small = new QuerySandbox({ size: 1, timeoutMs: 60_000, maxRows: 10 });
    try {
      await small.warm();
      const [pid] = small.stats().pids;
      const controller = new AbortController();
      const running = small.run(a.dbPath, ENDLESS, { signal: controller.signal });
      const queuedController = new AbortController();
      const queued = small.run(a.dbPath, 'SELECT 1', { signal: queuedController.signal });
      await sleep(150);
      expect(cpuTicks(pid!)).not.toBeNull();
      queuedController.abort();
      expect((await failure(queued)).code).toBe('query_cancelled');
      expect(alive(pid!)).toBe(true); // cancelling a queued query does not touch the running child
      controller.abort();
      const error = await failure(running);
      expect(error.code).toBe('query_cancelled');
      expect(alive(pid!)).toBe(false);
      await small.warm();
      expect(await idleTicks(small.stats().pids)).toBeLessThanOrEqual(5);
      expect(small.stats()).toMatchObject({ cancellations: 2, timeouts: 0 });
      const already = AbortSignal.abort();
      expect((await failure(small.run(a.dbPath, 'SELECT 1', { signal: already }))).code).toBe(
        'query_cancelled',
      );
    } finally {
      await small.close();
    }
  });

  it('replaces a crashed child; its request fails cleanly and the queue goes on in order', async () => {
    const crashes: number[] = [];
    const small = new QuerySandbox({
      size: 1,
      timeoutMs: 60_000,
      maxRows: 10,
      onCrash: (info) => crashes.push(info.pid),
    });
    try {
      await small.warm();
      const [pid] = small.stats().pids;
      const order: number[] = [];
      const doomed = small.run(a.dbPath, ENDLESS);
      const after = [1, 2, 3].map((n) =>
        small.run(b.dbPath, `SELECT ${n}`).then((r) => order.push(r.rows[0]![0] as number)),
      );
      expect(small.stats().queued).toBe(3);
      await sleep(100);
      process.kill(pid!, 'SIGKILL');
      const error = await failure(doomed);
      expect(error.code).toBe('sandbox_crashed');
      expect(error.status).toBe(500);
      await Promise.all(after);
      expect(order).toEqual([1, 2, 3]);
      expect(crashes).toEqual([pid]);
    } finally {
      await small.close();
    }
  });

  it("the child's watchdog kills its own process when a deadline passes without the parent", async () => {
    const sandboxDir = join(import.meta.dirname, '../../src/engine/sandbox');
    const child = fork(join(sandboxDir, 'child.ts'), ['{}'], {
      execArgv: ['--import', 'tsx'],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    });
    const exit = new Promise<string | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    await new Promise((resolve) => child.once('message', resolve)); // ready
    const request: RunRequest = {
      type: 'run',
      id: 1,
      dbPath: a.dbPath,
      sql: ENDLESS,
      maxRows: 1,
      params: [],
      deadlineMs: 300,
      checkOnly: false,
    };
    child.send(request);
    expect(await exit).toBe('SIGKILL');
  });

  it('refuses a result over the byte cap with result_too_large, and the child lives on', async () => {
    const small = new QuerySandbox({ size: 1, timeoutMs: 5000, maxRows: 100, maxResultBytes: 10_000 });
    try {
      const error = await failure(small.run(a.dbPath, "SELECT printf('%.2000c', 'x') FROM t"));
      expect(error.code).toBe('result_too_large');
      expect((await small.run(a.dbPath, 'SELECT count(*) FROM t')).rows).toEqual([[1500]]);
      expect(small.stats()).toMatchObject({ spawns: 1, crashes: 0 });
    } finally {
      await small.close();
    }
  });

  it('close() is idempotent, kills the children and refuses new work', async () => {
    const small = new QuerySandbox({ size: 2, timeoutMs: 60_000, maxRows: 10 });
    await small.warm();
    const pids = small.stats().pids;
    // Observe the failure from the start: it settles while close() is awaited.
    const running = failure(small.run(a.dbPath, ENDLESS));
    await Promise.all([small.close(), small.close()]);
    expect((await running).code).toBe('query_cancelled');
    for (const pid of pids) expect(alive(pid)).toBe(false);
    expect((await failure(small.run(a.dbPath, 'SELECT 1'))).code).toBe('query_cancelled');
    expect(small.stats()).toMatchObject({ children: 0, closed: true });
  });
});
