/**
 * Scaled mode across real processes: one `agentgraph serve` and two `agentgraph worker` processes (spawned from
 * source) on the real Redis under a random key prefix, sharing a temp DATA_DIR. Questions from five sessions
 * interleaved; caches per worker (hits, fingerprint, session-ended eviction); a worker SIGKILLed mid-question (retried
 * once elsewhere, then worker_lost); SIGTERM finishing the running question. The LLM is a local OpenAI-protocol
 * server whose delayed replies keep a question running as long as a test needs.
 */
import type { ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../src/queue/keys.js';
import { type FakeLlm, sqlReply, startFakeLlm } from '../helpers/fake-llm.js';
import { salesCsv } from '../helpers/multipart.js';
import { exitOf } from '../helpers/process.js';
import {
  deletePrefix,
  REDIS_URL,
  randomPrefix,
  removeDir,
  shouldRunRedis,
  tempDir,
} from '../helpers/services.js';
import { type Cluster, startCluster, Visitor } from './cluster.js';

const runRedis = await shouldRunRedis('scaled mode (API + workers) tests');

describe.runIf(runRedis)('scaled mode: an API process and two workers', { timeout: 120_000 }, () => {
  let cluster: Cluster;
  let llm: FakeLlm;
  let redis: Redis;
  const prefix = randomPrefix();
  const dataDir = tempDir('agentgraph-scale');

  beforeAll(async () => {
    llm = await startFakeLlm({ models: ['test-model'] });
    redis = new Redis(REDIS_URL);
    cluster = await startCluster(
      {
        REDIS_URL,
        DATA_DIR: dataDir,
        MAX_SESSIONS_PER_IP: '50',
        WORKER_CONCURRENCY: '2',
        OPENAI_BASE_URL: llm.url,
        OPENAI_API_KEY: 'sk-test-secret',
        DEFAULT_MODEL: 'builtin',
        QUERY_TIMEOUT_MS: '60000',
      },
      prefix,
      2,
      ['--lock-ms', '2000'],
    );
  }, 90_000);

  afterAll(async () => {
    await cluster?.stop();
    await llm?.close();
    redis?.disconnect();
    await deletePrefix(REDIS_URL, prefix);
    removeDir(dataDir);
  });

  /** The worker process running a query, from the query's meta in Redis (written when a worker starts it). */
  async function runningOn(queryId: string, except?: ChildProcess): Promise<ChildProcess> {
    return cluster.waitFor(`a worker to run ${queryId}`, async () => {
      const meta = await redis.hgetall(keys.meta(prefix, queryId));
      if (meta.status !== 'running' || !meta.worker) return null;
      const pid = Number(meta.worker.split('-').at(-1));
      return cluster.workers.find((w) => w.pid === pid && w !== except && w.exitCode === null) ?? null;
    });
  }

  async function chatsReach(n: number): Promise<void> {
    await cluster.waitFor(`${n} LLM requests`, async () => llm.chats().length >= n, 30_000);
  }

  /**
   * A new visitor with `rows` sales whose first question is running on a worker while the model "thinks" (15 s);
   * the retry of that question, if any, is answered at once.
   */
  async function slowQuestionRunning(rows: number) {
    const v = await Visitor.create(cluster.base);
    await v.upload('sales.csv', salesCsv(rows));
    const chats = llm.chats().length;
    llm.enqueue(
      sqlReply('SELECT COUNT(*) AS n FROM sales', 15_000),
      sqlReply('SELECT COUNT(*) AS n FROM sales'),
    );
    const first = await v.submit('How many sales?', 'test-model');
    await chatsReach(chats + 1);
    return { v, chats, first, worker: await runningOn(first) };
  }

  it('answers interleaved questions from 5 sessions without crossing them; caches hit, see uploads, end with the session', async () => {
    const visitors = await Promise.all(Array.from({ length: 5 }, () => Visitor.create(cluster.base)));
    await Promise.all(visitors.map((v, i) => v.upload('sales.csv', salesCsv(101 + i))));

    const asks = [];
    for (let round = 0; round < 4; round++) {
      for (const [i, v] of visitors.entries()) {
        const question = round % 2 ? 'How many rows are there?' : 'Quantas linhas existem?';
        asks.push(v.ask(question).then((r) => ({ i, r })));
      }
    }
    for (const { i, r } of await Promise.all(asks)) {
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body).toMatchObject({ status: 'done', rows: [[101 + i]], session_id: visitors[i]!.id });
    }
    // Reports follow each question within ~50 ms: wait until they have counted all 20.
    let stats = await cluster.waitFor('the reports to count 20 questions', async () => {
      const s = await cluster.stats();
      return s.worker_totals.processed >= 20 ? s : null;
    });
    expect(stats.workers).toHaveLength(2);
    // Both workers took questions (each runs 2 at a time, 20 arrived at once).
    for (const w of stats.workers) expect(w.processed).toBeGreaterThan(0);

    // Repeated questions hit the cached agent.
    const before = stats.worker_totals;
    for (let k = 0; k < 4; k++)
      expect((await visitors[0]!.ask('How many rows are there?')).body.rows).toEqual([[101]]);
    stats = await cluster.waitFor('the reports to count the new questions', async () => {
      const s = await cluster.stats();
      return s.worker_totals.processed >= 24 ? s : null;
    });
    // At most one miss: the worker that had not seen this session yet builds its agent once.
    expect(stats.worker_totals.hits).toBeGreaterThanOrEqual(before.hits + 3);

    // An upload changes the database's fingerprint (and the table list): the next question builds a new agent.
    const missesBefore = stats.worker_totals.misses;
    await visitors[0]!.upload('extra.csv', 'name,qty\na,1\nb,2\nc,3\n');
    const extra = await visitors[0]!.ask('How many rows are in extra?');
    expect(extra.body).toMatchObject({ status: 'done', rows: [[3]] });
    stats = await cluster.waitFor('the miss to be reported', async () => {
      const s = await cluster.stats();
      return s.worker_totals.misses > missesBefore ? s : null;
    });
    // One agent per session and worker at most: the stale one was dropped, not kept beside the new one.
    expect(stats.worker_totals.agents).toBeLessThanOrEqual(2 * 5);
    expect(stats.worker_totals.sessions).toBeGreaterThanOrEqual(5);
    expect(stats.worker_totals.databases).toBeGreaterThan(0);

    // DELETE of every session empties the caches of both workers (pub/sub session-ended).
    for (const v of visitors) expect(await v.end()).toBe(204);
    stats = await cluster.waitFor('every worker to drop the ended sessions', async () => {
      const s = await cluster.stats();
      return s.workers.length === 2 && s.workers.every((w) => w.cache.sessions === 0 && w.cache.agents === 0)
        ? s
        : null;
    });
    for (const w of stats.workers) expect(w.cache.databases).toBe(0);
    // Nothing of the finished jobs stays in BullMQ.
    expect(stats.queue).toMatchObject({ kind: 'bullmq', queued: 0, running: 0 });
    const jobKeys = (await redis.keys(`${prefix}bull:queries:*`)).filter((k) => /[0-9a-f-]{36}$/.test(k));
    expect(jobKeys).toEqual([]);
  });

  it('a worker SIGKILLed mid-question: the other worker runs it again; killed twice, it fails with worker_lost', async () => {
    // First question: its worker dies while the model "thinks"; the retry elsewhere answers at once.
    const { v, chats, first, worker: victim } = await slowQuestionRunning(60);
    victim.kill('SIGKILL');
    await exitOf(victim);
    const replacement = cluster.addWorker();
    const result = await v.finished(first, 40_000);
    expect(result).toMatchObject({ status: 'done', rows: [[60]], model: 'test-model' });
    expect(llm.chats().length).toBe(chats + 2);
    await replacement;

    // Second question: both runs die. BullMQ fails it on the next pick-up and the worker records worker_lost.
    llm.enqueue(sqlReply('SELECT 1', 15_000), sqlReply('SELECT 1', 15_000));
    const second = await v.submit('How many sales?', 'test-model');
    await chatsReach(chats + 3);
    const one = await runningOn(second);
    one.kill('SIGKILL');
    await exitOf(one);
    const spare = cluster.addWorker();
    await chatsReach(chats + 4);
    const two = await runningOn(second, one);
    two.kill('SIGKILL');
    await exitOf(two);
    await spare;
    await cluster.addWorker();
    const lost = await v.finished(second, 40_000);
    expect(lost).toMatchObject({ status: 'failed', error: { code: 'worker_lost' } });
    expect(lost.error.message).toMatch(/stopped before it finished/);
    // The history in the session keeps both outcomes.
    const history = (await (
      await fetch(`${cluster.base}/api/session/history`, { headers: { 'x-session-id': v.id } })
    ).json()) as { history: { status: string }[] };
    expect(history.history.map((h: { status: string }) => h.status)).toEqual(['failed', 'done']);
    await v.end();
  });

  it('SIGTERM lets the running question finish, then the worker exits 0', async () => {
    const v = await Visitor.create(cluster.base);
    await v.upload('sales.csv', salesCsv(70));
    const chats = llm.chats().length;
    llm.enqueue(sqlReply('SELECT COUNT(*) AS n FROM sales', 2500));
    const id = await v.submit('How many sales?', 'test-model');
    await chatsReach(chats + 1);
    const worker = await runningOn(id);
    worker.kill('SIGTERM');
    expect(await exitOf(worker)).toBe(0);
    const result = await v.finished(id);
    expect(result).toMatchObject({ status: 'done', rows: [[70]] });
    // It finished on the worker that was told to stop (no retry elsewhere: one model request only).
    expect(llm.chats().length).toBe(chats + 1);
    expect((await redis.hget(keys.meta(prefix, id), 'worker'))?.endsWith(`-${worker.pid}`)).toBe(true);
    // And it left the registry at once.
    const stats = await cluster.stats();
    expect(stats.workers.some((w) => w.pid === worker.pid)).toBe(false);
    await v.end();
  });

  it('a worker SIGKILLed while its question holds the session’s only slot: the slot is not lost, the waiting question runs', async () => {
    const { v, first, worker: holder } = await slowQuestionRunning(80);
    // WORKER_CONCURRENCY 2 → one running question per session: the next one goes back to wait for the slot.
    const second = await v.submit('How many rows are there?');
    await cluster.waitFor(
      'the second question to wait for the slot',
      async () => (await redis.zscore(keys.sessionParked(prefix, v.id), second)) !== null,
    );
    expect((await v.query(second)).status).toBe('queued');
    holder.kill('SIGKILL');
    await exitOf(holder);
    const replacement = cluster.addWorker();
    // The dead worker's lease lapses (or its retry takes it over and gives it back): both questions get answered.
    expect(await v.finished(second, 40_000)).toMatchObject({ status: 'done', rows: [[80]] });
    expect(await v.finished(first, 40_000)).toMatchObject({ status: 'done', rows: [[80]] });
    await replacement;
    expect(await redis.exists(keys.sessionRunning(prefix, v.id), keys.sessionParked(prefix, v.id))).toBe(0);
    await v.end();
  });
});
