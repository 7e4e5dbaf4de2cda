/**
 * bench/scale — scaled mode as deployed (issues 6 and 14): Redis, the compiled API server (`serve` with REDIS_URL)
 * and `agentgraph worker` processes, each a process of its own; this process is the HTTP client (random key prefix,
 * deleted afterwards).
 *   - a built-in question end to end with 1 and then 2 workers, over a kept-alive connection and over a new
 *     connection per request, alternating with its anchors from this client: GET /healthz and a Redis PING;
 *   - where its time goes: before the worker starts it (`timings.queue_ms`: the API's bookkeeping and BullMQ's
 *     add → worker), inside the worker's answerer (`timings.total_ms`), and the rest (HTTP, recording the result,
 *     `done` → the API → the response);
 *   - anchor: a bare BullMQ add → completed round trip (no-op processor in this process, QueueEvents);
 *   - throughput with 1 and 50 concurrent clients, for built-in questions and for questions an LLM answers (a local
 *     OpenAI-protocol server answering after BENCH_LLM_DELAY_MS, as a provider would);
 *   - worker memory with BENCH_SESSIONS sessions each holding a cached agent.
 *
 *   npm run bench -- scale
 *   BENCH_REDIS_URL, BENCH_OPS (default 1000), BENCH_CLIENTS (50), BENCH_PER_CLIENT (10), BENCH_SESSIONS (1000),
 *   BENCH_LLM_DELAY_MS (100)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { readWorkerReports, type WorkerReport } from '../src/queue/registry.js';
import { startFakeLlm } from '../test/helpers/fake-llm.js';
import { salesCsv } from '../test/helpers/multipart.js';
import { deletePrefix, randomPrefix, sleep } from '../test/helpers/services.js';
import { childrenOf, rssOf } from './proc.js';
import { alternate, concurrent, QUESTIONS } from './queries.js';
import { ask, request, type Spawned, sessionWithTable, spawnCli, startServer, stepsMs } from './server.js';
import { formatTable, percentiles, type Row, runIfMain, time } from './stats.js';

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const OPS = Number(process.env.BENCH_OPS ?? 1000);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 50);
const PER_CLIENT = Number(process.env.BENCH_PER_CLIENT ?? 10);
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 1000);
const LLM_DELAY_MS = Number(process.env.BENCH_LLM_DELAY_MS ?? 100);
const LLM_MODEL = 'bench-llm';
const LLM_SQL = 'SELECT "region", SUM("quantity") AS "total" FROM "sales" GROUP BY "region"';

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Bare BullMQ: add → completed (no-op processor in this process, completion heard through QueueEvents). */
async function bareBullmq(prefix: string): Promise<number[]> {
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('bare', { connection, prefix: `${prefix}bare` });
  const events = new QueueEvents('bare', { connection: { url: REDIS_URL }, prefix: `${prefix}bare` });
  const worker = new Worker('bare', async () => null, {
    connection,
    prefix: `${prefix}bare`,
    concurrency: 1,
  });
  await events.waitUntilReady();
  await worker.waitUntilReady();
  try {
    return await time(OPS, async () => {
      const job = await queue.add('x', {}, { removeOnComplete: true, removeOnFail: true });
      await job.waitUntilFinished(events);
    });
  } finally {
    await worker.close();
    await events.close();
    await queue.close();
    connection.disconnect();
  }
}

export async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentgraph-scale-'));
  const prefix = randomPrefix().replace('agentgraph-test-', 'agentgraph-bench-');
  const llm = await startFakeLlm({ models: [LLM_MODEL] });
  const env = {
    REDIS_URL,
    OPENAI_BASE_URL: llm.url,
    OPENAI_API_KEY: 'sk-bench',
    DEFAULT_MODEL: 'builtin',
    DATA_DIR: dir,
    MAX_SESSIONS_PER_IP: String(SESSIONS + CLIENTS + 10),
  };
  const redis = new Redis(REDIS_URL);
  const server = await startServer(env, ['--redis-prefix', prefix]);
  const { base } = server;
  const workers: Spawned[] = [];
  const rows: Row[] = [];
  const notes: string[] = [];

  const addWorker = async () => {
    const worker = spawnCli(['worker', '--redis-prefix', prefix], env);
    workers.push(worker);
    for (let i = 0; i < 300; i++) {
      if ((await readWorkerReports(redis, prefix)).some((w) => w.pid === worker.pid)) return worker;
      await sleep(100);
    }
    throw new Error('worker did not start');
  };
  const report = async (pid: number): Promise<WorkerReport> => {
    const found = (await readWorkerReports(redis, prefix)).find((w) => w.pid === pid);
    if (!found) throw new Error(`no report from ${pid}`);
    return found;
  };
  const csv = salesCsv(1000);

  try {
    rows.push({
      name: 'anchor: bare BullMQ add → completed (no-op processor, QueueEvents)',
      ...percentiles(await bareBullmq(prefix)),
    });
    const first = await addWorker();
    const session = await sessionWithTable(base, 'sales.csv', csv);
    const latency = async (label: string) => {
      for (const fresh of [false, true]) {
        const how = fresh ? 'a new connection per request' : 'one kept-alive connection';
        const queued: number[] = [];
        const inside: number[] = [];
        const steps: number[] = [];
        const rest: number[] = [];
        let started = 0;
        const [healthz, question] = await alternate(
          OPS,
          () => request(base, { path: '/healthz', fresh }),
          async (i) => {
            started = performance.now();
            const answer = await ask(base, session, QUESTIONS[(i + OPS) % QUESTIONS.length]!, { fresh });
            if (i < 0) return;
            const t = answer.timings;
            queued.push(t.queue_ms ?? Number.NaN);
            inside.push(t.total_ms ?? Number.NaN);
            steps.push(stepsMs(t));
            rest.push(performance.now() - started - (t.queue_ms ?? 0) - (t.total_ms ?? 0));
          },
        );
        const [ping] = await alternate(
          OPS,
          () => redis.ping(),
          async () => undefined,
        );
        rows.push({ name: `anchor: GET /healthz, ${how}`, ...percentiles(healthz) });
        rows.push({ name: 'anchor: Redis PING from the client', ...percentiles(ping) });
        rows.push({ name: `**question → answer**, ${label}, ${how}`, ...percentiles(question) });
        rows.push({ name: '  submitted → a worker starts it (`timings.queue_ms`)', ...percentiles(queued) });
        rows.push({ name: '  inside the worker’s answerer (`timings.total_ms`)', ...percentiles(inside) });
        rows.push({ name: '    of which the nine steps themselves', ...percentiles(steps) });
        rows.push({ name: '  the rest: HTTP, recording, `done` → API → response', ...percentiles(rest) });
      }
    };
    await latency('Redis + 1 worker');

    const sessions = await Promise.all(
      Array.from({ length: CLIENTS }, () => sessionWithTable(base, 'sales.csv', csv)),
    );
    const throughput = async (label: string, byLlm: boolean) => {
      if (byLlm) {
        const reply = { kind: 'text' as const, text: `\`\`\`sql\n${LLM_SQL}\n\`\`\``, delayMs: LLM_DELAY_MS };
        llm.enqueue(...Array.from({ length: (CLIENTS + 1) * PER_CLIENT }, () => reply));
      }
      const kind = byLlm ? `LLM questions (model answers after ${LLM_DELAY_MS} ms)` : 'built-in questions';
      const askOne = (s: string, q: string) => ask(base, s, q, byLlm ? { model: LLM_MODEL } : {});
      for (const clients of [1, CLIENTS]) {
        const { perRequest, perSecond } = await concurrent(sessions.slice(0, clients), PER_CLIENT, askOne);
        rows.push({
          name: `${clients} client${clients === 1 ? '' : 's'}, ${kind}, ${label}`,
          ...percentiles(perRequest),
        });
        notes.push(
          `Throughput, ${clients} × ${PER_CLIENT} ${kind}, ${label}: ${perSecond.toFixed(0)} questions/s`,
        );
      }
    };
    const one = 'Redis + 1 worker';
    await throughput(one, false);
    await throughput(one, true);
    const second = await addWorker();
    const two = 'Redis + 2 workers';
    await latency(two);
    await throughput(two, false);
    await throughput(two, true);

    // Memory: one worker, SESSIONS sessions each answered once → one cached agent per session.
    await second.stop();
    await sleep(300);
    const pid = first.pid;
    const before = await report(pid);
    const childRssBefore = childrenOf(pid).reduce((n, p) => n + rssOf(p), 0);
    const small: string[] = [];
    for (let i = 0; i < SESSIONS; i += 50) {
      small.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(50, SESSIONS - i) }, () =>
            sessionWithTable(base, 'sales.csv', salesCsv(20)),
          ),
        )),
      );
    }
    for (let i = 0; i < small.length; i += 50) {
      await Promise.all(small.slice(i, i + 50).map((s) => ask(base, s, 'How many rows are there?')));
    }
    await sleep(300);
    const after = await report(pid);
    const childRssAfter = childrenOf(pid).reduce((n, p) => n + rssOf(p), 0);
    notes.push(
      `Worker memory, ${SESSIONS} sessions answered once each: worker RSS ${mb(before.rss_bytes)} → ${mb(after.rss_bytes)} ` +
        `(heap ${mb(before.heap_used_bytes)} → ${mb(after.heap_used_bytes)}); cache: ${after.cache.sessions} sessions, ` +
        `${after.cache.agents} agents, ${after.cache.databases} open databases in ${after.sandbox.children} sandbox children ` +
        `(LRU of 16 per child); children RSS together ${mb(childRssBefore)} → ${mb(childRssAfter)}`,
    );

    console.log(
      `\n## Scale, separate processes (issues 6, 14) — ${new Date().toISOString()}, load ${os.loadavg()[0]!.toFixed(2)}\n`,
    );
    console.log(formatTable(rows));
    console.log('');
    for (const note of notes) console.log(`- ${note}`);
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await server.stop();
    redis.disconnect();
    await llm.close();
    await deletePrefix(REDIS_URL, prefix);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, main);
