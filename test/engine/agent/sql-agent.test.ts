import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TableCatalog } from '../../../src/data/catalog-types.js';
import { refineAnswer } from '../../../src/engine/agent/refine.js';
import { runSqlAgent } from '../../../src/engine/agent/sql-agent.js';
import { type SandboxRunner, sqlToolsFromCatalog } from '../../../src/engine/agent/tools.js';
import type { SqlTools } from '../../../src/engine/agent/types.js';
import { AnthropicChatModel } from '../../../src/engine/models/anthropic.js';
import { OpenAIChatModel } from '../../../src/engine/models/openai.js';
import { AppError } from '../../../src/errors.js';
import { type FakeLlm, type RecordedRequest, startFakeLlm } from '../../helpers/fake-llm.js';
import { removeDir, tempDir } from '../../helpers/services.js';

// A small real SQLite file stands in for the sandbox: the agent only needs check/run semantics and real errors.
const REGIONS = ['Sul', 'Norte', 'Leste', 'Oeste'];
const CATALOG: TableCatalog[] = [
  {
    name: 'vendas',
    label: 'vendas.csv',
    rows: 12,
    columns: [
      {
        name: 'regiao',
        label: 'Região',
        type: 'text',
        null_count: 0,
        distinct_estimate: 4,
        min: 'Leste',
        max: 'Sul',
        top_values: REGIONS.map((value) => ({ value, count: 3 })),
      },
      {
        name: 'valor',
        label: 'Valor (R$)',
        type: 'real',
        null_count: 0,
        distinct_estimate: 12,
        min: 10,
        max: 120,
        top_values: [],
      },
    ],
  },
];

let dir: string;
let db: Database.Database;
let tools: SqlTools;

beforeAll(() => {
  dir = tempDir('agent-test');
  const path = join(dir, 'db.db');
  const writer = new Database(path);
  writer.exec('CREATE TABLE vendas (regiao TEXT, valor REAL)');
  const insert = writer.prepare('INSERT INTO vendas VALUES (?, ?)');
  for (let i = 0; i < 12; i++) insert.run(REGIONS[i % 4], (i + 1) * 10);
  writer.close();
  db = new Database(path, { readonly: true });
  const runner: SandboxRunner = {
    checkSql: async (sql) => {
      try {
        const statement = db.prepare(sql);
        return statement.reader ? { ok: true } : { ok: false, error: 'only SELECT is allowed' };
      } catch (error) {
        return { ok: false, error: (error as Error).message };
      }
    },
    runSql: async (sql) => {
      try {
        const statement = db.prepare(sql);
        const rows = statement.raw().all() as unknown[][];
        // Deliberately more than 5 rows: the agent, not the tools, must keep them from the model.
        return {
          columns: statement.columns().map((c) => c.name),
          rows,
          row_count: rows.length,
          truncated: false,
        };
      } catch (error) {
        return { error: (error as Error).message };
      }
    },
  };
  tools = sqlToolsFromCatalog(CATALOG, runner);
});

afterAll(() => {
  db.close();
  removeDir(dir);
});

const GOOD_SQL = "SELECT regiao, SUM(valor) AS total FROM vendas WHERE regiao = 'Sul' GROUP BY regiao";
const BAD_SQL = 'SELECT regiao, SUM(valor) AS total FROM vendas WHERE regiao = "Sul" GROUP BY regiao';
const policy = { retryBaseMs: 5, retryMaxMs: 20, timeoutMs: 5_000 };

type WireMessage = { role: string; content: string | null; tool_call_id?: string };
const messagesOf = (request: RecordedRequest) => (request.body as { messages: WireMessage[] }).messages;
const toolNames = (request: RecordedRequest) =>
  ((request.body as { tools?: { function: { name: string } }[] }).tools ?? []).map((t) => t.function.name);

/** Every JSON array of arrays in what the model was sent, as row counts. */
function rowCountsSeen(requests: RecordedRequest[]): number[] {
  const counts: number[] = [];
  for (const request of requests) {
    for (const message of messagesOf(request)) {
      if (message.role !== 'tool' || !message.content?.startsWith('{')) continue;
      const parsed = JSON.parse(message.content) as { rows?: unknown[]; sample_rows?: unknown[] };
      if (parsed.rows) counts.push(parsed.rows.length);
      if (parsed.sample_rows) counts.push(parsed.sample_rows.length);
    }
  }
  return counts;
}

describe('runSqlAgent over the OpenAI protocol', () => {
  let llm: FakeLlm;
  let model: OpenAIChatModel;
  beforeEach(async () => {
    llm = await startFakeLlm();
    model = new OpenAIChatModel({ model: 'fake', baseUrl: llm.url, policy });
  });
  afterEach(async () => {
    await llm.close();
  });

  it('sees its SQL error, fixes the SQL, and returns it with the answer', async () => {
    llm.enqueue(
      { kind: 'tools', calls: [{ name: 'run_sql', arguments: { sql: 'SELECT * FROM vendas' } }] },
      { kind: 'tools', calls: [{ name: 'run_sql', arguments: { sql: BAD_SQL } }] },
      { kind: 'tools', calls: [{ name: 'run_sql', arguments: { sql: GOOD_SQL } }] },
      { kind: 'text', text: `A região Sul vendeu R$ 150.\n\n\`\`\`sql\n${GOOD_SQL};\n\`\`\`` },
    );
    const steps: string[] = [];
    const result = await runSqlAgent({
      model,
      question: 'Quanto vendeu a região Sul?',
      lang: 'pt',
      catalog: CATALOG,
      tools,
      onStep: (s) => steps.push(s.kind),
    });
    expect(result.refused).toBeUndefined();
    expect(result.sql).toBe(GOOD_SQL);
    expect(result.answer).toBe('A região Sul vendeu R$ 150.');

    const chats = llm.chats();
    expect(chats).toHaveLength(4);
    for (const request of chats)
      expect(toolNames(request)).toEqual(['list_tables', 'describe_table', 'check_sql', 'run_sql']);
    // The error of the bad statement reached the model in the next request.
    const third = messagesOf(chats[2]!);
    expect(third.at(-1)).toMatchObject({ role: 'tool' });
    expect(third.at(-1)!.content).toMatch(/no such column: "?Sul/);
    // The system prompt carries the schema and the Portuguese instruction.
    const system = messagesOf(chats[0]!)[0]!;
    expect(system.content).toContain('Table "vendas"');
    expect(system.content).toContain('"valor" real; label "Valor (R$)"');
    expect(system.content).toContain("'Sul' (3)");
    expect(system.content).toContain('Brazilian Portuguese');
    // SELECT * returned 12 rows; the model saw at most 5, with the full count.
    const counts = rowCountsSeen(chats);
    expect(counts.length).toBeGreaterThan(0);
    expect(Math.max(...counts)).toBeLessThanOrEqual(5);
    expect(messagesOf(chats[1]!).at(-1)!.content).toContain('"row_count":12');
    expect(steps.filter((k) => k === 'model')).toHaveLength(4);
    expect(result.steps.filter((s) => s.kind === 'tool' && !s.ok)).toHaveLength(1);
  });

  it('checks a final SQL it never ran, and sends the model back when it fails', async () => {
    llm.enqueue(
      { kind: 'text', text: `Aqui está.\n\`\`\`sql\n${BAD_SQL}\n\`\`\`` },
      { kind: 'text', text: `Corrigido.\n\`\`\`sql\n${GOOD_SQL}\n\`\`\`` },
    );
    const result = await runSqlAgent({
      model,
      question: 'Vendas do Sul?',
      lang: 'pt',
      catalog: CATALOG,
      tools,
    });
    expect(result.sql).toBe(GOOD_SQL);
    const second = messagesOf(llm.chats()[1]!);
    expect(second.at(-1)).toMatchObject({ role: 'user' });
    expect(second.at(-1)!.content).toContain('no such column');
    expect(result.steps.some((s) => s.kind === 'retry')).toBe(true);
  });

  it('asks once for the SQL block when the model answers from a run without it', async () => {
    llm.enqueue(
      { kind: 'tools', calls: [{ name: 'run_sql', arguments: { sql: GOOD_SQL } }] },
      { kind: 'text', text: 'South sold 150.' },
      { kind: 'text', text: `South sold 150.\n\`\`\`sql\n${GOOD_SQL}\n\`\`\`` },
    );
    const result = await runSqlAgent({
      model,
      question: 'Sales in Sul?',
      lang: 'en',
      catalog: CATALOG,
      tools,
    });
    expect(result).toMatchObject({ sql: GOOD_SQL, answer: 'South sold 150.' });
    expect(llm.chats()).toHaveLength(3);
  });

  it('returns refused with the model text when it answers without SQL', async () => {
    llm.enqueue({ kind: 'text', text: 'These tables have no information about customers.' });
    const result = await runSqlAgent({
      model,
      question: 'Who is the best customer?',
      lang: 'en',
      catalog: CATALOG,
      tools,
    });
    expect(result.sql).toBeNull();
    expect(result.refused).toBe('These tables have no information about customers.');
  });

  it('gives up after maxSteps with refused', async () => {
    for (let i = 0; i < 5; i++)
      llm.enqueue({ kind: 'tools', calls: [{ name: 'list_tables', arguments: {} }] });
    const result = await runSqlAgent({
      model,
      question: 'Total?',
      lang: 'en',
      catalog: CATALOG,
      tools,
      maxSteps: 3,
    });
    expect(result.sql).toBeNull();
    expect(result.refused).toContain('3 steps');
    expect(llm.chats()).toHaveLength(3);
  });

  it('shows the previous questions and their SQL for follow-ups', async () => {
    llm.enqueue({
      kind: 'text',
      text: `Por região.\n\`\`\`sql\nSELECT regiao, SUM(valor) FROM vendas GROUP BY regiao\n\`\`\``,
    });
    await runSqlAgent({
      model,
      question: 'e por região?',
      lang: 'pt',
      catalog: CATALOG,
      tools,
      history: [{ question: 'Total de vendas?', sql: 'SELECT SUM(valor) FROM vendas' }],
    });
    const messages = messagesOf(llm.chats()[0]!);
    expect(messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(messages[2]!.content).toContain('SELECT SUM(valor) FROM vendas');
    expect(messages[3]!.content).toBe('e por região?');
  });

  it('stops at once when the caller aborts while the model is thinking', async () => {
    llm.enqueue({ kind: 'hang' });
    const controller = new AbortController();
    const running = runSqlAgent({
      model,
      question: 'Total?',
      lang: 'en',
      catalog: CATALOG,
      tools,
      signal: controller.signal,
    }).catch((e: unknown) => e);
    // Abort once the model has the request ("thinking"): a fixed delay can fire before that on a loaded machine.
    await vi.waitFor(() => expect(llm.chats()).toHaveLength(1), { timeout: 10_000 });
    controller.abort();
    const error = await running;
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('query_cancelled');
    expect(llm.chats()).toHaveLength(1);
  });

  it('refineAnswer sends at most 20 rows and returns the plain answer', async () => {
    llm.enqueue({ kind: 'text', text: 'Foram 30 linhas; a maior venda foi 300.' });
    const rows = Array.from({ length: 30 }, (_, i) => [`r${i}`, i * 10]);
    const answer = await refineAnswer({
      model,
      question: 'Quais as vendas?',
      lang: 'pt',
      sql: 'SELECT * FROM vendas',
      columns: ['regiao', 'valor'],
      rows,
      row_count: 30,
    });
    expect(answer).toBe('Foram 30 linhas; a maior venda foi 300.');
    const [request] = llm.chats();
    const messages = messagesOf(request!);
    expect(messages[0]!.content).toContain('Brazilian Portuguese');
    expect(messages[1]!.content).toContain('"r19"');
    expect(messages[1]!.content).not.toContain('"r20"');
    expect(toolNames(request!)).toEqual([]);
  });
});

describe('runSqlAgent over the Anthropic protocol', () => {
  let llm: FakeLlm;
  beforeEach(async () => {
    llm = await startFakeLlm({ protocol: 'anthropic' });
  });
  afterEach(async () => {
    await llm.close();
  });

  it('round-trips tool_use and tool_result blocks to a final SQL', async () => {
    llm.enqueue(
      { kind: 'tools', calls: [{ name: 'describe_table', arguments: { table: 'vendas' }, id: 'toolu_1' }] },
      { kind: 'tools', calls: [{ name: 'run_sql', arguments: { sql: GOOD_SQL }, id: 'toolu_2' }] },
      { kind: 'text', text: `Sul: 150.\n\`\`\`sql\n${GOOD_SQL}\n\`\`\`` },
    );
    const model = new AnthropicChatModel({
      model: 'claude-haiku-4-5',
      apiKey: 'ak-x',
      baseUrl: llm.url,
      policy,
    });
    const result = await runSqlAgent({
      model,
      question: 'Vendas do Sul?',
      lang: 'pt',
      catalog: CATALOG,
      tools,
    });
    expect(result).toMatchObject({ sql: GOOD_SQL, answer: 'Sul: 150.' });

    const chats = llm.chats();
    expect(chats).toHaveLength(3);
    const body = chats[1]!.body as {
      system: string;
      tools: { name: string }[];
      messages: { role: string; content: { type: string; tool_use_id?: string; content?: string }[] }[];
    };
    expect(body.system).toContain('Table "vendas"');
    expect(body.tools.map((t) => t.name)).toEqual(['list_tables', 'describe_table', 'check_sql', 'run_sql']);
    const lastTurn = body.messages.at(-1)!;
    expect(lastTurn.role).toBe('user');
    expect(lastTurn.content[0]).toMatchObject({ type: 'tool_result', tool_use_id: 'toolu_1' });
    const described = JSON.parse(lastTurn.content[0]!.content!) as {
      sample_rows: unknown[];
      columns: unknown[];
    };
    expect(described.columns).toHaveLength(2);
    expect(described.sample_rows.length).toBeGreaterThan(0);
    expect(described.sample_rows.length).toBeLessThanOrEqual(5);
  });
});
