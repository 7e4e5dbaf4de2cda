/** What the question benchmarks share: sessions holding a generated sales table, and asking over HTTP. */
import { Readable } from 'node:stream';
import type { Services } from '../src/services.js';
import { salesCsv } from '../test/helpers/multipart.js';

export const QUESTIONS = [
  'How many rows are there?',
  'Total quantity by region',
  'Average price by category',
];

/** A session whose db.db holds `rows` rows of the test helpers' sales table. */
export async function sessionWithSales(services: Services, rows = 1000): Promise<string> {
  const doc = await services.sessions.create('127.0.0.1');
  await services.tables.upload(doc, { source: Readable.from([salesCsv(rows)]), fileName: 'sales.csv' });
  return doc.session_id;
}

/** POST /api/session/queries?wait=true on a real socket; throws unless the question ends `done`. */
export function asker(base: string, model?: string) {
  return async (sessionId: string, question: string) => {
    const response = await fetch(`${base}/api/session/queries?wait=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-session-id': sessionId },
      body: JSON.stringify(model ? { question, model } : { question }),
    });
    const result = (await response.json()) as { status: string; timings: Record<string, number> };
    if (result.status !== 'done') throw new Error(`question failed: ${JSON.stringify(result)}`);
    return result;
  };
}

/** Every session asks `perClient` questions in turn, all sessions at once: latency per question and throughput. */
export async function concurrentLoad(
  sessions: string[],
  perClient: number,
  ask: (sessionId: string, question: string) => Promise<unknown>,
): Promise<{ perRequest: number[]; perSecond: number }> {
  const perRequest: number[] = [];
  const started = performance.now();
  await Promise.all(
    sessions.map(async (sessionId, c) => {
      for (let i = 0; i < perClient; i++) {
        const t = performance.now();
        await ask(sessionId, QUESTIONS[(c + i) % QUESTIONS.length]!);
        perRequest.push(performance.now() - t);
      }
    }),
  );
  return { perRequest, perSecond: (sessions.length * perClient) / ((performance.now() - started) / 1000) };
}
