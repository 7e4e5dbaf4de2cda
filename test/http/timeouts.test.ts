/**
 * REQUEST_TIMEOUT and IDLE_TIMEOUT over real sockets (issue 12: a body sent one byte every 20 s stayed open 421 s),
 * and the answers that legitimately stay quiet for longer than IDLE_TIMEOUT: SSE and `?wait=true`.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import { type FakeLlm, fakeLlmEnv, startFakeLlm } from '../helpers/fake-llm.js';
import { listen, type RawConnection, rawConnect, sessionWithUpload } from '../helpers/http.js';
import { makeServices, sleep, type TestServices } from '../helpers/services.js';

/** Writes `text` one character every `everyMs` until it is all sent or the server closes the connection. */
async function trickle(conn: RawConnection, text: string, everyMs: number): Promise<void> {
  let open = true;
  void conn.closed.then(() => {
    open = false;
  });
  for (const char of text) {
    if (!open) return;
    conn.socket.write(char);
    await sleep(everyMs);
  }
}

/** Waits for the server to close the connection and checks when it did, in ms since connect. */
async function expectCutOff(conn: RawConnection, atLeastMs: number, beforeMs: number): Promise<void> {
  const elapsed = await conn.closed;
  expect(elapsed).toBeGreaterThanOrEqual(atLeastMs);
  expect(elapsed).toBeLessThan(beforeMs);
}

/** The error code of a raw HTTP answer, or null when the server closed without one. */
function rawErrorCode(answer: string): { status: number; code: string } | null {
  const match = /^HTTP\/1\.1 (\d{3}).*?\r\n\r\n(.*)$/s.exec(answer);
  if (!match) return null;
  return { status: Number(match[1]), code: JSON.parse(match[2]!).error.code };
}

const jsonHead = (length: number) =>
  `POST /api/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;

describe('server timeouts on a real socket', () => {
  let services: TestServices;
  let app: FastifyInstance;
  let conn: RawConnection | undefined;

  async function start(env: Record<string, string>): Promise<string> {
    services = makeServices('local', env);
    app = await buildApp(services);
    return listen(app);
  }

  afterEach(async () => {
    conn?.socket.destroy();
    conn = undefined;
    await app.close();
    await services.dispose();
  });

  it('a body trickled a byte at a time is cut by REQUEST_TIMEOUT with 408 request_timeout', {
    timeout: 20_000,
  }, async () => {
    const base = await start({ REQUEST_TIMEOUT: '2', IDLE_TIMEOUT: '5' });
    conn = await rawConnect(base);
    const body = JSON.stringify({ padding: 'x'.repeat(100) });
    conn.socket.write(jsonHead(body.length));
    // Never silent for more than 0.3 s, so only the whole-request deadline can stop it (it would take 30 s).
    void trickle(conn, body, 300);
    await expectCutOff(conn, 1_900, 8_000);
    expect(rawErrorCode(conn.received())).toEqual({ status: 408, code: 'request_timeout' });
    expect(conn.received()).toMatch(/x-content-type-options: nosniff/i);
    expect((await services.sessions.stats()).active_sessions).toBe(0);
  });

  it('a client that stops sending its headers is cut off after IDLE_TIMEOUT', {
    timeout: 20_000,
  }, async () => {
    const base = await start({ IDLE_TIMEOUT: '1', REQUEST_TIMEOUT: '60' });
    conn = await rawConnect(base);
    conn.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    await expectCutOff(conn, 900, 5_000);
    expect(conn.received()).not.toMatch(/"status":"ok"/);
  });

  it('headers trickled a byte at a time must still be complete within IDLE_TIMEOUT', {
    timeout: 20_000,
  }, async () => {
    const base = await start({ IDLE_TIMEOUT: '2', REQUEST_TIMEOUT: '60' });
    conn = await rawConnect(base);
    void trickle(
      conn,
      `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ${'p'.repeat(200)}\r\n\r\n`,
      200,
    );
    await expectCutOff(conn, 1_900, 8_000);
    expect(rawErrorCode(conn.received())).toEqual({ status: 408, code: 'request_timeout' });
  });

  it('a client that stops sending its body is cut off after IDLE_TIMEOUT', { timeout: 20_000 }, async () => {
    const base = await start({ IDLE_TIMEOUT: '1', REQUEST_TIMEOUT: '60' });
    conn = await rawConnect(base);
    conn.socket.write(`${jsonHead(50)}{"top_k":`);
    await expectCutOff(conn, 900, 5_000);
    expect((await services.sessions.stats()).active_sessions).toBe(0);
  });

  it('a kept-alive connection that goes quiet between requests is closed too', {
    timeout: 20_000,
  }, async () => {
    const base = await start({ IDLE_TIMEOUT: '1', REQUEST_TIMEOUT: '60' });
    conn = await rawConnect(base);
    conn.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    // Node adds one second to the keep-alive timeout it advertises, against races with the client.
    await expectCutOff(conn, 900, 6_000);
    expect(conn.received()).toMatch(/^HTTP\/1\.1 200/);
  });
});

describe('quiet answers longer than IDLE_TIMEOUT', () => {
  let llm: FakeLlm;
  let services: TestServices;
  let app: FastifyInstance;
  let base: string;
  let headers: Record<string, string>;

  // The model takes 3 s to answer: three times IDLE_TIMEOUT, during which the server has nothing to send.
  const SLOW_ANSWER = {
    kind: 'text' as const,
    text: 'There are 120 sales.\n```sql\nSELECT COUNT(*) AS n FROM sales\n```',
    delayMs: 3_000,
  };

  afterEach(async () => {
    await app.close();
    await services.dispose();
    await llm.close();
  });

  async function start() {
    llm = await startFakeLlm({ models: ['test-model'] });
    services = makeServices(
      'local',
      { ...fakeLlmEnv(llm), IDLE_TIMEOUT: '1' },
      { models: { policy: { timeoutMs: 10_000, retryBaseMs: 10, retryMaxMs: 50 } } },
    );
    app = await buildApp(services);
    base = await listen(app);
    headers = await sessionWithUpload(app);
  }

  it('an SSE stream stays open past IDLE_TIMEOUT (comments keep it alive) until done', {
    timeout: 30_000,
  }, async () => {
    await start();
    llm.enqueue(SLOW_ANSWER);
    const accepted = await app.inject({
      method: 'POST',
      url: '/api/session/queries',
      headers,
      payload: { question: 'How many sales?' },
    });
    const started = Date.now();
    const response = await fetch(`${base}/api/session/queries/${accepted.json().query_id}/events`, {
      headers,
    });
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const text = await response.text(); // the server ends the stream after `done`
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_500);
    expect(text).toMatch(/event: done/);
    expect(text.match(/: keep-alive/g)?.length ?? 0).toBeGreaterThanOrEqual(3);
    const done = JSON.parse(/event: done\ndata: (.*)\n/.exec(text)![1]!);
    expect(done.result).toMatchObject({ status: 'done', rows: [[120]] });
  });

  it('POST ?wait=true gets its answer after a silence longer than IDLE_TIMEOUT', {
    timeout: 30_000,
  }, async () => {
    await start();
    llm.enqueue(SLOW_ANSWER);
    const started = Date.now();
    const response = await fetch(`${base}/api/session/queries?wait=true`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ question: 'How many sales?' }),
    });
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_500);
    expect(await response.json()).toMatchObject({ status: 'done', rows: [[120]] });
  });
});
