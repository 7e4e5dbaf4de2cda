import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TableCatalog } from '../../../src/data/catalog-types.js';
import { createLlmBackend } from '../../../src/engine/agent/backend.js';
import type { SqlRunner } from '../../../src/engine/nodes/context.js';
import { AppError } from '../../../src/errors.js';
import { type FakeLlm, startFakeLlm } from '../../helpers/fake-llm.js';

const CATALOG: TableCatalog[] = [
  {
    name: 't',
    label: 't.csv',
    rows: 2,
    columns: [
      {
        name: 'x',
        label: 'X',
        type: 'integer',
        null_count: 0,
        distinct_estimate: 2,
        min: 1,
        max: 2,
        top_values: [],
      },
    ],
  },
];

/** A sandbox stand-in that throws like the real one: unsafe_sql for anything but the one good statement. */
const sandbox: SqlRunner = {
  run: async (_db, sql) => {
    if (!sql.startsWith('SELECT')) throw new AppError('unsafe_sql', { reason: 'only SELECT is allowed' });
    return {
      columns: ['x'],
      rows: [[1], [2]],
      row_count: 2,
      truncated: false,
      elapsed_ms: 1,
      sql,
      rewrites: [],
    };
  },
  check: async (_db, sql) => {
    if (!sql.startsWith('SELECT')) throw new AppError('unsafe_sql', { reason: 'only SELECT is allowed' });
    return { sql, columns: ['x'], rewrites: [] };
  },
};

describe('createLlmBackend', () => {
  let llm: FakeLlm;
  beforeEach(async () => {
    llm = await startFakeLlm();
  });
  afterEach(async () => {
    await llm.close();
  });

  it('plans through the sandbox, passing thrown sandbox errors to the model', async () => {
    const backend = createLlmBackend({
      config: {
        openaiApiKey: undefined,
        openaiBaseUrl: llm.url,
        anthropicApiKey: undefined,
        defaultModel: 'm',
      },
      sandbox,
      limits: { maxResultRows: 1000, queryTimeoutMs: 1000 },
      models: { policy: { retryBaseMs: 5 } },
    });
    expect(backend.isAvailable('m')).toBe(true);
    expect(backend.isAvailable('builtin')).toBe(false);
    llm.enqueue(
      { kind: 'tools', calls: [{ name: 'run_sql', arguments: { sql: 'DELETE FROM t' } }] },
      { kind: 'text', text: 'Two rows.\n```sql\nSELECT x FROM t\n```' },
    );
    const outcome = await backend.plan({
      model: 'm',
      question: 'x?',
      lang: 'en',
      catalog: CATALOG,
      history: [],
      dbPath: '/nonexistent/db.db',
      signal: new AbortController().signal,
    });
    expect(outcome).toEqual({ sql: 'SELECT x FROM t', answer: 'Two rows.' });
    const second = llm.chats()[1]!.body as { messages: { role: string; content: string }[] };
    expect(second.messages.at(-1)!.content).toContain('only SELECT is allowed');
  });
});
