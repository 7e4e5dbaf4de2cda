/**
 * Names that are also Object.prototype members, through the real app (issue 12: a `constructor` column — Formula 1
 * data — made every question fail with unsafe_sql). A table called `constructor` whose headers are `constructor`,
 * `toString`, `__proto__`, `hasOwnProperty` and `valueOf`: uploaded, listed, previewed, asked about with the
 * built-in engine and with SQL from a model (the local OpenAI-protocol server) that aliases its columns so.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import { type FakeLlm, fakeLlmEnv, startFakeLlm } from '../helpers/fake-llm.js';
import { askAndWait, sessionWithUpload } from '../helpers/http.js';
import { makeServices, type TestServices } from '../helpers/services.js';

const HEADERS = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'];
const TEAMS = ['Ferrari', 'McLaren', 'Williams'];

/** 30 rows: valueOf = 1…30, teams cycling, so each team's total is known (145, 155, 165). */
function hostileCsv(): string {
  const lines = [HEADERS.join(',')];
  for (let i = 0; i < 30; i++) lines.push(`${TEAMS[i % 3]},t${i % 4},p${i % 5},${i % 2},${i + 1}`);
  return `${lines.join('\n')}\n`;
}

describe('tables and columns named like Object.prototype members', () => {
  let services: TestServices;
  let app: FastifyInstance;
  let headers: Record<string, string>;
  let llm: FakeLlm | undefined;

  async function start(env: Record<string, string> = {}) {
    services = makeServices('local', env);
    app = await buildApp(services);
    headers = await sessionWithUpload(app, { name: 'constructor.csv', content: hostileCsv() });
  }

  const ask = (question: string) => askAndWait(app, headers, question);

  afterEach(async () => {
    await app.close();
    await services.dispose();
    await llm?.close();
    llm = undefined;
  });

  it('the upload keeps the original headers as labels', async () => {
    await start();
    const catalog = (await app.inject({ url: '/api/session/tables', headers })).json();
    expect(catalog.tables[0].columns.map((c: { label: string }) => c.label)).toEqual(HEADERS);
  });

  it('the built-in engine answers about them, with charts', async () => {
    await start();
    const count = await ask('How many rows are there?');
    expect(count).toMatchObject({ status: 'done', rows: [[30]] });

    const byTeam = await ask('Total valueOf per constructor');
    expect(byTeam).toMatchObject({
      status: 'done',
      rows: [
        ['Ferrari', 145],
        ['McLaren', 155],
        ['Williams', 165],
      ],
    });
    expect(byTeam.sql).toMatch(/"constructor"/);
    expect(byTeam.chart.mark).toMatchObject({ type: 'bar' });
    expect(byTeam.chart.data.values).toHaveLength(3);

    const byLabel = await ask('count by toString');
    expect(byLabel).toMatchObject({ status: 'done', row_count: 4 });
    expect(byLabel.chart.encoding.y.title).toMatch(/^toString/); // the original header, as the axis title

    const proto = await ask('count by __proto__');
    expect(proto).toMatchObject({ status: 'done', row_count: 5 });
  });

  it('the catalog, the preview and the drop work on a table called constructor', async () => {
    await start();
    const catalog = (await app.inject({ url: '/api/session/tables', headers })).json();
    expect(catalog.tables.map((t: { name: string }) => t.name)).toEqual(['constructor']);
    const preview = await app.inject({ url: '/api/session/tables/constructor?limit=2', headers });
    expect(preview.statusCode).toBe(200);
    expect(preview.json().rows).toEqual([
      ['Ferrari', 't0', 'p0', 0, 1],
      ['McLaren', 't1', 'p1', 1, 2],
    ]);
    const dropped = await app.inject({ method: 'DELETE', url: '/api/session/tables/constructor', headers });
    expect(dropped.statusCode).toBe(204);
  });

  it('SQL from a model that aliases columns as toString, __proto__, valueOf runs in the sandbox', async () => {
    llm = await startFakeLlm({ models: ['test-model'] });
    await start(fakeLlmEnv(llm));
    const sql =
      'SELECT "constructor", SUM(valueof) AS "valueOf", COUNT(*) AS "__proto__", MIN(tostring) AS toString, ' +
      'MAX(hasownproperty) AS hasOwnProperty FROM "constructor" GROUP BY 1 ORDER BY 1';
    llm.enqueue({ kind: 'text', text: `Totals per team.\n\`\`\`sql\n${sql}\n\`\`\`` });
    const result = await ask('Totals per constructor');
    expect(result).toMatchObject({
      status: 'done',
      sql,
      columns: ['constructor', 'valueOf', '__proto__', 'toString', 'hasOwnProperty'],
      rows: [
        ['Ferrari', 145, 10, 't0', 1],
        ['McLaren', 155, 10, 't0', 1],
        ['Williams', 165, 10, 't0', 1],
      ],
    });
    // Two numbers: a scatter, whose data keys are not the prototype names.
    expect(result.chart.mark).toMatchObject({ type: 'point' });
    for (const record of result.chart.data.values) {
      expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
      expect(Object.keys(record)).not.toContain('__proto__');
    }
  });
});
