/**
 * Scaled mode across a Redis outage: a private redis-server on its own port (append-only file, so sessions survive
 * its restart), an API process and a worker started before Redis is up. Redis is stopped while a question runs and
 * started again: the running question ends (answered, or failed with a clear error), questions asked during the
 * outage get 503, and afterwards the same session is answered again — with none of our processes restarted.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from '../helpers/fake-llm.js';
import { salesCsv } from '../helpers/multipart.js';
import { freePort } from '../helpers/process.js';
import { PrivateRedis, redisServerAvailable } from '../helpers/redis-server.js';
import { removeDir, sleep, tempDir } from '../helpers/services.js';
import { type Cluster, startCluster, Visitor } from './cluster.js';

describe.runIf(redisServerAvailable('scaled-mode Redis restart test'))(
  'scaled mode across a Redis restart',
  { timeout: 120_000 },
  () => {
    let redis: PrivateRedis | null = null;
    let cluster: Cluster | null = null;
    let llm: FakeLlm | null = null;
    const redisDir = tempDir('agentgraph-redis');
    const dataDir = tempDir('agentgraph-scale-restart');

    afterAll(async () => {
      await cluster?.stop();
      await llm?.close();
      await redis?.stop();
      removeDir(redisDir);
      removeDir(dataDir);
    });

    it('workers and API started before Redis come up by themselves, and survive its restart', async () => {
      const port = await freePort();
      redis = new PrivateRedis(port, ['--dir', redisDir, '--appendonly', 'yes', '--appendfsync', 'always']);
      llm = await startFakeLlm({ models: ['test-model'] });
      const env = {
        REDIS_URL: `redis://127.0.0.1:${port}/0`,
        DATA_DIR: dataDir,
        OPENAI_BASE_URL: llm.url,
        OPENAI_API_KEY: 'sk-test',
        DEFAULT_MODEL: 'builtin',
        MAX_SESSIONS_PER_IP: '50',
      };
      // Redis is not there yet: the processes start anyway; the workers report once it is.
      const starting = startCluster(env, 'agentgraph-restart:', 1);
      await sleep(1500);
      await redis.start();
      cluster = await starting;
      const worker = cluster.workers[0]!;

      const v = await Visitor.create(cluster.base);
      await v.upload('sales.csv', salesCsv(80));
      expect((await v.ask('How many rows are there?')).body).toMatchObject({ status: 'done', rows: [[80]] });

      // A question in flight (the model answers after 3 s) while Redis goes away for a moment.
      llm.enqueue({ kind: 'text', text: 'Here.\n```sql\nSELECT COUNT(*) FROM sales\n```', delayMs: 3000 });
      const inFlight = await v.submit('How many sales?', 'test-model');
      await cluster.waitFor('the model request', async () => llm!.chats().length === 1);
      await redis.stop('SIGTERM');
      const during = await v.ask('How many rows are there?');
      expect(during.status).toBe(503);
      expect(during.body.error.code).toBe('store_unavailable');
      await sleep(1000);
      await redis.start();

      // The question that was running ends — answered, or failed with a clear code — rather than hanging.
      const ended = await v.finished(inFlight, 40_000);
      if (ended.status === 'done') expect(ended.rows).toEqual([[80]]);
      else expect(ended.error?.code).toMatch(/worker_lost|store_unavailable/);

      // The same session (kept by Redis's append-only file) is answered again; nobody was restarted.
      const after = await cluster.waitFor(
        'a question to be answered after the restart',
        async () => {
          const r = await v.ask('How many rows are there?');
          return r.status === 200 ? r : null;
        },
        30_000,
      );
      expect(after.body).toMatchObject({ status: 'done', rows: [[80]] });
      expect(worker.exitCode).toBeNull();
      expect(cluster.api.exitCode).toBeNull();
      // Its report from before the outage survives in the append-only file: wait for a fresh one.
      const stats = await cluster.waitFor('the worker to report again', async () => {
        const s = await cluster!.stats();
        return s.workers.some((w) => w.pid === worker.pid) && s.worker_totals.processed >= 2 ? s : null;
      });
      expect(stats.worker_totals.processed).toBeGreaterThanOrEqual(2);
    });
  },
);
