/**
 * BullmqQueue + QueryWorker in one test process against the real Redis (own random key prefix, deleted after):
 * an API-side services object and a worker-side one share DATA_DIR and the prefix, as two processes would.
 * Cross-process behaviour (spawned API + workers, kills, Redis restart) is in test/scale/.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { QueryEvent } from '../../src/engine/types.js';
import { keys, scripts, type WireEvent } from '../../src/queue/keys.js';
import { type FakeLlm, sqlReply, startFakeLlm } from '../helpers/fake-llm.js';
import { salesCsv } from '../helpers/multipart.js';
import {
  deletePrefix,
  makeServices,
  queryJob,
  REDIS_URL,
  randomPrefix,
  removeDir,
  shouldRunRedis,
  type TestServices,
  tempDir,
} from '../helpers/services.js';

const runRedis = await shouldRunRedis('BullMQ queue tests');

const ENDLESS = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c';

async function sessionWithSales(services: TestServices, rows: number) {
  const doc = await services.sessions.create(`10.8.0.${rows % 250}`);
  await services.tables.upload(doc, { source: Readable.from([salesCsv(rows)]), fileName: 'sales.csv' });
  return doc.session_id;
}

describe.runIf(runRedis)('BullmqQueue with a QueryWorker (real Redis)', () => {
  let prefix: string;
  let dataDir: string;
  let api: TestServices;
  let worker: TestServices | null = null;
  let secondWorker: TestServices | null = null;
  let redis: Redis;
  let llm: FakeLlm;
  let shared: Record<string, string>;

  function pair(env: Record<string, string> = {}, startWorker = true, workerLockMs?: number) {
    shared = {
      DATA_DIR: dataDir,
      OPENAI_BASE_URL: llm.url,
      OPENAI_API_KEY: 'sk-test',
      DEFAULT_MODEL: 'builtin',
      MAX_SESSIONS_PER_IP: '50',
      ...env,
    };
    api = makeServices('redis', shared, { keyPrefix: prefix, role: 'api' });
    worker = makeServices('redis', shared, {
      keyPrefix: prefix,
      role: 'worker',
      startWorker,
      ...(workerLockMs ? { workerLockMs } : {}),
    });
  }

  beforeAll(async () => {
    llm = await startFakeLlm({ models: ['test-model'] });
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    await llm.close();
    redis.disconnect();
  });
  afterEach(async () => {
    await secondWorker?.close();
    await worker?.close();
    await api.close();
    worker = null;
    secondWorker = null;
    await deletePrefix(REDIS_URL, prefix);
    removeDir(dataDir);
  });

  function fresh() {
    prefix = randomPrefix();
    dataDir = tempDir('agentgraph-bullmq');
  }

  it('answers through the worker: events replayed in order, result from the session folder, nothing kept in BullMQ', async () => {
    fresh();
    pair();
    const a = await sessionWithSales(api, 120);
    const j = queryJob(a, 'How many rows are there?');
    await api.queue.submit(j);
    expect((await api.queue.get(a, j.query_id))?.status).toMatch(/queued|running|done/);
    const result = await api.queue.wait(a, j.query_id);
    expect(result).toMatchObject({ status: 'done', rows: [[120]], model: 'builtin' });
    // A small result came with the live `done` (not read back from the folder): exactly what the folder holds,
    // while the stored event list keeps `done` without it.
    expect(result).toEqual(await api.log.load(a, j.query_id));
    const stored = (await redis.lrange(keys.events(prefix, j.query_id), 0, -1)).map((e) => JSON.parse(e));
    expect(stored.at(-1)).toMatchObject({ type: 'done', status: 'done' });
    expect(stored.at(-1).result).toBeUndefined();
    // A late subscriber gets the whole story: queued, running, steps, done (with the full result).
    const events: QueryEvent[] = [];
    await api.queue.subscribe(a, j.query_id, (event) => events.push(event));
    // `done` comes after the result is read from the session folder: give it time, not a fixed sleep.
    await vi.waitFor(() => expect(events.at(-1)?.type).toBe('done'), { timeout: 5_000 });
    expect(events[0]).toMatchObject({ type: 'status', status: 'queued' });
    expect(events[1]).toMatchObject({ type: 'status', status: 'running' });
    expect(events.some((e) => e.type === 'step')).toBe(true);
    const done = events.at(-1)!;
    expect(done.type).toBe('done');
    if (done.type === 'done') expect(done.result.rows).toEqual([[120]]);
    expect(await api.queue.get(a, j.query_id)).toMatchObject({ status: 'done', rows: [[120]] });
    // Another session cannot see it.
    const b = await sessionWithSales(api, 5);
    expect(await api.queue.get(b, j.query_id)).toBeNull();
    // BullMQ keeps no finished job; the events list expires; the session's waiting counter is gone.
    // (BullMQ removes the job once the processor has returned, which is after `done` went out: wait for it.)
    await vi.waitFor(
      async () => {
        const bull = await redis.keys(`${prefix}bull:queries:*`);
        expect(bull.filter((k) => k.endsWith(j.query_id))).toEqual([]);
      },
      { timeout: 5_000 },
    );
    expect(await redis.ttl(keys.events(prefix, j.query_id))).toBeGreaterThan(0);
    expect(await redis.exists(keys.sessionWaiting(prefix, a))).toBe(0);
    // Job data is the QueryJob only: nothing from the environment (no API keys).
    expect(await redis.hget(keys.meta(prefix, j.query_id), 'job')).not.toMatch(/sk-test/);
    // The worker counts a question once its `done` is published, so a moment after wait() may have returned.
    await vi.waitFor(
      async () =>
        expect(await worker!.worker!.snapshot()).toMatchObject({
          processed: 1,
          completed: 1,
          cache: { sessions: 1, agents: 1, misses: 1 },
        }),
      { timeout: 5_000 },
    );
  });

  it('is fair between sessions: a burst from one session sinks behind another session’s question', async () => {
    fresh();
    pair({ WORKER_CONCURRENCY: '1' }, false);
    const a = await sessionWithSales(api, 30);
    const b = await sessionWithSales(api, 40);
    const c = await sessionWithSales(api, 50);
    const jobs = [
      ...Array.from({ length: 12 }, (_, i) => ({
        ...queryJob(a, 'How many rows are there?'),
        tag: `A${i + 1}`,
      })),
      { ...queryJob(b, 'How many rows are there?'), tag: 'B1' },
      { ...queryJob(b, 'How many rows are there?'), tag: 'B2' },
      { ...queryJob(c, 'How many rows are there?'), tag: 'C1' },
    ];
    for (const { tag: _tag, ...j } of jobs) await api.queue.submit(j);
    worker!.worker!.start();
    const results = await Promise.all(jobs.map((j) => api.queue.wait(j.session_id, j.query_id)));
    const order = jobs
      .map((j, i) => ({ tag: j.tag, at: results[i]!.finished_at! }))
      .sort((x, y) => x.at - y.at)
      .map((x) => x.tag);
    // FIFO would run B1, B2, C1 13th–15th. Priority = the session's waiting count: A1, B1, C1 first, then A2, B2.
    expect(order.indexOf('B1')).toBeLessThanOrEqual(2);
    expect(order.indexOf('C1')).toBeLessThanOrEqual(2);
    expect(order.indexOf('B2')).toBeLessThanOrEqual(4);
    for (const [i, result] of results.entries()) {
      const tag = jobs[i]!.tag;
      expect(result.rows).toEqual([[tag.startsWith('A') ? 30 : tag.startsWith('B') ? 40 : 50]]);
    }
    // The last job stays active in BullMQ until its processor has returned, just after its `done` went out.
    await vi.waitFor(
      async () =>
        expect(await (api.queue as unknown as { snapshot: () => Promise<unknown> }).snapshot()).toMatchObject(
          {
            kind: 'bullmq',
            queued: 0,
            running: 0,
            sessions_waiting: 0,
            completed: 15,
          },
        ),
      { timeout: 5_000 },
    );
  });

  it('limits waiting questions per session, and cancels a waiting one (never runs, recorded)', async () => {
    fresh();
    pair({}, false);
    const a = await sessionWithSales(api, 20);
    const jobs = Array.from({ length: 20 }, () => queryJob(a, 'How many rows are there?'));
    for (const j of jobs) await api.queue.submit(j);
    await expect(api.queue.submit(queryJob(a, 'one too many'))).rejects.toMatchObject({
      code: 'too_many_queries',
    });
    expect(await api.queue.cancel(a, jobs[5]!.query_id)).toBe('cancelled');
    // The cancelled one freed its place.
    const extra = queryJob(a, 'Total price by region');
    await api.queue.submit(extra);
    const cancelled = await api.queue.wait(a, jobs[5]!.query_id);
    expect(cancelled).toMatchObject({ status: 'cancelled', error: { code: 'query_cancelled' } });
    worker!.worker!.start();
    const results = await Promise.all([...jobs, extra].map((j) => api.queue.wait(a, j.query_id)));
    expect(results.filter((r) => r.status === 'done')).toHaveLength(20);
    expect(await api.queue.cancel(a, extra.query_id)).toBe('finished');
    const history = await api.log.history(a);
    expect(history).toHaveLength(21);
    expect(history.filter((h) => h.status === 'cancelled')).toHaveLength(1);
    // Counted once each `done` is published: the last one may come a moment after wait() returned.
    await vi.waitFor(() => expect(worker!.worker!.snapshot()).resolves.toMatchObject({ processed: 20 }), {
      timeout: 5_000,
    });
  });

  it('cancels a running question in its worker: the sandbox kills the statement', async () => {
    fresh();
    pair({ QUERY_TIMEOUT_MS: '60000', DEFAULT_MODEL: 'test-model' });
    const a = await sessionWithSales(api, 20);
    llm.enqueue({ kind: 'text', text: `Counting.\n\`\`\`sql\n${ENDLESS}\n\`\`\`` });
    const j = queryJob(a, 'Count forever');
    await api.queue.submit(j);
    const running: QueryEvent[] = [];
    await api.queue.subscribe(a, j.query_id, (event) => running.push(event));
    // The statement itself must be running: the agent's check of it (check_sql) also takes a child, briefly, and a
    // cancel that lands between the two never reaches the sandbox.
    await vi.waitFor(
      () => {
        expect(running.some((e) => e.type === 'step' && e.step === 'run_sql' && e.phase === 'start')).toBe(
          true,
        );
        expect(worker!.sandbox.stats().busy).toBe(1);
      },
      { timeout: 10_000, interval: 25 },
    );
    expect(await api.queue.cancel(a, j.query_id)).toBe('stopping');
    const result = await api.queue.wait(a, j.query_id);
    expect(result).toMatchObject({ status: 'cancelled', error: { code: 'query_cancelled' } });
    expect(worker!.sandbox.stats()).toMatchObject({ cancellations: 1, busy: 0 });
    // Each subscriber reads the result itself after `done`, so this one may hear it a moment after wait() did.
    await vi.waitFor(() => expect(running.at(-1)).toMatchObject({ type: 'done' }), { timeout: 5_000 });
  });

  it('runs at most half of WORKER_CONCURRENCY questions of one session across two workers; another session starts at once', async () => {
    fresh();
    pair({ WORKER_CONCURRENCY: '4' });
    secondWorker = makeServices('redis', shared, { keyPrefix: prefix, role: 'worker' });
    const a = await sessionWithSales(api, 30);
    const b = await sessionWithSales(api, 40);
    const tags = new Map<string, string>();
    const watch = await watchStarts(prefix, tags);
    try {
      for (let i = 0; i < 10; i++) llm.enqueue(sqlReply('SELECT COUNT(*) FROM sales', 600));
      const jobsA = Array.from({ length: 10 }, () => queryJob(a, 'How many sales?', 'test-model'));
      for (const j of jobsA) {
        tags.set(j.query_id, 'A');
        await api.queue.submit(j);
      }
      // Two workers × 4 slots: without the per-session share A would take all 8 and B would wait for one to end.
      await vi.waitFor(
        () => expect(watch.timeline.filter((m) => m === 'A+').length).toBeGreaterThanOrEqual(2),
        {
          timeout: 10_000,
        },
      );
      const submittedAt = watch.timeline.length;
      const jobB = queryJob(b, 'How many rows are there?');
      tags.set(jobB.query_id, 'B');
      await api.queue.submit(jobB);
      const results = await Promise.all(
        [...jobsA, jobB].map((j) => api.queue.wait(j.session_id, j.query_id)),
      );
      expect(
        results.map((r) => r.status),
        JSON.stringify(results.filter((r) => r.status !== 'done').map((r) => r.error)),
      ).toEqual(Array(11).fill('done'));
      expect(results.at(-1)!.rows).toEqual([[40]]);
      await vi.waitFor(() => expect(watch.timeline.filter((m) => m === 'A-')).toHaveLength(10), {
        timeout: 5_000,
      });
      expect(mostRunning(watch.timeline, 'A')).toBe(2);
      // B started before any of A's running questions ended (each takes 600 ms of "thinking").
      expect(watch.timeline.indexOf('B+')).toBeLessThan(watch.timeline.indexOf('A-', submittedAt));
      // Both workers ran questions: the share holds across workers, not per worker. (A question is counted just
      // after its `done` went out.)
      const processed = async () =>
        (await Promise.all([worker!, secondWorker!].map((w) => w.worker!.snapshot()))).map(
          (r) => r.processed,
        );
      await vi.waitFor(async () => expect((await processed()).reduce((x, y) => x + y)).toBe(11), {
        timeout: 5_000,
      });
      expect(Math.min(...(await processed()))).toBeGreaterThan(0);
      // Nothing left behind: no lease, nothing parked.
      expect(await redis.exists(keys.sessionRunning(prefix, a), keys.sessionParked(prefix, a))).toBe(0);
    } finally {
      await watch.close();
    }
  });

  it('a slot held by a worker that stopped renewing it (died) lapses: the session’s next question runs', async () => {
    fresh();
    // WORKER_CONCURRENCY 2 → one running question per session; leases (and park delays) of 1.5 s.
    pair({ WORKER_CONCURRENCY: '2' }, true, 1500);
    const a = await sessionWithSales(api, 25);
    // What a worker killed mid-question leaves: a lease on A's only slot that nobody renews or releases.
    const dead = randomUUID();
    const running = keys.sessionRunning(prefix, a);
    const parked = keys.sessionParked(prefix, a);
    expect(await scripts(redis).takeSlot(running, parked, dead, 1, 1500)).toBe(1);
    const j = queryJob(a, 'How many rows are there?');
    await api.queue.submit(j);
    // It found the slot taken and went back to wait for it…
    await vi.waitFor(async () => expect(await redis.zscore(parked, j.query_id)).not.toBeNull(), {
      timeout: 10_000,
    });
    // …and runs once the dead lease has lapsed.
    expect(await api.queue.wait(a, j.query_id)).toMatchObject({ status: 'done', rows: [[25]] });
    expect(await redis.zscore(running, dead)).toBeNull();
    expect(await redis.zscore(parked, j.query_id)).toBeNull();
  });
});

/**
 * Every question's start (`X+`, its `running` status) and end (`X-`, its `done`) as Redis delivered them, tagged
 * by session. One pattern subscription sees all queries in the order Redis ran the publishes; a worker releases a
 * slot only after its `done` is published, so a start that took that slot always comes after it.
 */
async function watchStarts(prefix: string, tags: Map<string, string>) {
  const subscriber = new Redis(REDIS_URL);
  const timeline: string[] = [];
  subscriber.on('pmessage', (_pattern: string, _channel: string, message: string) => {
    const wire = JSON.parse(message.slice(message.indexOf('\n') + 1)) as WireEvent;
    const tag = tags.get(wire.query_id);
    if (!tag) return;
    if (wire.type === 'status' && wire.status === 'running') timeline.push(`${tag}+`);
    if (wire.type === 'done') timeline.push(`${tag}-`);
  });
  await subscriber.psubscribe(`${prefix}query:*:events`);
  return { timeline, close: async () => subscriber.quit() };
}

function mostRunning(timeline: string[], tag: string): number {
  let running = 0;
  let most = 0;
  for (const mark of timeline) {
    if (mark === `${tag}+`) running += 1;
    if (mark === `${tag}-`) running -= 1;
    most = Math.max(most, running);
  }
  return most;
}
