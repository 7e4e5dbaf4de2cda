/**
 * Test wiring: real SQLite files in a fresh temp DATA_DIR, and the real Redis on this machine under a random key
 * prefix (removed afterwards). Redis suites are skipped with a visible line when Redis is not there, unless
 * REQUIRE_SERVICES=1, where a missing service fails the run.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { type Config, loadConfig } from '../../src/config.js';
import type { QueryJob } from '../../src/engine/types.js';
import { createServices, type ServiceOptions, type Services } from '../../src/services.js';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
export const requireServices = process.env.REQUIRE_SERVICES === '1';

export const silentLogger = pino({ level: 'silent' });

export function tempDir(label = 'agentgraph'): string {
  return mkdtempSync(join(tmpdir(), `${label}-`));
}

export function removeDir(path: string): void {
  rmSync(path, { recursive: true, force: true });
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ DATA_DIR: tempDir(), LOG_LEVEL: 'silent', ...overrides });
}

export function randomPrefix(): string {
  return `agentgraph-test-${randomBytes(6).toString('hex')}:`;
}

let redisCheck: Promise<boolean> | null = null;

/** Whether the real Redis answers; cached for the whole file. */
export function redisAvailable(): Promise<boolean> {
  redisCheck ??= (async () => {
    const client = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return (await client.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      client.disconnect();
    }
  })();
  return redisCheck;
}

/** Top-level await in a test file: true → run the Redis suites; false → skip them, saying so. */
export async function shouldRunRedis(suite: string): Promise<boolean> {
  const up = await redisAvailable();
  if (up) return true;
  if (requireServices)
    throw new Error(`REQUIRE_SERVICES=1 but Redis at ${REDIS_URL} does not answer (${suite})`);
  console.warn(
    `SKIPPED: ${suite} — Redis at ${REDIS_URL} does not answer (set REQUIRE_SERVICES=1 to fail instead)`,
  );
  return false;
}

/** Deletes every key under a prefix (SCAN is fine in tests; the product never scans). */
export async function deletePrefix(url: string, prefix: string): Promise<void> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  client.on('error', () => undefined);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await client.del(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}

export interface TestServices extends Services {
  dispose(): Promise<void>;
}

/** Services for one test: embedded (local store) or scaled (Redis, own prefix). */
export function makeServices(
  mode: 'local' | 'redis',
  overrides: Record<string, string> = {},
  options: ServiceOptions = {},
): TestServices {
  const config = testConfig({ ...(mode === 'redis' ? { REDIS_URL } : {}), ...overrides });
  const keyPrefix = options.keyPrefix ?? randomPrefix();
  const services = createServices(config, silentLogger, { keyPrefix, ...options });
  return {
    ...services,
    async dispose() {
      await services.close();
      if (mode === 'redis') await deletePrefix(config.redisUrl!, keyPrefix);
      removeDir(config.dataDir);
    },
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A question as a queue receives it (a fresh id, submitted now). */
export function queryJob(sessionId: string, question: string, model?: string): QueryJob {
  return {
    query_id: randomUUID(),
    session_id: sessionId,
    question,
    ...(model ? { model } : {}),
    submitted_at: Date.now() / 1000,
  };
}

/** Bytes of a session's question log (cache/results.log + cache/history.jsonl); 0 for files not written. */
export function cacheBytes(cacheDir: string): number {
  let total = 0;
  for (const name of ['results.log', 'history.jsonl']) {
    try {
      total += statSync(join(cacheDir, name)).size;
    } catch {
      // not written (yet, or any more)
    }
  }
  return total;
}
