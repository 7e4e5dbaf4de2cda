/**
 * Load (issue 12): 200 sessions at once, each uploading a file and asking 10 questions, get 0 errors — in embedded
 * mode (one process) and in scaled mode (Redis, an API process and two workers). Real processes, real sockets.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { salesCsv } from '../helpers/multipart.js';
import {
  deletePrefix,
  REDIS_URL,
  randomPrefix,
  removeDir,
  shouldRunRedis,
  tempDir,
} from '../helpers/services.js';
import { startCluster, Visitor } from '../scale/cluster.js';
import { startServer } from './harness.js';

const SESSIONS = 200;
const QUESTIONS = ['Quantas linhas existem?', 'Total quantity by region', 'Average price by category'];

/** Every visitor at once: create, upload, 10 questions in turn. Returns each failure, described. */
async function crowd(base: string): Promise<{ errors: string[]; answered: number }> {
  const errors: string[] = [];
  let answered = 0;
  await Promise.all(
    Array.from({ length: SESSIONS }, async (_, n) => {
      try {
        const visitor = await Visitor.create(base);
        await visitor.upload(`sales_${n}.csv`, salesCsv(100 + n));
        for (let i = 0; i < 10; i++) {
          const { status, body } = await visitor.ask(QUESTIONS[i % QUESTIONS.length]!);
          if (status !== 200 || body.status !== 'done' || body.sql === null) {
            errors.push(`visitor ${n}, question ${i}: ${status} ${JSON.stringify(body).slice(0, 200)}`);
          } else answered += 1;
        }
      } catch (error) {
        errors.push(`visitor ${n}: ${(error as Error).message}`);
      }
    }),
  );
  return { errors, answered };
}

const ENV = { MAX_SESSIONS_PER_IP: String(SESSIONS + 10) };
const redis = await shouldRunRedis('reliability load, scaled mode');
const prefix = randomPrefix();

describe('200 sessions at once, each an upload and 10 questions', () => {
  it('embedded mode: 0 errors', async () => {
    const dataDir = tempDir('agentgraph-load');
    const server = await startServer(dataDir, ENV);
    try {
      const { errors, answered } = await crowd(server.base);
      expect(errors).toEqual([]);
      expect(answered).toBe(SESSIONS * 10);
      expect(server.alive()).toBe(true);
    } finally {
      await server.kill();
      removeDir(dataDir);
    }
  }, 300_000);

  afterAll(async () => {
    if (redis) await deletePrefix(REDIS_URL, prefix);
  });

  it.skipIf(!redis)(
    'scaled mode (Redis, API + 2 workers): 0 errors',
    async () => {
      const dataDir = tempDir('agentgraph-load-scaled');
      const cluster = await startCluster({ ...ENV, REDIS_URL, DATA_DIR: dataDir }, prefix, 2);
      try {
        const { errors, answered } = await crowd(cluster.base);
        expect(errors).toEqual([]);
        expect(answered).toBe(SESSIONS * 10);
        // Both workers took part.
        const { workers } = await cluster.stats();
        expect(workers.filter((w) => w.processed > 0)).toHaveLength(2);
      } finally {
        await cluster.stop();
        removeDir(dataDir);
      }
    },
    300_000,
  );
});
