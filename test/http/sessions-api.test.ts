import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import { makeServices, shouldRunRedis, sleep, type TestServices } from '../helpers/services.js';

const modes: ('local' | 'redis')[] = ['local'];
if (await shouldRunRedis('session HTTP API on Redis')) modes.push('redis');

function cookieOf(response: LightMyRequestResponse): string {
  const header = String(response.headers['set-cookie'] ?? '');
  const match = /agentgraph_sid=([^;]*)/.exec(header);
  if (!match) throw new Error(`no session cookie in ${header}`);
  return match[1]!;
}

for (const mode of modes) {
  describe(`session HTTP API (${mode})`, () => {
    let services: TestServices;
    let app: FastifyInstance;

    async function start(env: Record<string, string> = {}) {
      services = makeServices(mode, env);
      app = await buildApp(services);
    }

    afterEach(async () => {
      await app.close();
      await services.dispose();
    });

    it('POST /api/sessions creates a session and sets the cookie', async () => {
      await start();
      const response = await app.inject({ method: 'POST', url: '/api/sessions' });
      expect(response.statusCode).toBe(201);
      const setCookie = String(response.headers['set-cookie']);
      expect(setCookie).toMatch(/HttpOnly/);
      expect(setCookie).toMatch(/SameSite=Strict/);
      expect(setCookie).toMatch(/Path=\//);
      expect(setCookie).not.toMatch(/Secure/);
      const { session } = response.json();
      expect(cookieOf(response)).toBe(session.session_id);
      expect(session).toMatchObject({
        client_ip: '127.0.0.1',
        version: 1,
        total_queries: 0,
        tables: [],
        ttl_seconds: 3600,
        size_bytes: 0,
        limits: {
          max_sessions_per_ip: 5,
          max_session_size_bytes: 200 * 1024 * 1024,
          session_ttl_seconds: 3600,
        },
      });
      expect(session.session_id).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('the cookie is Secure behind an https proxy that is trusted', async () => {
      await start({ TRUST_PROXY: 'true' });
      const response = await app.inject({
        method: 'POST',
        url: '/api/sessions',
        headers: { 'x-forwarded-proto': 'https' },
      });
      expect(String(response.headers['set-cookie'])).toMatch(/Secure/);
    });

    it('names the session by cookie or by X-Session-Id, renewing it each time', async () => {
      await start();
      const created = await app.inject({ method: 'POST', url: '/api/sessions' });
      const id = cookieOf(created);
      await sleep(5); // the clock (milliseconds in the local store) must move for "renewed" to show
      const byCookie = await app.inject({
        method: 'GET',
        url: '/api/session',
        cookies: { agentgraph_sid: id },
      });
      expect(byCookie.statusCode).toBe(200);
      const byHeader = await app.inject({
        method: 'GET',
        url: '/api/session',
        headers: { 'x-session-id': id },
      });
      expect(byHeader.statusCode).toBe(200);
      expect(byHeader.json().session.last_seen).toBeGreaterThanOrEqual(byCookie.json().session.last_seen);
      expect(byHeader.json().session.last_seen).toBeGreaterThan(created.json().session.last_seen);
    });

    it('PATCH validates, bumps the version on answer-changing fields only, and persists', async () => {
      await start();
      const id = cookieOf(await app.inject({ method: 'POST', url: '/api/sessions' }));
      const headers = { 'x-session-id': id };
      const patched = await app.inject({
        method: 'PATCH',
        url: '/api/session',
        headers,
        payload: { top_k: 3 },
      });
      expect(patched.statusCode).toBe(200);
      expect(patched.json().session).toMatchObject({ top_k: 3, version: 2 });
      const again = await app.inject({
        method: 'PATCH',
        url: '/api/session',
        headers,
        payload: { top_k: 3 },
      });
      expect(again.json().session.version).toBe(2);
      const flags = await app.inject({
        method: 'PATCH',
        url: '/api/session',
        headers,
        payload: { advanced_mode: true },
      });
      expect(flags.json().session).toMatchObject({ advanced_mode: true, version: 2 });
      const read = await app.inject({ method: 'GET', url: '/api/session', headers });
      expect(read.json().session).toMatchObject({ top_k: 3, advanced_mode: true, version: 2 });
    });

    it('concurrent PATCHes over HTTP lose nothing', async () => {
      await start();
      const id = cookieOf(await app.inject({ method: 'POST', url: '/api/sessions' }));
      const headers = { 'x-session-id': id };
      const payloads = [
        { top_k: 4 },
        { advanced_mode: true },
        { language: 'pt' },
        { processing_enabled: true },
      ];
      const responses = await Promise.all(
        payloads.map((payload) => app.inject({ method: 'PATCH', url: '/api/session', headers, payload })),
      );
      expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200, 200]);
      const { session } = (await app.inject({ method: 'GET', url: '/api/session', headers })).json();
      expect(session).toMatchObject({
        top_k: 4,
        advanced_mode: true,
        language: 'pt',
        processing_enabled: true,
      });
    });

    it('bad input gets a stable code, a message in the asked language, and changes nothing', async () => {
      await start();
      const id = cookieOf(await app.inject({ method: 'POST', url: '/api/sessions' }));
      const headers = { 'x-session-id': id, 'content-type': 'application/json' };
      const cases: { payload: string; status: number; code: string }[] = [
        { payload: '{"top_k":', status: 400, code: 'bad_input' },
        { payload: '{"unknown_field":1}', status: 400, code: 'bad_input' },
        { payload: '{"top_k":"ten"}', status: 400, code: 'bad_input' },
        { payload: '{"session_id":"x"}', status: 400, code: 'bad_input' },
        { payload: '{"version":99}', status: 400, code: 'bad_input' },
        { payload: '[1,2]', status: 400, code: 'bad_input' },
        { payload: '{"__proto__":{"top_k":1}}', status: 400, code: 'bad_input' },
        {
          payload: JSON.stringify({ processing_model: 'x'.repeat(70_000) }),
          status: 413,
          code: 'payload_too_large',
        },
      ];
      for (const { payload, status, code } of cases) {
        const en = await app.inject({ method: 'PATCH', url: '/api/session', headers, payload });
        expect({ payload: payload.slice(0, 30), status: en.statusCode, code: en.json().error.code }).toEqual({
          payload: payload.slice(0, 30),
          status,
          code,
        });
        const pt = await app.inject({
          method: 'PATCH',
          url: '/api/session',
          headers: { ...headers, 'accept-language': 'pt-BR,pt;q=0.9,en;q=0.8' },
          payload,
        });
        expect(pt.json().error.code).toBe(code);
        expect(pt.json().error.message).not.toBe(en.json().error.message);
      }
      const text = await app.inject({
        method: 'PATCH',
        url: '/api/session',
        headers: { 'x-session-id': id, 'content-type': 'text/plain' },
        payload: 'top_k=3',
      });
      expect(text.statusCode).toBe(415);
      expect(text.json().error.code).toBe('unsupported_media_type');
      const { session } = (await app.inject({ method: 'GET', url: '/api/session', headers })).json();
      expect(session).toMatchObject({ top_k: 10, version: 1 });
    });

    it('missing, malformed, path-like and unknown ids get distinct 4xx codes', async () => {
      await start();
      const none = await app.inject({ method: 'GET', url: '/api/session' });
      expect(none.statusCode).toBe(401);
      expect(none.json().error.code).toBe('session_missing');
      for (const bad of [
        '../x',
        '%2e%2e%2f',
        '..%2F..%2Fetc',
        'abc',
        '3d5b0a4e-2222-1222-8222-222222222222',
      ]) {
        const r = await app.inject({ method: 'GET', url: '/api/session', headers: { 'x-session-id': bad } });
        expect([bad, r.statusCode, r.json().error.code]).toEqual([bad, 400, 'bad_session_id']);
        const c = await app.inject({ method: 'GET', url: '/api/session', cookies: { agentgraph_sid: bad } });
        expect(c.statusCode).toBe(400);
      }
      const unknown = await app.inject({
        method: 'GET',
        url: '/api/session',
        cookies: { agentgraph_sid: '3d5b0a4e-2222-4222-8222-222222222222' },
      });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json().error.code).toBe('session_expired');
      expect(String(unknown.headers['set-cookie'])).toMatch(/Max-Age=0/); // the dead cookie is cleared
    });

    it('DELETE ends the session: 204, then 404; the slot frees', async () => {
      await start({ MAX_SESSIONS_PER_IP: '1' });
      const id = cookieOf(await app.inject({ method: 'POST', url: '/api/sessions' }));
      const limited = await app.inject({ method: 'POST', url: '/api/sessions' });
      expect(limited.statusCode).toBe(429);
      expect(limited.json().error.code).toBe('session_limit');
      const deleted = await app.inject({
        method: 'DELETE',
        url: '/api/session',
        headers: { 'x-session-id': id },
      });
      expect(deleted.statusCode).toBe(204);
      expect(String(deleted.headers['set-cookie'])).toMatch(/Max-Age=0/);
      const after = await app.inject({ method: 'GET', url: '/api/session', headers: { 'x-session-id': id } });
      expect(after.statusCode).toBe(404);
      const again = await app.inject({
        method: 'DELETE',
        url: '/api/session',
        headers: { 'x-session-id': id },
      });
      expect(again.statusCode).toBe(204);
      expect((await app.inject({ method: 'POST', url: '/api/sessions' })).statusCode).toBe(201);
    });

    it('a forged X-Forwarded-For does not get around the per-IP limit by default', async () => {
      await start({ MAX_SESSIONS_PER_IP: '2' });
      const codes = [];
      for (let i = 0; i < 4; i++) {
        const r = await app.inject({
          method: 'POST',
          url: '/api/sessions',
          headers: { 'x-forwarded-for': `203.0.113.${i}` },
        });
        codes.push(r.statusCode);
      }
      expect(codes).toEqual([201, 201, 429, 429]);
    });

    it('with TRUST_PROXY the client IP comes from X-Forwarded-For', async () => {
      await start({ MAX_SESSIONS_PER_IP: '1', TRUST_PROXY: 'true' });
      const a = await app.inject({
        method: 'POST',
        url: '/api/sessions',
        headers: { 'x-forwarded-for': '198.51.100.1' },
      });
      const b = await app.inject({
        method: 'POST',
        url: '/api/sessions',
        headers: { 'x-forwarded-for': '198.51.100.2' },
      });
      const c = await app.inject({
        method: 'POST',
        url: '/api/sessions',
        headers: { 'x-forwarded-for': '198.51.100.1' },
      });
      expect([a.statusCode, b.statusCode, c.statusCode]).toEqual([201, 201, 429]);
      expect(a.json().session.client_ip).toBe('198.51.100.1');
    });

    it('admin routes: 404 without ADMIN_TOKEN; 401 with a wrong token; stats and cleanup with the right one', async () => {
      await start();
      expect((await app.inject({ method: 'GET', url: '/api/admin/stats' })).statusCode).toBe(404);
      await app.close();
      await services.dispose();
      await start({ ADMIN_TOKEN: 's3cret-token' });
      await app.inject({ method: 'POST', url: '/api/sessions' });
      const wrong = await app.inject({
        method: 'GET',
        url: '/api/admin/stats',
        headers: { authorization: 'Bearer nope' },
      });
      expect(wrong.statusCode).toBe(401);
      expect(wrong.json().error.code).toBe('unauthorized');
      const auth = { authorization: 'Bearer s3cret-token' };
      const stats = await app.inject({ method: 'GET', url: '/api/admin/stats', headers: auth });
      expect(stats.statusCode).toBe(200);
      expect(stats.json().sessions).toMatchObject({
        active_sessions: 1,
        per_ip: { '127.0.0.1': 1 },
        store: mode,
      });
      const cleanup = await app.inject({ method: 'POST', url: '/api/admin/cleanup', headers: auth });
      expect(cleanup.statusCode).toBe(200);
      expect(cleanup.json()).toMatchObject({ skipped: false, expired_removed: 0, orphan_scan: true });
    });

    it('health, readiness and metrics answer', async () => {
      await start({ METRICS_PUBLIC: 'true' });
      expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toEqual({ status: 'ready', store: mode });
      await app.inject({ method: 'POST', url: '/api/sessions' });
      const metrics = await app.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.body).toMatch(/^agentgraph_sessions_active 1$/m);
      expect(metrics.body).toMatch(/^agentgraph_store_up 1$/m);
    });

    it('an unknown route is a JSON 404', async () => {
      await start();
      const response = await app.inject({ method: 'GET', url: '/api/nope' });
      expect(response.statusCode).toBe(404);
      expect(response.json().error.code).toBe('not_found');
    });
  });
}
