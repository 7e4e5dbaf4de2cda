/**
 * bench/queries — a built-in question as a user asks it (issues 5 and 14): the compiled server in its own process,
 * this process the HTTP client. POST /api/session/queries?wait=true on a 1,000-row table ("Average price by
 * category" and two others in turn), over one kept-alive connection and over a new connection per request, each
 * request alternating with its anchor (GET /healthz the same way), so both see the machine in the same state.
 * Also POST /api/sessions, and throughput with 1 and with 50 concurrent clients (each its own session).
 *
 *   npm run bench -- queries       (BENCH_OPS, default 2000; BENCH_CLIENTS 50; BENCH_PER_CLIENT 20)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { salesCsv } from '../test/helpers/multipart.js';
import { ask, newSession, request, sessionWithTable, startServer, stepsMs } from './server.js';
import { formatTable, percentiles, type Row, runIfMain } from './stats.js';

const OPS = Number(process.env.BENCH_OPS ?? 2000);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 50);
const PER_CLIENT = Number(process.env.BENCH_PER_CLIENT ?? 20);
const WARMUP = 200;

export const QUESTIONS = [
  'Average price by category',
  'Total quantity by region',
  'How many rows are there?',
];

/** Runs `a` and `b` alternately n times (after `warmup` rounds); the durations of each, in ms. */
export async function alternate(
  n: number,
  a: (i: number) => Promise<unknown>,
  b: (i: number) => Promise<unknown>,
  warmup = WARMUP,
): Promise<[number[], number[]]> {
  const as: number[] = [];
  const bs: number[] = [];
  for (let i = -warmup; i < n; i++) {
    let t = performance.now();
    await a(i);
    const ta = performance.now() - t;
    t = performance.now();
    await b(i);
    const tb = performance.now() - t;
    if (i >= 0) {
      as.push(ta);
      bs.push(tb);
    }
  }
  return [as, bs];
}

/** `clients` sessions ask `perClient` questions each, all at once: latency per question and questions per second. */
export async function concurrent(
  sessions: string[],
  perClient: number,
  askOne: (session: string, question: string) => Promise<unknown>,
): Promise<{ perRequest: number[]; perSecond: number }> {
  const perRequest: number[] = [];
  const started = performance.now();
  await Promise.all(
    sessions.map(async (session, c) => {
      for (let i = 0; i < perClient; i++) {
        const t = performance.now();
        await askOne(session, QUESTIONS[(c + i) % QUESTIONS.length]!);
        perRequest.push(performance.now() - t);
      }
    }),
  );
  return { perRequest, perSecond: (sessions.length * perClient) / ((performance.now() - started) / 1000) };
}

export async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentgraph-queries-'));
  const server = await startServer({ DATA_DIR: dir, MAX_SESSIONS_PER_IP: '100000' });
  const { base } = server;
  const rows: Row[] = [];
  const notes: string[] = [];
  try {
    const csv = salesCsv(1000);
    const session = await sessionWithTable(base, 'sales.csv', csv);
    const healthz = (fresh: boolean) => () => request(base, { path: '/healthz', fresh });
    for (const fresh of [false, true]) {
      const how = fresh ? 'a new connection per request' : 'one kept-alive connection';
      const inside: number[] = [];
      const steps: number[] = [];
      const [anchor, question] = await alternate(OPS, healthz(fresh), async (i) => {
        const answer = await ask(base, session, QUESTIONS[(i + WARMUP) % QUESTIONS.length]!, { fresh });
        if (i >= 0) {
          inside.push(answer.timings.total_ms ?? Number.NaN);
          steps.push(stepsMs(answer.timings));
        }
      });
      rows.push({ name: `anchor: GET /healthz, ${how}`, ...percentiles(anchor) });
      rows.push({ name: `**question → answer**, ${how}`, ...percentiles(question) });
      rows.push({ name: '  of which inside the answerer (`timings.total_ms`)', ...percentiles(inside) });
      rows.push({ name: '  of which the nine steps themselves', ...percentiles(steps) });
      if (!fresh) {
        const sum = question.reduce((a, b) => a + b, 0);
        notes.push(`1 client, one after another: ${(question.length / (sum / 1000)).toFixed(0)} questions/s`);
      }
    }

    const created: string[] = [];
    const [anchor, creates] = await alternate(Math.min(OPS, 1000), healthz(false), async () => {
      created.push(await newSession(base));
    });
    rows.push({ name: 'anchor: GET /healthz, one kept-alive connection', ...percentiles(anchor) });
    rows.push({ name: '**POST /api/sessions**, one kept-alive connection', ...percentiles(creates) });
    for (const id of created) {
      await request(base, { path: '/api/session', method: 'DELETE', headers: { 'x-session-id': id } });
    }

    const sessions = await Promise.all(
      Array.from({ length: CLIENTS }, () => sessionWithTable(base, 'sales.csv', csv)),
    );
    const { perRequest, perSecond } = await concurrent(sessions, PER_CLIENT, (s, q) => ask(base, s, q));
    rows.push({ name: `${CLIENTS} concurrent clients, latency per question`, ...percentiles(perRequest) });
    notes.push(
      `${CLIENTS} concurrent clients × ${PER_CLIENT} questions: ${perSecond.toFixed(0)} questions/s`,
    );

    console.log(
      `\n## Queries from outside (issues 5, 14) — ${new Date().toISOString()}, load ${os.loadavg()[0]!.toFixed(2)}\n`,
    );
    console.log(formatTable(rows));
    console.log('');
    for (const note of notes) console.log(`- ${note}`);
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, main);
