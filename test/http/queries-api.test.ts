/**
 * The whole question path over HTTP with the built-in engine on a generated table: upload → ask (wait, poll, SSE)
 * → answer, SQL, rows, chart → CSV → history; follow-ups, refusals and bad input.
 */

import { existsSync } from 'node:fs';
import { readdir, readlink } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import { MULTIPART_TYPE, multipart, salesCsv } from '../helpers/multipart.js';
import { makeServices, type TestServices } from '../helpers/services.js';

describe('questions over HTTP (built-in engine)', () => {
  let services: TestServices;
  let app: FastifyInstance;
  let id: string;
  let headers: Record<string, string>;

  beforeAll(async () => {
    services = makeServices('local');
    app = await buildApp(services);
    id = (await app.inject({ method: 'POST', url: '/api/sessions' })).json().session.session_id;
    headers = { 'x-session-id': id };
    const uploaded = await app.inject({
      method: 'POST',
      url: '/api/session/uploads',
      headers: { ...headers, 'content-type': MULTIPART_TYPE },
      payload: multipart({ name: 'sales.csv', content: salesCsv() }),
    });
    expect(uploaded.statusCode).toBe(201);
  });

  afterAll(async () => {
    await app.close();
    await services.dispose();
  });

  async function ask(question: string, extra: Record<string, string> = {}) {
    const response = await app.inject({
      method: 'POST',
      url: '/api/session/queries?wait=true',
      headers: { ...headers, ...extra },
      payload: { question },
    });
    expect(response.statusCode).toBe(200);
    return response.json();
  }

  it('answers a count with text, SQL, rows and no chart', async () => {
    const result = await ask('How many rows are there?');
    expect(result).toMatchObject({
      status: 'done',
      rows: [[200]],
      row_count: 1,
      truncated: false,
      chart: null,
    });
    expect(result.sql).toMatch(/^SELECT COUNT\(\*\)/i);
    expect(result.answer).toMatch(/200/);
    // What was computed, in words, beside the answer (issue 13).
    expect(result.reading).toBe('Counted the rows.');
    expect(result.model).toBe('builtin');
    expect(result.timings.total_ms).toBeGreaterThan(0);
    expect(result.timings.run_sql_ms).toBeGreaterThanOrEqual(0);
  });

  it('a grouped question gets a bar chart and its CSV downloads', async () => {
    const result = await ask('Total quantity by region');
    expect(result.status).toBe('done');
    expect(result.rows).toHaveLength(4);
    const total = result.rows.reduce((sum: number, row: unknown[]) => sum + Number(row[1]), 0);
    expect(total).toBe(600); // 200 rows, quantities 1..5 cycling: 40 × 15
    expect(result.chart.mark).toMatchObject({ type: 'bar' });
    // Axis titles in words: the catalog label of the category, what was computed for the value.
    expect(result.chart.encoding.y.title).toBe('region');
    expect(result.chart.encoding.x.title).toMatch(/^Total .*quantity$/i);
    const csv = await app.inject({
      method: 'GET',
      url: `/api/session/queries/${result.query_id}/result.csv`,
      headers,
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]!.split(',')).toEqual(result.columns);
  });

  it('answers in Portuguese when asked in Portuguese', async () => {
    const result = await ask('Qual a média de preço por categoria?');
    expect(result.status).toBe('done');
    expect(result.lang).toBe('pt');
    expect(result.rows).toHaveLength(3);
    expect(result.answer).toMatch(/média/i);
  });

  it('a follow-up is read against the previous question', async () => {
    const first = await ask('Total quantity by region');
    expect(first.sql).toMatch(/region/);
    const follow = await ask('and by category?');
    expect(follow.status).toBe('done');
    expect(follow.sql).toMatch(/category/);
    expect(follow.sql).toMatch(/quantity/);
    expect(follow.rows).toHaveLength(3);
  });

  it('refuses what it cannot answer, with suggestions, never a wrong table', async () => {
    const result = await ask('Why is the sky blue?');
    expect(result).toMatchObject({ status: 'done', unsupported: true, sql: null, rows: [] });
    expect(result.suggestions.length).toBeGreaterThanOrEqual(3);
    expect(result.suggestions.length).toBeLessThanOrEqual(5);
    expect(result.answer.length).toBeGreaterThan(10);
  });

  it('a question that presumes a row no row fits is refused, its SQL still shown', async () => {
    const result = await ask(
      'What is the date of the last order in region North for Books with quantity 5 and price 25?',
    );
    expect(result).toMatchObject({ status: 'done', unsupported: true, rows: [], row_count: 0 });
    expect(result.sql).toMatch(/quantity/);
    expect(result.answer).toMatch(/^I could not find the answer/);
  });

  it('202 then polling; SSE replays every step and ends with done', async () => {
    const accepted = await app.inject({
      method: 'POST',
      url: '/api/session/queries',
      headers,
      payload: { question: 'Average price by category' },
    });
    expect(accepted.statusCode).toBe(202);
    const { query_id, status } = accepted.json();
    expect(status).toBe('queued');
    let result = (
      await app.inject({ method: 'GET', url: `/api/session/queries/${query_id}`, headers })
    ).json();
    const deadline = Date.now() + 15_000;
    while (result.status !== 'done' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      result = (await app.inject({ method: 'GET', url: `/api/session/queries/${query_id}`, headers })).json();
    }
    expect(result.status).toBe('done');
    const events = await app.inject({
      method: 'GET',
      url: `/api/session/queries/${query_id}/events`,
      headers,
    });
    expect(events.headers['content-type']).toMatch(/text\/event-stream/);
    const names = [...events.body.matchAll(/^event: (\w+)\ndata: (.*)$/gm)].map((m) => {
      const data = JSON.parse(m[2]!);
      return m[1] === 'step' ? `${data.step}:${data.phase}` : m[1];
    });
    for (const step of [
      'validate_input',
      'load_session',
      'pick_tables',
      'get_agent',
      'generate_sql',
      'run_sql',
    ]) {
      expect(names).toContain(`${step}:start`);
      expect(names).toContain(`${step}:end`);
    }
    expect(names.at(-1)).toBe('done');
  });

  it('keeps history and counts questions in the session', async () => {
    const history = (await app.inject({ method: 'GET', url: '/api/session/history', headers })).json()
      .history;
    expect(history.length).toBeGreaterThanOrEqual(5);
    expect(history[0].question).toBe('Average price by category');
    const session = (await app.inject({ method: 'GET', url: '/api/session', headers })).json().session;
    expect(session.total_queries).toBe(history.length);
    expect(session.last_query).toMatchObject({ question: 'Average price by category', status: 'done' });
  });

  it('the cached agent is reused until the tables change', async () => {
    const before = services.objects.stats();
    await ask('How many rows are there?');
    const after = services.objects.stats();
    expect(after.hits).toBeGreaterThan(before.hits);
    const keysBefore = services.objects.keysOf(id);
    await app.inject({
      method: 'POST',
      url: '/api/session/uploads',
      headers: { ...headers, 'content-type': MULTIPART_TYPE },
      payload: multipart({ name: 'more.csv', content: 'a,b\n1,2\n' }),
    });
    await ask('How many rows are there in sales?');
    const keysAfter = services.objects.keysOf(id);
    expect(keysAfter).toHaveLength(1);
    expect(keysAfter).not.toEqual(keysBefore);
  });

  it('bad input: empty or too long question, unknown fields, unknown model, unknown query', async () => {
    for (const payload of [
      { question: '' },
      { question: 'x'.repeat(2001) },
      { question: 'ok', extra: 1 },
      {},
    ]) {
      const r = await app.inject({ method: 'POST', url: '/api/session/queries', headers, payload });
      expect([r.statusCode, r.json().error.code]).toEqual([400, 'bad_input']);
    }
    const model = await ask('How many rows?', {});
    expect(model.status).toBe('done');
    const unknownModel = await app.inject({
      method: 'POST',
      url: '/api/session/queries?wait=true',
      headers,
      payload: { question: 'How many rows?', model: 'gpt-nope' },
    });
    expect(unknownModel.json()).toMatchObject({ status: 'failed', error: { code: 'bad_input' } });
    const missing = await app.inject({
      method: 'GET',
      url: '/api/session/queries/3d5b0a4e-2222-4222-8222-222222222222',
      headers,
    });
    expect(missing.statusCode).toBe(404);
  });

  it("another session cannot see this session's queries", async () => {
    const mine = await ask('How many rows are there?');
    const other = (await app.inject({ method: 'POST', url: '/api/sessions' })).json().session.session_id;
    const peek = await app.inject({
      method: 'GET',
      url: `/api/session/queries/${mine.query_id}`,
      headers: { 'x-session-id': other },
    });
    expect(peek.statusCode).toBe(404);
  });

  it('a session without tables gets no_tables', async () => {
    const other = (await app.inject({ method: 'POST', url: '/api/sessions' })).json().session.session_id;
    const r = await app.inject({
      method: 'POST',
      url: '/api/session/queries',
      headers: { 'x-session-id': other },
      payload: { question: 'How many rows?' },
    });
    expect([r.statusCode, r.json().error.code]).toEqual([409, 'no_tables']);
  });

  it('lists the built-in model', async () => {
    const models = (await app.inject({ method: 'GET', url: '/api/models' })).json();
    expect(models.models.map((m: { id: string }) => m.id)).toContain('builtin');
  });

  it('ending a session closes its database in the query processes', async () => {
    const other = (await app.inject({ method: 'POST', url: '/api/sessions' })).json().session.session_id;
    const uploaded = await app.inject({
      method: 'POST',
      url: '/api/session/uploads',
      headers: { 'x-session-id': other, 'content-type': MULTIPART_TYPE },
      payload: multipart({ name: 'sales.csv', content: salesCsv(10) }),
    });
    expect(uploaded.statusCode).toBe(201);
    const answered = await app.inject({
      method: 'POST',
      url: '/api/session/queries?wait=true',
      headers: { 'x-session-id': other },
      payload: { question: 'How many rows are there?' },
    });
    expect(answered.json().rows).toEqual([[10]]);
    const dbPath = services.paths.dbPath(other);
    const handles = async () => {
      let count = 0;
      for (const pid of services.sandbox.stats().pids) {
        for (const fd of await readdir(`/proc/${pid}/fd`).catch(() => [] as string[])) {
          const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
          if (target.includes(other)) count += 1;
        }
      }
      return count;
    };
    expect(await handles()).toBe(1);
    const ended = await app.inject({
      method: 'DELETE',
      url: '/api/session',
      headers: { 'x-session-id': other },
    });
    expect(ended.statusCode).toBe(204);
    expect(existsSync(dbPath)).toBe(false);
    // Not even as a deleted file kept alive by an open handle.
    await vi.waitFor(async () => expect(await handles()).toBe(0), { timeout: 5_000 });
  });
});
