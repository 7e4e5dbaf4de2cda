/**
 * bench/scale — issue 6's figures, scaled mode on the real Redis (random key prefix, deleted afterwards):
 *   - a built-in question end to end (HTTP POST ?wait=true → BullMQ job → worker process → answer) with 1 worker;
 *   - throughput with 50 concurrent clients (each its own session) with 1 and then 2 worker processes, for
 *     built-in questions (CPU-bound: on 2 cores the workers compete with the API and Redis for the same cores) and
 *     for questions answered by an LLM (a local OpenAI-protocol server answering after BENCH_LLM_DELAY_MS, as a
 *     provider would: bound by how many questions wait at once, which is what more workers add);
 *   - worker memory with 1,000 sessions each holding a cached agent (and the sandbox children's open databases).
 * Anchors in the same run: a bare BullMQ add → completed round trip (no-op processor, QueueEvents), and our
 * BullmqQueue submit → wait without HTTP.
 *
 *   npx tsx bench/scale.ts            (or: npm run bench -- scale)
 *   BENCH_REDIS_URL, BENCH_OPS (default 500), BENCH_CLIENTS (50), BENCH_PER_CLIENT (10), BENCH_SESSIONS (1000),
 *   BENCH_LLM_DELAY_MS (100)
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config.js';
import { buildApp } from '../src/http/app.js';
import { readWorkerReports, type WorkerReport } from '../src/queue/registry.js';
import { createServices } from '../src/services.js';
import { startFakeLlm } from '../test/helpers/fake-llm.js';
import { exitOf, startCli } from '../test/helpers/process.js';
import {
  deletePrefix,
  randomPrefix,
  removeDir,
  silentLogger,
  sleep,
  tempDir,
} from '../test/helpers/services.js';
import { asker, concurrentLoad, QUESTIONS, sessionWithSales } from './client.js';
import { childrenOf, rssOf } from './proc.js';
import { formatTable, percentiles, type Row, runIfMain, time } from './stats.js';

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const OPS = Number(process.env.BENCH_OPS ?? 500);
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
  const dataDir = tempDir('agentgraph-bench-scale');
  const prefix = randomPrefix().replace('agentgraph-test-', 'agentgraph-bench-');
  const llm = await startFakeLlm({ models: [LLM_MODEL] });
  const env = {
    REDIS_URL,
    OPENAI_BASE_URL: llm.url,
    OPENAI_API_KEY: 'sk-bench',
    DEFAULT_MODEL: 'builtin',
    DATA_DIR: dataDir,
    MAX_SESSIONS_PER_IP: String(SESSIONS + CLIENTS + 10),
    LOG_LEVEL: 'silent',
  };
  const config = loadConfig(env);
  const services = createServices(config, silentLogger, { keyPrefix: prefix, role: 'api' });
  const app = await buildApp(services);
  const workers: ChildProcess[] = [];
  const redis = new Redis(REDIS_URL);
  const rows: Row[] = [];
  const notes: string[] = [];

  const addWorker = async () => {
    const child = startCli(['worker', '--redis-prefix', prefix], { ...env, LOG_LEVEL: 'warn' });
    child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    workers.push(child);
    for (let i = 0; i < 300; i++) {
      if ((await readWorkerReports(redis, prefix)).some((w) => w.pid === child.pid)) return child;
      await sleep(100);
    }
    throw new Error('worker did not start');
  };
  const report = async (pid: number): Promise<WorkerReport> => {
    const found = (await readWorkerReports(redis, prefix)).find((w) => w.pid === pid);
    if (!found) throw new Error(`no report from ${pid}`);
    return found;
  };

  try {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const newSession = (rowsInTable = 1000) => sessionWithSales(services, rowsInTable);
    const ask = asker(base);

    const bare = await bareBullmq(prefix);
    rows.push({
      name: 'anchor: bare BullMQ add → completed (no-op processor, QueueEvents)',
      ...percentiles(bare),
    });

    const first = await addWorker();
    const id = await newSession();
    const graphMs: number[] = [];
    const latency = await time(OPS, async (i) => {
      const result = await ask(id, QUESTIONS[i % QUESTIONS.length]!);
      if (i < OPS) graphMs.push(result.timings.total_ms ?? Number.NaN); // not the warm-up's
    });
    rows.push({
      name: 'HTTP question → answer, Redis + 1 worker process (1,000-row table, cached agent), end to end',
      ...percentiles(latency),
    });
    rows.push({
      name: '  of which inside the worker’s answerer (graph + sandbox; the result is recorded after)',
      ...percentiles(graphMs),
    });
    const direct = await time(OPS, async (i) => {
      const job = {
        query_id: randomUUID(),
        session_id: id,
        question: QUESTIONS[i % QUESTIONS.length]!,
        submitted_at: Date.now() / 1000,
      };
      await services.queue.submit(job);
      const result = await services.queue.wait(id, job.query_id);
      if (result.status !== 'done') throw new Error(JSON.stringify(result));
    });
    rows.push({ name: 'anchor: BullmqQueue submit → wait, no HTTP (same worker)', ...percentiles(direct) });

    const sessions = await Promise.all(Array.from({ length: CLIENTS }, () => newSession()));
    const askLlm = asker(base, LLM_MODEL);
    const throughput = async (label: string, byLlm: boolean) => {
      if (byLlm) {
        const reply = { kind: 'text' as const, text: `\`\`\`sql\n${LLM_SQL}\n\`\`\``, delayMs: LLM_DELAY_MS };
        llm.enqueue(...Array.from({ length: CLIENTS * PER_CLIENT }, () => reply));
      }
      const kind = byLlm ? `LLM questions (model answers after ${LLM_DELAY_MS} ms)` : 'built-in questions';
      const { perRequest, perSecond } = await concurrentLoad(sessions, PER_CLIENT, byLlm ? askLlm : ask);
      rows.push({
        name: `${CLIENTS} concurrent clients, ${kind}, ${label}: latency per question`,
        ...percentiles(perRequest),
      });
      notes.push(
        `Throughput, ${CLIENTS} clients × ${PER_CLIENT} ${kind}, ${label}: ${perSecond.toFixed(0)} questions/s`,
      );
    };
    const one = `1 worker (WORKER_CONCURRENCY=${config.workerConcurrency})`;
    await throughput(one, false);
    await throughput(one, true);
    const second = await addWorker();
    const two = `2 workers (WORKER_CONCURRENCY=${config.workerConcurrency} each)`;
    await throughput(two, false);
    await throughput(two, true);

    // Memory: one worker, SESSIONS sessions each answered once → one cached agent per session.
    second.kill('SIGTERM');
    await exitOf(second);
    await sleep(300);
    const pid = first.pid!;
    const before = await report(pid);
    const childRssBefore = childrenOf(pid).reduce((n, p) => n + rssOf(p), 0);
    const small: string[] = [];
    for (let i = 0; i < SESSIONS; i++) small.push(await newSession(20));
    for (let i = 0; i < small.length; i += 50) {
      await Promise.all(small.slice(i, i + 50).map((s) => ask(s, 'How many rows are there?')));
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

    console.log(`\n## Scale (issue 6) — ${new Date().toISOString()}\n`);
    console.log(formatTable(rows));
    console.log('');
    for (const note of notes) console.log(`- ${note}`);
  } finally {
    await Promise.all(
      workers.map(async (w) => {
        if (w.exitCode === null && w.signalCode === null) {
          w.kill('SIGTERM');
          await exitOf(w);
        }
      }),
    );
    await app.close();
    await services.close();
    redis.disconnect();
    await llm.close();
    await deletePrefix(REDIS_URL, prefix);
    removeDir(dataDir);
  }
}

runIfMain(import.meta.url, main);
