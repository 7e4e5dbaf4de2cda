import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { QueryJob } from '../../src/engine/types.js';
import { salesCsv } from '../helpers/multipart.js';
import { makeServices, type TestServices } from '../helpers/services.js';

async function sessionWithSales(services: TestServices, rows: number) {
  const doc = await services.sessions.create(`10.7.0.${rows % 250}`);
  await services.tables.upload(doc, { source: Readable.from([salesCsv(rows)]), fileName: 'sales.csv' });
  return doc.session_id;
}

function job(sessionId: string, question: string): QueryJob {
  return { query_id: randomUUID(), session_id: sessionId, question, submitted_at: Date.now() / 1000 };
}

describe('InlineQueue', () => {
  let services: TestServices;
  afterEach(async () => services.dispose());

  it('is fair between sessions: a burst from one does not push another to the back', async () => {
    services = makeServices('local', { WORKER_CONCURRENCY: '1' });
    const a = await sessionWithSales(services, 200);
    const b = await sessionWithSales(services, 50);
    const order: string[] = [];
    const jobs = [
      ...Array.from({ length: 6 }, (_, i) => ({ ...job(a, 'How many rows are there?'), tag: `A${i + 1}` })),
      { ...job(b, 'How many rows are there?'), tag: 'B1' },
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
    const first = job(a, 'How many rows are there?');
    const second = job(a, 'Total price by region');
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
      const j = job(a, 'How many rows are there?');
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
