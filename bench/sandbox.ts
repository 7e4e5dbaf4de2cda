/**
 * bench/sandbox — the SQL sandbox's cost and its stop time (issue 5, item 2):
 * - a 1,000-row GROUP BY: in process (better-sqlite3 directly; and with the guard), and through QuerySandbox
 *   (IPC to a child process), sequential p50/p99, plus throughput with 8 concurrent callers;
 * - a never-ending statement: from the timeout firing to the caller's rejection (the child is already dead then),
 *   to the killed PID being gone, and to the replacement child being ready.
 *
 *   npx tsx bench/sandbox.ts
 *
 * Run from source, children are forked with `--import tsx`, so the respawn figure includes loading tsx; the
 * compiled server (dist/) forks plain `node child.js`.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openReadOnly } from '../src/engine/sandbox/db-cache.js';
import { QuerySandbox } from '../src/engine/sandbox/index.js';
import { prepareGuarded } from '../src/engine/sql-guard.js';
import { AppError } from '../src/errors.js';
import { formatTable, percentiles, type Row, runIfMain, time } from './stats.js';

const OPS = Number(process.env.BENCH_OPS ?? 2000);
const KILLS = Number(process.env.BENCH_KILLS ?? 10);
const TIMEOUT_MS = 200;
const GROUP_BY =
  'SELECT city, count(*) AS n, round(sum(amount), 2) AS total FROM t GROUP BY city ORDER BY n DESC';
const ENDLESS = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c';

function makeDb(dir: string): string {
  const path = join(dir, 'db.db');
  const db = new Database(path);
  db.exec('CREATE TABLE t (id INTEGER, city TEXT, amount REAL)');
  const insert = db.prepare('INSERT INTO t VALUES (?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < 1000; i++) insert.run(i, `city_${i % 20}`, (i % 97) * 1.25);
  })();
  db.close();
  return path;
}

const row = (name: string, samples: number[], note?: string): Row => ({
  name,
  ...percentiles(samples),
  ...(note ? { note } : {}),
});

async function latency(dbPath: string): Promise<Row[]> {
  const db = openReadOnly(dbPath);
  const direct = await time(OPS, async () => db.prepare(GROUP_BY).raw().all());
  const guarded = await time(OPS, async () => prepareGuarded(db, GROUP_BY).statement.raw().all());
  db.close();

  const sandbox = new QuerySandbox({ size: 2, timeoutMs: 5000, maxRows: 1000 });
  await sandbox.warm();
  const viaSandbox = await time(OPS, () => sandbox.run(dbPath, GROUP_BY));
  const start = performance.now();
  let done = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (done < OPS) {
        done += 1;
        await sandbox.run(dbPath, GROUP_BY);
      }
    }),
  );
  const qps = Math.round(OPS / ((performance.now() - start) / 1000));
  await sandbox.close();
  console.log(`throughput, 8 concurrent callers, pool of 2: ${qps} queries/s`);
  return [
    row('1,000-row GROUP BY in process (prepare + all)', direct),
    row('same, in process with the guard (checkSql + prepare + verdict)', guarded),
    row('same, through QuerySandbox (guard + IPC to a child)', viaSandbox),
  ];
}

async function stopTimes(dbPath: string): Promise<Row[]> {
  const sandbox = new QuerySandbox({ size: 1, timeoutMs: TIMEOUT_MS, maxRows: 10 });
  const answered: number[] = [];
  const pidGone: number[] = [];
  const respawned: number[] = [];
  try {
    for (let i = 0; i < KILLS; i++) {
      await sandbox.warm();
      const [pid] = sandbox.stats().pids;
      const start = performance.now();
      try {
        await sandbox.run(dbPath, ENDLESS);
        throw new Error('the endless query ended');
      } catch (error) {
        if (!(error instanceof AppError) || error.code !== 'query_timeout') throw error;
      }
      const fired = start + TIMEOUT_MS;
      answered.push(performance.now() - fired);
      while (existsSync(`/proc/${pid}`)) await new Promise((resolve) => setImmediate(resolve));
      pidGone.push(performance.now() - fired);
      await sandbox.warm();
      respawned.push(performance.now() - fired);
    }
  } finally {
    await sandbox.close();
  }
  return [
    row(`timeout fired → caller gets query_timeout (child already exited)`, answered),
    row('timeout fired → killed PID gone from /proc (CPU idle)', pidGone),
    row('timeout fired → replacement child ready', respawned),
  ];
}

export async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'agentgraph-bench-sandbox-'));
  try {
    const dbPath = makeDb(dir);
    const rows = [...(await latency(dbPath)), ...(await stopTimes(dbPath))];
    console.log(`\n## SQL sandbox (issue 5) — ${OPS} queries, ${KILLS} kills, ${new Date().toISOString()}\n`);
    console.log(formatTable(rows));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, main);
