/**
 * The HTTP edge of issue 12, in-process (inject): cross-site requests refused, the session cookie (SameSite=Strict,
 * `__Host-` over TLS), TRUST_PROXY=true as one hop, `nosniff` on every answer, /metrics behind the admin token, and
 * duplicate JSON keys refused.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import { sessionWithUpload } from '../helpers/http.js';
import { MULTIPART_TYPE, multipart, salesCsv } from '../helpers/multipart.js';
import { makeServices, removeDir, type TestServices, tempDir } from '../helpers/services.js';

const ADMIN = 'admin-token-for-tests';

let services: TestServices;
let app: FastifyInstance;
let webRoot = '';

async function start(env: Record<string, string> = {}) {
  services = makeServices('local', env);
  app = await buildApp(services, webRoot ? { webRoot } : {});
}

afterEach(async () => {
  await app.close();
  await services.dispose();
  if (webRoot) removeDir(webRoot);
  webRoot = '';
});

/** A live session with the sales table; its header. */
const sessionWithTable = () => sessionWithUpload(app, { name: 'sales.csv', content: salesCsv(20) });

const errorCode = (response: LightMyRequestResponse) => response.json().error?.code;

describe('cross-site requests', () => {
  // What a page elsewhere can make a browser send: another site, another port of this host (same *site*), an
  // opaque origin (sandboxed frame, file:), and an old browser that sends Origin only.
  const HOSTILE: Record<string, Record<string, string>> = {
    'Sec-Fetch-Site: cross-site': { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
    'Sec-Fetch-Site: same-site (another port)': {
      'sec-fetch-site': 'same-site',
      origin: 'http://localhost:8080',
    },
    'Origin: another site, no Sec-Fetch-Site': { origin: 'https://evil.example' },
    'Origin: another port, no Sec-Fetch-Site': { origin: 'http://localhost:8080' },
    'Origin: null': { origin: 'null' },
  };

  /** One request of every state-changing kind, against a session holding the sales table. */
  async function stateChangingRequests(headers: Record<string, string>): Promise<[string, InjectOptions][]> {
    const ask = await app.inject({
      method: 'POST',
      url: '/api/session/queries',
      headers,
      payload: { question: 'How many rows are there?' },
    });
    const queryId = ask.json().query_id;
    return [
      ['create a session', { method: 'POST', url: '/api/sessions' }],
      // The router decodes the path: a check on the raw URL's prefix would miss this one.
      ['create a session, path percent-encoded', { method: 'POST', url: '/%61pi/sessions' }],
      ['change settings', { method: 'PATCH', url: '/api/session', payload: { top_k: 3 } }],
      ['end the session', { method: 'DELETE', url: '/api/session' }],
      [
        'upload',
        {
          method: 'POST',
          url: '/api/session/uploads',
          headers: { 'content-type': MULTIPART_TYPE },
          payload: multipart({ name: 'planted.csv', content: 'a,b\n1,2\n' }),
        },
      ],
      ['drop a table', { method: 'DELETE', url: '/api/session/tables/sales' }],
      ['ask', { method: 'POST', url: '/api/session/queries', payload: { question: 'How many rows?' } }],
      ['cancel', { method: 'POST', url: `/api/session/queries/${queryId}/cancel` }],
      [
        'admin cleanup',
        { method: 'POST', url: '/api/admin/cleanup', headers: { authorization: `Bearer ${ADMIN}` } },
      ],
    ];
  }

  it('refuses every state-changing route from another site, another port or an opaque origin', async () => {
    await start({ ADMIN_TOKEN: ADMIN });
    const headers = await sessionWithTable();
    const before = (await app.inject({ url: '/api/session', headers })).json().session;
    const historyBefore = (await app.inject({ url: '/api/session/history', headers })).json().history;
    for (const [kind, request] of await stateChangingRequests(headers)) {
      for (const [label, hostile] of Object.entries(HOSTILE)) {
        const response = await app.inject({
          ...request,
          headers: { ...headers, ...request.headers, ...hostile },
        });
        expect([kind, label, response.statusCode, errorCode(response)]).toEqual([
          kind,
          label,
          403,
          'cross_site_request',
        ]);
        expect(response.headers['set-cookie']).toBeUndefined();
      }
    }
    // Nothing changed: no new session, same settings and tables, no question asked, no cleanup run.
    const after = (await app.inject({ url: '/api/session', headers })).json().session;
    expect(after).toMatchObject({ top_k: before.top_k, version: before.version, tables: ['sales'] });
    expect((await services.sessions.stats()).active_sessions).toBe(1);
    expect((await app.inject({ url: '/api/session/history', headers })).json().history).toHaveLength(
      historyBefore.length,
    );
    expect((await services.cleanup.stats()).runs).toBe(0);
  });

  it('says why in English and Portuguese', async () => {
    await start();
    const hostile = { origin: 'https://evil.example' };
    const en = await app.inject({ method: 'POST', url: '/api/sessions', headers: hostile });
    const pt = await app.inject({
      method: 'POST',
      url: '/api/sessions',
      headers: { ...hostile, 'accept-language': 'pt-BR' },
    });
    expect(en.json().error.message).toMatch(/another site/);
    expect(pt.json().error.message).toMatch(/outro site/);
  });

  it('accepts same-origin browsers, typed-in requests and clients that send neither header', async () => {
    await start();
    const headers = await sessionWithTable();
    const allowed: Record<string, Record<string, string>> = {
      'Sec-Fetch-Site: same-origin': { 'sec-fetch-site': 'same-origin', origin: 'http://localhost' },
      'Sec-Fetch-Site: none': { 'sec-fetch-site': 'none' },
      'Origin equal to ours, no Sec-Fetch-Site': { origin: 'http://localhost' },
      'Origin with our default port spelled out': { origin: 'http://localhost:80' },
      'no Origin, no Sec-Fetch-Site (curl, CLI)': {},
    };
    let topK = 2;
    for (const [label, extra] of Object.entries(allowed)) {
      topK += 1;
      const response = await app.inject({
        method: 'PATCH',
        url: '/api/session',
        headers: { ...headers, ...extra },
        payload: { top_k: topK },
      });
      expect([label, response.statusCode, response.json().session?.top_k]).toEqual([label, 200, topK]);
    }
    const created = await app.inject({
      method: 'POST',
      url: '/api/sessions',
      headers: { 'sec-fetch-site': 'same-origin', origin: 'http://localhost' },
    });
    expect(created.statusCode).toBe(201);
  });

  it('lets reads through from anywhere', async () => {
    await start();
    const headers = await sessionWithTable();
    const hostile = { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' };
    for (const url of ['/api/session', '/api/session/tables', '/api/models', '/healthz']) {
      const response = await app.inject({ url, headers: { ...headers, ...hostile } });
      expect([url, response.statusCode]).toEqual([url, 200]);
    }
  });

  it('behind a trusted TLS proxy, our origin is the one the proxy names', async () => {
    await start({ TRUST_PROXY: 'true' });
    const proxied = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'data.example.org' };
    const ours = await app.inject({
      method: 'POST',
      url: '/api/sessions',
      headers: { ...proxied, origin: 'https://data.example.org' },
    });
    expect(ours.statusCode).toBe(201);
    const downgraded = await app.inject({
      method: 'POST',
      url: '/api/sessions',
      headers: { ...proxied, origin: 'http://data.example.org' },
    });
    expect([downgraded.statusCode, errorCode(downgraded)]).toEqual([403, 'cross_site_request']);
  });
});

describe('the session cookie', () => {
  it('is SameSite=Strict, named agentgraph_sid over plain http', async () => {
    await start();
    const response = await app.inject({ method: 'POST', url: '/api/sessions' });
    const cookie = String(response.headers['set-cookie']);
    expect(cookie).toMatch(/^agentgraph_sid=[0-9a-f-]{36}; Path=\/; HttpOnly; SameSite=Strict$/);
  });

  it('over TLS is __Host-agentgraph_sid (Secure, Path=/, no Domain); both names are read; DELETE clears both', async () => {
    await start({ TRUST_PROXY: 'true' });
    const https = { 'x-forwarded-proto': 'https' };
    const created = await app.inject({ method: 'POST', url: '/api/sessions', headers: https });
    const cookie = String(created.headers['set-cookie']);
    expect(cookie).toMatch(
      /^__Host-agentgraph_sid=[0-9a-f-]{36}; Path=\/; HttpOnly; SameSite=Strict; Secure$/,
    );
    expect(cookie).not.toMatch(/Domain/i);
    const id = created.json().session.session_id;
    for (const name of ['__Host-agentgraph_sid', 'agentgraph_sid']) {
      const read = await app.inject({ url: '/api/session', headers: { ...https, cookie: `${name}=${id}` } });
      expect([name, read.statusCode]).toEqual([name, 200]);
    }
    const ended = await app.inject({
      method: 'DELETE',
      url: '/api/session',
      headers: { ...https, cookie: `__Host-agentgraph_sid=${id}` },
    });
    expect(ended.statusCode).toBe(204);
    const cleared = ended.headers['set-cookie'] as string[];
    expect(cleared).toHaveLength(2);
    expect(cleared[0]).toMatch(/^__Host-agentgraph_sid=; .*Max-Age=0; Secure$/);
    expect(cleared[1]).toMatch(/^agentgraph_sid=; .*Max-Age=0; Secure$/);
  });
});

describe('TRUST_PROXY', () => {
  it('true means one hop: left-most X-Forwarded-For entries, written by the client, change nothing', async () => {
    await start({ TRUST_PROXY: 'true', MAX_SESSIONS_PER_IP: '2' });
    const statuses: number[] = [];
    for (let n = 1; n <= 5; n++) {
      const response = await app.inject({
        method: 'POST',
        url: '/api/sessions',
        headers: { 'x-forwarded-for': `10.9.9.${n}, 198.51.100.7` },
      });
      statuses.push(response.statusCode);
      if (response.statusCode === 201) expect(response.json().session.client_ip).toBe('198.51.100.7');
    }
    expect(statuses).toEqual([201, 201, 429, 429, 429]);
    expect((await services.sessions.stats()).per_ip).toEqual({ '198.51.100.7': 2 });
  });

  it('a hop count trusts that many proxies', async () => {
    await start({ TRUST_PROXY: '2' });
    const response = await app.inject({
      method: 'POST',
      url: '/api/sessions',
      headers: { 'x-forwarded-for': '10.9.9.9, 203.0.113.5, 10.0.0.2' },
    });
    expect(response.json().session.client_ip).toBe('203.0.113.5');
  });
});

describe('X-Content-Type-Options: nosniff', () => {
  it('is on every answer: API, errors, 404s, health, metrics, the page and its assets', async () => {
    webRoot = tempDir('agentgraph-web');
    mkdirSync(join(webRoot, 'assets'));
    writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>ui</title>');
    writeFileSync(join(webRoot, 'assets', 'index-abc123.js'), 'console.log(1)');
    await start({ METRICS_PUBLIC: 'true' });
    const headers = await sessionWithTable();
    const requests: InjectOptions[] = [
      { url: '/api/session', headers },
      { url: '/api/session' }, // 401
      { url: '/api/nope' }, // 404
      { url: '/nope.png' }, // 404 outside /api
      { method: 'PATCH', url: '/api/session', headers, payload: '{"top_k":' }, // 400
      { method: 'POST', url: '/api/sessions', headers: { origin: 'https://evil.example' } }, // 403
      { url: '/api/session/tables/sales', headers },
      { url: '/healthz' },
      { url: '/metrics' },
      { url: '/' },
      { url: '/assets/index-abc123.js' },
      { url: '/some/client/route' },
    ];
    for (const request of requests) {
      const response = await app.inject(request);
      expect([request.url, response.headers['x-content-type-options']]).toEqual([request.url, 'nosniff']);
    }
  });
});

describe('/metrics', () => {
  it('does not exist without ADMIN_TOKEN or METRICS_PUBLIC', async () => {
    await start();
    const response = await app.inject({ url: '/metrics' });
    expect([response.statusCode, errorCode(response)]).toEqual([404, 'not_found']);
  });

  it('takes the admin bearer token when ADMIN_TOKEN is set', async () => {
    await start({ ADMIN_TOKEN: ADMIN });
    await app.inject({ method: 'POST', url: '/api/sessions' });
    const none = await app.inject({ url: '/metrics' });
    expect([none.statusCode, errorCode(none)]).toEqual([401, 'unauthorized']);
    const wrong = await app.inject({ url: '/metrics', headers: { authorization: 'Bearer nope' } });
    expect(wrong.statusCode).toBe(401);
    const right = await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${ADMIN}` } });
    expect(right.statusCode).toBe(200);
    expect(right.body).toMatch(/^agentgraph_sessions_active 1$/m);
  });

  it('is public with METRICS_PUBLIC=true, token or not', async () => {
    await start({ ADMIN_TOKEN: ADMIN, METRICS_PUBLIC: 'true' });
    const response = await app.inject({ url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatch(/^agentgraph_store_up 1$/m);
  });
});

describe('duplicate JSON keys', () => {
  it('are refused at any depth with 400 bad_input naming the key, and change nothing', async () => {
    await start();
    const headers = { ...(await sessionWithTable()), 'content-type': 'application/json' };
    const bodies = [
      '{"top_k":3,"top_k":1000}',
      '{"top_k":3,"top\\u005fk":4}',
      '{"top_k":3,"language":"pt","extra":{"a":[{"b":1,"b":2}]}}',
    ];
    for (const payload of bodies) {
      const en = await app.inject({ method: 'PATCH', url: '/api/session', headers, payload });
      expect([payload, en.statusCode, errorCode(en)]).toEqual([payload, 400, 'bad_input']);
      expect(en.json().error.message).toMatch(/appears twice/);
      const pt = await app.inject({
        method: 'PATCH',
        url: '/api/session',
        headers: { ...headers, 'accept-language': 'pt-BR' },
        payload,
      });
      expect(pt.json().error.message).toMatch(/aparece duas vezes/);
    }
    const asked = await app.inject({
      method: 'POST',
      url: '/api/session/queries',
      headers,
      payload: '{"question":"How many rows?","question":"Total price"}',
    });
    expect([asked.statusCode, asked.json().error.message]).toEqual([
      400,
      expect.stringMatching(/"question"/),
    ]);
    const { session } = (await app.inject({ url: '/api/session', headers })).json();
    expect(session).toMatchObject({ top_k: 10, version: 2 }); // 2: the upload
  });

  it('keeps the other JSON rules: prototype keys refused, 64 KiB limit, deep nesting is a 400', async () => {
    await start();
    const headers = { ...(await sessionWithTable()), 'content-type': 'application/json' };
    const patch = (payload: string) => app.inject({ method: 'PATCH', url: '/api/session', headers, payload });
    const proto = await patch('{"__proto__":{"top_k":1}}');
    expect([proto.statusCode, errorCode(proto)]).toEqual([400, 'bad_input']);
    const ctor = await patch('{"constructor":{"prototype":{"top_k":1}}}');
    expect([ctor.statusCode, errorCode(ctor)]).toEqual([400, 'bad_input']);
    const big = await patch(JSON.stringify({ processing_model: 'x'.repeat(70_000) }));
    expect([big.statusCode, errorCode(big)]).toEqual([413, 'payload_too_large']);
    const deep = await patch(`${'['.repeat(30_000)}${']'.repeat(30_000)}`);
    expect([deep.statusCode, errorCode(deep)]).toEqual([400, 'bad_input']);
    expect((await patch('{"top_k":7}')).json().session.top_k).toBe(7);
  });
});
