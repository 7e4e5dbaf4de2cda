/**
 * bench/queries — issue 5's figures: end-to-end HTTP latency of a built-in question on a 1,000-row table
 * (POST /api/session/queries?wait=true over a real socket: graph, cached agent, sandbox, result file, history),
 * and throughput with 50 concurrent clients (each its own session). Anchors in the same run: GET /healthz on the
 * same server (the HTTP floor) and the same SQL straight through the sandbox (the execution floor).
 *
 *   npx tsx bench/queries.ts            (or: npm run bench -- queries)
 */
import { loadConfig } from '../src/config.js';
import { buildApp } from '../src/http/app.js';
import { createServices } from '../src/services.js';
import { removeDir, silentLogger, tempDir } from '../test/helpers/services.js';
import { asker, concurrentLoad, QUESTIONS, sessionWithSales } from './client.js';
import { formatTable, percentiles, type Row, runIfMain, time } from './stats.js';

const OPS = Number(process.env.BENCH_OPS ?? 1000);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 50);
const PER_CLIENT = Number(process.env.BENCH_PER_CLIENT ?? 20);

export async function main(): Promise<void> {
  const dataDir = tempDir('agentgraph-bench');
  const config = loadConfig({ DATA_DIR: dataDir, MAX_SESSIONS_PER_IP: '1000', LOG_LEVEL: 'silent' });
  const services = createServices(config, silentLogger);
  const app = await buildApp(services);
  const rows: Row[] = [];
  try {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const newSession = () => sessionWithSales(services);
    const ask = asker(base);

    const id = await newSession();
    const graphMs: number[] = [];
    const latency = await time(OPS, async (i) => {
      const result = await ask(id, QUESTIONS[i % QUESTIONS.length]!);
      graphMs.push(result.timings.total_ms ?? Number.NaN);
    });
    rows.push({
      name: 'HTTP question → answer (1,000-row table, cached agent), end to end',
      ...percentiles(latency),
    });
    rows.push({
      name: '  of which inside the answerer (graph + sandbox; the result is recorded after)',
      ...percentiles(graphMs),
    });
    const sql = 'SELECT "region", SUM("quantity") FROM "sales" GROUP BY "region"';
    const dbPath = services.paths.dbPath(id);
    const sandbox = await time(OPS, () => services.sandbox.run(dbPath, sql));
    rows.push({ name: 'anchor: the same GROUP BY straight through the sandbox', ...percentiles(sandbox) });
    const healthz = await time(OPS, async () => {
      await (await fetch(`${base}/healthz`)).arrayBuffer();
    });
    rows.push({ name: 'anchor: HTTP GET /healthz, same server and client', ...percentiles(healthz) });

    const sessions = await Promise.all(Array.from({ length: CLIENTS }, () => newSession()));
    const { perRequest, perSecond } = await concurrentLoad(sessions, PER_CLIENT, ask);
    rows.push({ name: `${CLIENTS} concurrent clients, latency per question`, ...percentiles(perRequest) });
    console.log(`\n## Queries (issue 5) — ${new Date().toISOString()}\n`);
    console.log(formatTable(rows));
    console.log(
      `\nThroughput, ${CLIENTS} concurrent clients × ${PER_CLIENT} questions (WORKER_CONCURRENCY=${config.workerConcurrency}): ${perSecond.toFixed(0)} questions/s`,
    );
  } finally {
    await app.close();
    await services.close();
    removeDir(dataDir);
  }
}

runIfMain(import.meta.url, main);
