/**
 * The server over real sockets: a browser-like cookie round trip, an embedded restart that keeps live sessions,
 * and a Redis outage (a private redis-server on its own port, stopped and started again) that the server survives
 * without a restart.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import { createServices } from '../../src/services.js';
import { listen } from '../helpers/http.js';
import { freePort } from '../helpers/process.js';
import { PrivateRedis, redisServerAvailable } from '../helpers/redis-server.js';
import {
  makeServices,
  removeDir,
  silentLogger,
  sleep,
  type TestServices,
  testConfig,
} from '../helpers/services.js';

describe('server over a real socket', () => {
  let services: TestServices;
  let app: FastifyInstance;
  afterEach(async () => {
    await app.close();
    await services.dispose();
  });

  it('creates a session and resumes it with the cookie the server set', async () => {
    services = makeServices('local');
    app = await buildApp(services);
    const base = await listen(app);
    const created = await fetch(`${base}/api/sessions`, { method: 'POST' });
    expect(created.status).toBe(201);
    const cookie = created.headers.get('set-cookie')!.split(';')[0]!;
    const { session } = (await created.json()) as { session: { session_id: string } };
    const resumed = await fetch(`${base}/api/session`, { headers: { cookie } });
    expect(resumed.status).toBe(200);
    expect(((await resumed.json()) as { session: { session_id: string } }).session.session_id).toBe(
      session.session_id,
    );
    const ended = await fetch(`${base}/api/session`, { method: 'DELETE', headers: { cookie } });
    expect(ended.status).toBe(204);
    expect((await fetch(`${base}/api/session`, { headers: { cookie } })).status).toBe(404);
  });
});

describe('embedded restart', () => {
  it('keeps live sessions across a restart of the process state', async () => {
    const config = testConfig();
    const first = createServices(config, silentLogger);
    const doc = await first.sessions.create('10.9.9.9');
    await first.sessions.update(doc.session_id, { top_k: 4 });
    await first.close();

    const second = createServices(config, silentLogger);
    try {
      const again = await second.sessions.get(doc.session_id);
      expect(again).toMatchObject({
        session_id: doc.session_id,
        top_k: 4,
        version: 2,
        client_ip: '10.9.9.9',
      });
      expect((await second.sessions.stats()).per_ip).toEqual({ '10.9.9.9': 1 });
    } finally {
      await second.close();
      removeDir(config.dataDir);
    }
  });
});

describe.runIf(redisServerAvailable('Redis outage test'))('Redis outage', () => {
  let redis: PrivateRedis | null = null;
  afterEach(async () => {
    await redis?.stop();
  });

  it('answers 503 while Redis is down and recovers by itself when it is back', {
    timeout: 60_000,
  }, async () => {
    redis = new PrivateRedis(await freePort());
    await redis.start();
    const services = makeServices('redis', { REDIS_URL: redis.url });
    const app = await buildApp(services);
    try {
      expect((await app.inject({ method: 'POST', url: '/api/sessions' })).statusCode).toBe(201);
      await redis.stop();

      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json().error.code).toBe('store_unavailable');
      const create = await app.inject({
        method: 'POST',
        url: '/api/sessions',
        headers: { 'accept-language': 'pt' },
      });
      expect(create.statusCode).toBe(503);
      expect(create.json().error).toMatchObject({ code: 'store_unavailable' });
      expect(create.json().error.message).toMatch(/armazenamento/);
      expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);

      await redis.start();
      // ioredis retries at most every 2 s; a loaded machine adds its own delays on top.
      let status = 0;
      const deadline = Date.now() + 20_000;
      while (status !== 200 && Date.now() < deadline) {
        status = (await app.inject({ method: 'GET', url: '/readyz' })).statusCode;
        if (status !== 200) await sleep(100);
      }
      expect(status).toBe(200);
      expect((await app.inject({ method: 'POST', url: '/api/sessions' })).statusCode).toBe(201);
    } finally {
      await app.close();
      await services.close();
      removeDir(services.config.dataDir);
    }
  });
});
