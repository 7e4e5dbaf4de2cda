import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAX_KEPT_RESULT_BYTES } from '../../src/engine/kept-result.js';
import type { QueryEvent, QueryJob } from '../../src/engine/types.js';
import { InlineQueue } from '../../src/queue/inline.js';
import { type FakeLlm, sqlReply, startFakeLlm } from '../helpers/fake-llm.js';
import { notesCsv, salesCsv } from '../helpers/multipart.js';
import { cacheBytes, makeServices, queryJob, type TestServices } from '../helpers/services.js';

async function sessionWith(services: TestServices, fileName: string, csv: string) {
  const doc = await services.sessions.create('10.7.0.1');
  await services.tables.upload(doc, { source: Readable.from([csv]), fileName });
  return doc.session_id;
}

function sessionWithSales(services: TestServices, rows: number) {
  return sessionWith(services, 'sales.csv', salesCsv(rows));
}

describe('InlineQueue', () => {
  let services: TestServices;
  let llm: FakeLlm;
  beforeAll(async () => {
    llm = await startFakeLlm({ models: ['test-model'] });
  });
  afterAll(async () => llm.close());
  afterEach(async () => services.dispose());

  it('runs at most half the slots for one session: 10 slow questions never hold more than 2, another session starts at once', async () => {
    services = makeServices('local', {
      WORKER_CONCURRENCY: '4',
      MAX_SESSIONS_PER_IP: '10',
      OPENAI_BASE_URL: llm.url,
      OPENAI_API_KEY: 'sk-test',
      DEFAULT_MODEL: 'builtin',
    });
    const a = await sessionWithSales(services, 30);
    const b = await sessionWithSales(services, 40);
    // Slow: the model takes a while over each of A's questions.
    for (let i = 0; i < 10; i++) {
      llm.enqueue(sqlReply('SELECT COUNT(*) FROM sales', 150));
    }
    // One timeline of every question's start and end. Subscribing right after submit replays what the queue
    // emitted meanwhile, and nothing can finish in between (no I/O runs), so the order is the real one.
    const timeline: string[] = [];
    const follow = async (tag: string, j: QueryJob) => {
      await services.queue.submit(j);
      await services.queue.subscribe(j.session_id, j.query_id, (event: QueryEvent) => {
        if (event.type === 'status' && event.status === 'running') timeline.push(`${tag}+`);
        if (event.type === 'done') timeline.push(`${tag}-`);
      });
    };
    const jobsA = Array.from({ length: 10 }, () => queryJob(a, 'How many sales?', 'test-model'));
    for (const j of jobsA) await follow('A', j);
    const jobB = queryJob(b, 'How many rows are there?');
    await follow('B', jobB);
    expect(services.queue.stats()).toMatchObject({ running_per_session: 2, running: 3 });
    const results = await Promise.all(
      [...jobsA, jobB].map((j) => services.queue.wait(j.session_id, j.query_id)),
    );
    expect(results.map((r) => r.status)).toEqual(Array(11).fill('done'));
    expect(results.at(-1)!.rows).toEqual([[40]]);

    let runningA = 0;
    let mostA = 0;
    for (const mark of timeline) {
      if (mark === 'A+') runningA += 1;
      if (mark === 'A-') runningA -= 1;
      mostA = Math.max(mostA, runningA);
    }
    expect(mostA).toBe(2);
    // B started while A still had 8 questions waiting, before any of A's finished.
    expect(timeline.indexOf('B+')).toBeLessThan(timeline.indexOf('A-'));
  });

  it('keeps finished results within a byte budget: cut to the per-result cap, oldest evicted, read back from the session folder', async () => {
    services = makeServices('local');
    // 200 notes of 24 KB: each answer is ~4.8 MB of rows, more than a result may keep.
    const a = await sessionWith(services, 'notes.csv', notesCsv(200, 24 * 1024));
    const budget = 3 * MAX_KEPT_RESULT_BYTES;
    const queue = new InlineQueue(services.answerer, services.log, 2, { retainBytes: budget });
    const results = services.paths.subdir(a, 'cache');
    const ids: string[] = [];
    try {
      for (let i = 0; i < 6; i++) {
        const j = queryJob(a, 'list all notes');
        const before = cacheBytes(results);
        await queue.submit(j);
        const live = await queue.wait(a, j.query_id);
        // The asker gets every row once; what is kept is cut to the cap and says so.
        expect(live).toMatchObject({ status: 'done', row_count: 200 });
        expect(live.rows).toHaveLength(200);
        const kept = await queue.get(a, j.query_id);
        expect(kept).toMatchObject({
          status: 'done',
          row_count: 200,
          truncated: true,
          stored_truncated: true,
        });
        expect(kept!.rows.length).toBeGreaterThan(0);
        expect(kept!.rows.length).toBeLessThan(200);
        // On disk: one capped result line and one history line.
        expect(cacheBytes(results) - before).toBeLessThanOrEqual(MAX_KEPT_RESULT_BYTES + 4096);
        const stats = queue.stats();
        expect(stats.retained_bytes).toBeLessThanOrEqual(budget);
        ids.push(j.query_id);
      }
      const stats = queue.stats();
      expect(stats.retained_results).toBeGreaterThan(0);
      expect(stats.retained_results).toBeLessThan(6);
      // The evicted ones are still there, read from the session folder: the same kept form.
      for (const id of ids) {
        const found = await queue.get(a, id);
        expect(found).toMatchObject({ query_id: id, status: 'done', stored_truncated: true });
      }
    } finally {
      await queue.close();
    }
    expect(queue.stats()).toMatchObject({ retained_results: 0, retained_bytes: 0 });
  });

  it('is fair between sessions: a burst from one does not push another to the back', async () => {
    services = makeServices('local', { WORKER_CONCURRENCY: '1' });
    const a = await sessionWithSales(services, 200);
    const b = await sessionWithSales(services, 50);
    const order: string[] = [];
    const jobs = [
      ...Array.from({ length: 6 }, (_, i) => ({
        ...queryJob(a, 'How many rows are there?'),
        tag: `A${i + 1}`,
      })),
      { ...queryJob(b, 'How many rows are there?'), tag: 'B1' },
    ];
    for (const { tag, ...j } of jobs) {
      await services.queue.submit(j);
      void services.queue.wait(j.session_id, j.query_id).then(() => order.push(tag));
    }
    const results = await Promise.all(jobs.map((j) => services.queue.wait(j.session_id, j.query_id)));
    expect(order.indexOf('B1')).toBeLessThanOrEqual(2);
    // Answers never cross sessions.
    for (const [i, result] of results.entries()) {
      expect(result.status).toBe('done');
      expect(result.rows).toEqual([[jobs[i]!.tag.startsWith('A') ? 200 : 50]]);
    }
  });

  it('cancels a waiting question: it never runs and is recorded as cancelled', async () => {
    services = makeServices('local', { WORKER_CONCURRENCY: '1' });
    const a = await sessionWithSales(services, 20);
    const first = queryJob(a, 'How many rows are there?');
    const second = queryJob(a, 'Total price by region');
    await services.queue.submit(first);
    await services.queue.submit(second);
    expect(await services.queue.cancel(a, second.query_id)).toBe('cancelled');
    const result = await services.queue.wait(a, second.query_id);
    expect(result).toMatchObject({ status: 'cancelled', error: { code: 'query_cancelled' }, sql: null });
    expect((await services.queue.wait(a, first.query_id)).status).toBe('done');
    expect(await services.queue.cancel(a, first.query_id)).toBe('finished');
    const history = await services.log.history(a);
    expect(history.map((h) => h.status).sort()).toEqual(['cancelled', 'done']);
    expect(services.queue.stats()).toMatchObject({ kind: 'inline', running: 0, queued: 0, cancelled: 1 });
  });

  it('refuses a flood from one session', async () => {
    services = makeServices('local', { WORKER_CONCURRENCY: '1' });
    const a = await sessionWithSales(services, 10);
    const submitted = [];
    let refused = 0;
    for (let i = 0; i < 30; i++) {
      const j = queryJob(a, 'How many rows are there?');
      try {
        await services.queue.submit(j);
        submitted.push(j);
      } catch (error) {
        expect((error as { code: string }).code).toBe('too_many_queries');
        refused += 1;
      }
    }
    expect(refused).toBeGreaterThan(0);
    await Promise.all(submitted.map((j) => services.queue.wait(a, j.query_id)));
  });
});
