/**
 * The LLM path end to end over HTTP: our real OpenAI-compatible client talks to a local server speaking the
 * chat-completions protocol with scripted replies; SQL runs in the real sandbox on a real session database.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import { type FakeLlm, fakeLlmEnv, startFakeLlm } from '../helpers/fake-llm.js';
import { askAndWait, sessionWithUpload } from '../helpers/http.js';
import { makeServices, sleep, type TestServices } from '../helpers/services.js';

const ENDLESS = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c';

function finalSql(sql: string, text = 'Here is the answer.') {
  return { kind: 'text' as const, text: `${text}\n\`\`\`sql\n${sql}\n\`\`\`` };
}

describe('questions answered by an LLM (local OpenAI-protocol server)', () => {
  let llm: FakeLlm;
  let services: TestServices;
  let app: FastifyInstance;
  let headers: Record<string, string>;

  async function start(env: Record<string, string> = {}, timeoutMs = 10_000) {
    services = makeServices(
      'local',
      { ...fakeLlmEnv(llm), ...env },
      { models: { policy: { timeoutMs, retryBaseMs: 10, retryMaxMs: 50 } } },
    );
    app = await buildApp(services);
    headers = await sessionWithUpload(app);
  }

  const ask = (question: string) => askAndWait(app, headers, question);

  beforeEach(async () => {
    llm = await startFakeLlm({ models: ['test-model'] });
  });
  afterEach(async () => {
    await app.close();
    await services.dispose();
    await llm.close();
  });

  it('lists the server’s models next to builtin', async () => {
    await start();
    const models = (await app.inject({ method: 'GET', url: '/api/models' })).json();
    expect(models.models.map((m: { id: string }) => m.id)).toEqual(
      expect.arrayContaining(['builtin', 'test-model']),
    );
    expect(models.default).toBe('test-model');
  });

  it('a tool loop: bad SQL first, the error goes back to the model, the fixed SQL answers', async () => {
    await start();
    llm.enqueue(
      { kind: 'tools', calls: [{ name: 'run_sql', arguments: { sql: 'SELECT nope FROM sales' } }] },
      finalSql('SELECT COUNT(*) AS n FROM sales', 'There are 120 sales.'),
    );
    const result = await ask('How many sales are there?');
    expect(result).toMatchObject({
      status: 'done',
      model: 'test-model',
      rows: [[120]],
      sql: 'SELECT COUNT(*) AS n FROM sales',
    });
    expect(result.answer).toBe('There are 120 sales.');
    const chats = llm.chats();
    expect(chats).toHaveLength(2);
    expect(JSON.stringify(chats[1]!.body)).toMatch(/no such column: nope/);
    expect(chats[0]!.headers.authorization).toBe('Bearer sk-test-key');
    expect(JSON.stringify(chats[0]!.body)).toMatch(/sales/); // the schema was shown
  });

  it('a provider 429 is retried, then the answer comes', async () => {
    await start();
    llm.enqueue(
      { kind: 'status', status: 429, headers: { 'retry-after': '0' } },
      finalSql('SELECT SUM(quantity) FROM sales'),
    );
    const result = await ask('Total quantity?');
    expect(result.status).toBe('done');
    expect(result.rows).toEqual([[360]]); // 120 rows of 1..5 cycling: 24 × 15
    expect(llm.chats()).toHaveLength(2);
  });

  it('a provider that never answers fails the question with model_timeout', async () => {
    await start({}, 300);
    llm.enqueue({ kind: 'hang' });
    const result = await ask('Total quantity?');
    expect(result).toMatchObject({ status: 'failed', error: { code: 'model_timeout' } });
  });

  it('model refusal becomes "cannot answer" with suggestions', async () => {
    await start();
    llm.enqueue({ kind: 'text', text: 'I cannot answer that from these tables.' });
    const result = await ask('What will sales be next year?');
    expect(result).toMatchObject({ status: 'done', unsupported: true, sql: null });
    expect(result.suggestions.length).toBeGreaterThanOrEqual(3);
  });

  it('a never-ending statement is stopped by QUERY_TIMEOUT_MS', async () => {
    await start({ QUERY_TIMEOUT_MS: '300' });
    llm.enqueue(finalSql(ENDLESS));
    const result = await ask('Count forever');
    expect(result).toMatchObject({ status: 'failed', error: { code: 'query_timeout' } });
    expect(result.error.message).toMatch(/300 ms/);
    expect(services.sandbox.stats().timeouts).toBe(1);
  });

  it('cancel stops a running never-ending statement (its process is killed)', async () => {
    await start({ QUERY_TIMEOUT_MS: '60000' });
    llm.enqueue(finalSql(ENDLESS));
    const accepted = await app.inject({
      method: 'POST',
      url: '/api/session/queries',
      headers,
      payload: { question: 'Count forever' },
    });
    const { query_id } = accepted.json();
    const sessionId = headers['x-session-id']!;
    let running = false;
    const unsubscribe = await services.queue.subscribe(sessionId, query_id, (event) => {
      if (event.type === 'step' && event.step === 'run_sql' && event.phase === 'start') running = true;
    });
    const deadline = Date.now() + 15_000;
    while (!running && Date.now() < deadline) await sleep(20);
    expect(running).toBe(true);
    // The step starts before a query process has the statement (the first one may still be starting): wait for
    // it to be handed over, or the cancel would only take it off the sandbox's queue and kill nothing.
    while (services.sandbox.stats().busy === 0 && Date.now() < deadline) await sleep(20);
    expect(services.sandbox.stats().busy).toBe(1);
    await sleep(200); // well inside sqlite3_step
    const pidsBefore = services.sandbox.stats().pids;
    const cancel = await app.inject({
      method: 'POST',
      url: `/api/session/queries/${query_id}/cancel`,
      headers,
    });
    expect([cancel.statusCode, cancel.json().cancel]).toEqual([202, 'stopping']);
    const result = await services.queue.wait(sessionId, query_id);
    unsubscribe();
    expect(result).toMatchObject({ status: 'cancelled', error: { code: 'query_cancelled' } });
    expect(services.sandbox.stats().cancellations).toBe(1);
    const killed = pidsBefore.filter((pid) => !services.sandbox.stats().pids.includes(pid));
    expect(killed.length).toBe(1);
    expect(() => process.kill(killed[0]!, 0)).toThrow(); // the process is gone
  });
});
