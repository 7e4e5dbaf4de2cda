import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OpenAIChatModel } from '../../../src/engine/models/openai.js';
import type { ToolSpec } from '../../../src/engine/models/types.js';
import { AppError } from '../../../src/errors.js';
import { closedPort, type FakeLlm, startFakeLlm } from '../../helpers/fake-llm.js';

const KEY = 'sk-test-secret-key-1234567890';
const FAST = { retryBaseMs: 5, retryMaxMs: 20, timeoutMs: 5_000 };
const TOOL: ToolSpec = {
  name: 'run_sql',
  description: 'run',
  parameters: { type: 'object', properties: { sql: { type: 'string' } }, required: ['sql'] },
};

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('OpenAI chat-completions client', () => {
  let llm: FakeLlm;
  beforeEach(async () => {
    llm = await startFakeLlm();
  });
  afterEach(async () => {
    await llm.close();
  });

  const model = (policy: object = FAST, apiKey: string | null = KEY) =>
    new OpenAIChatModel({ model: 'fake-model', apiKey: apiKey ?? undefined, baseUrl: llm.url, policy });

  it('declares tools, sends the key, and maps tool calls both ways', async () => {
    llm.enqueue({ kind: 'tools', calls: [{ name: 'run_sql', arguments: { sql: 'SELECT 1' }, id: 'c1' }] });
    const first = await model().chat([{ role: 'user', content: 'hi' }], { tools: [TOOL], maxTokens: 100 });
    expect(first.message.toolCalls).toEqual([{ id: 'c1', name: 'run_sql', arguments: { sql: 'SELECT 1' } }]);
    expect(first.usage).toEqual({ inputTokens: 10, outputTokens: 5 });

    llm.enqueue({ kind: 'text', text: 'done' });
    const second = await model().chat([
      { role: 'user', content: 'hi' },
      first.message,
      { role: 'tool', toolCallId: 'c1', name: 'run_sql', content: '{"rows":[]}' },
    ]);
    expect(second.message).toEqual({ role: 'assistant', content: 'done' });

    const [req1, req2] = llm.chats();
    expect(req1!.headers.authorization).toBe(`Bearer ${KEY}`);
    const body1 = req1!.body as Record<string, unknown>;
    expect(body1.tool_choice).toBe('auto');
    expect(body1.tools).toEqual([{ type: 'function', function: TOOL }]);
    // A custom base URL means a compatible server: the widely supported max_tokens.
    expect(body1.max_tokens).toBe(100);
    const messages = (req2!.body as { messages: Record<string, unknown>[] }).messages;
    expect(messages[1]).toMatchObject({
      role: 'assistant',
      content: null,
      tool_calls: [
        { id: 'c1', type: 'function', function: { name: 'run_sql', arguments: '{"sql":"SELECT 1"}' } },
      ],
    });
    expect(messages[2]).toEqual({ role: 'tool', tool_call_id: 'c1', content: '{"rows":[]}' });
  });

  it('works without an API key on a compatible server', async () => {
    llm.enqueue({ kind: 'text', text: 'ok' });
    await model(FAST, null).chat([{ role: 'user', content: 'hi' }]);
    expect(llm.chats()[0]!.headers.authorization).toBeUndefined();
  });

  it('retries a 429 (retry-after: 0) and then succeeds', async () => {
    llm.enqueue(
      {
        kind: 'status',
        status: 429,
        headers: { 'retry-after': '0' },
        body: { error: { message: 'slow down' } },
      },
      { kind: 'text', text: 'ok' },
    );
    const result = await model().chat([{ role: 'user', content: 'hi' }]);
    expect(result.message.content).toBe('ok');
    expect(llm.chats()).toHaveLength(2);
  });

  it('retries a 500 and then succeeds', async () => {
    llm.enqueue({ kind: 'status', status: 500 }, { kind: 'text', text: 'ok' });
    const result = await model().chat([{ role: 'user', content: 'hi' }]);
    expect(result.message.content).toBe('ok');
    expect(llm.chats()).toHaveLength(2);
  });

  it('gives up after the retries with the provider message, never the key', async () => {
    const error = { message: `overloaded for key ${KEY}` };
    llm.enqueue(
      { kind: 'status', status: 503, body: { error } },
      { kind: 'status', status: 503, body: { error } },
      { kind: 'status', status: 503, body: { error } },
    );
    const e = await failure(model({ ...FAST, maxRetries: 2 }).chat([{ role: 'user', content: 'hi' }]));
    expect(e.code).toBe('model_error');
    expect(e.message).toContain('overloaded');
    expect(e.message).not.toContain(KEY);
    expect(llm.chats()).toHaveLength(3);
  });

  it('does not retry a 400 and reports the provider message', async () => {
    llm.enqueue({ kind: 'status', status: 400, body: { error: { message: 'context length exceeded' } } });
    const e = await failure(model().chat([{ role: 'user', content: 'hi' }]));
    expect(e.code).toBe('model_error');
    expect(e.message).toContain('context length exceeded');
    expect(llm.chats()).toHaveLength(1);
  });

  it('does not retry an exhausted billing quota (429 insufficient_quota)', async () => {
    llm.enqueue({
      kind: 'status',
      status: 429,
      body: { error: { message: 'You exceeded your current quota', code: 'insufficient_quota' } },
    });
    const e = await failure(model().chat([{ role: 'user', content: 'hi' }]));
    expect(e.code).toBe('model_error');
    expect(llm.chats()).toHaveLength(1);
  });

  it('reports a 429 that outlasts the retries as model_rate_limited', async () => {
    const limited = { kind: 'status' as const, status: 429, headers: { 'retry-after-ms': '1' } };
    llm.enqueue(limited, limited);
    const e = await failure(model({ ...FAST, maxRetries: 1 }).chat([{ role: 'user', content: 'hi' }]));
    expect(e.code).toBe('model_rate_limited');
    expect(llm.chats()).toHaveLength(2);
  });

  it('maps 401 to model_auth without retrying', async () => {
    llm.enqueue({
      kind: 'status',
      status: 401,
      body: { error: { message: `Incorrect API key provided: ${KEY}` } },
    });
    const e = await failure(model().chat([{ role: 'user', content: 'hi' }]));
    expect(e.code).toBe('model_auth');
    expect(e.message).toContain('OPENAI_API_KEY');
    expect(e.message).not.toContain(KEY);
    expect(llm.chats()).toHaveLength(1);
  });

  it('times out a server that never answers (model_timeout)', async () => {
    llm.enqueue({ kind: 'hang' }, { kind: 'hang' });
    const e = await failure(model({ ...FAST, timeoutMs: 300 }).chat([{ role: 'user', content: 'hi' }]));
    expect(e.code).toBe('model_timeout');
    expect(e.params.timeout_ms).toBe(300);
  });

  it('reports an unreachable server as model_unavailable naming the host', async () => {
    const port = await closedPort();
    const client = new OpenAIChatModel({ model: 'm', baseUrl: `http://127.0.0.1:${port}/v1`, policy: FAST });
    const e = await failure(client.chat([{ role: 'user', content: 'hi' }]));
    expect(e.code).toBe('model_unavailable');
    expect(e.message).toContain(`127.0.0.1:${port}`);
    expect(e.params.detail).toBe('ECONNREFUSED');
  });

  it("stops at once on the caller's abort, while waiting for the server", async () => {
    llm.enqueue({ kind: 'hang' }, { kind: 'text', text: 'never' });
    const controller = new AbortController();
    const pending = failure(model().chat([{ role: 'user', content: 'hi' }], { signal: controller.signal }));
    // Abort once the request is at the server: a fixed delay can fire before it got there on a loaded machine.
    await vi.waitFor(() => expect(llm.chats()).toHaveLength(1), { timeout: 10_000 });
    controller.abort();
    const e = await pending;
    expect(e.code).toBe('query_cancelled');
    expect(llm.chats()).toHaveLength(1);
  });

  it("stops at once on the caller's abort, while backing off before a retry", async () => {
    // The server asks for 10 s: the abort must not wait for it, and no second request may go out.
    llm.enqueue(
      { kind: 'status', status: 503, headers: { 'retry-after': '10' } },
      { kind: 'text', text: 'late' },
    );
    const controller = new AbortController();
    const pending = failure(model().chat([{ role: 'user', content: 'hi' }], { signal: controller.signal }));
    // The 503 is served as soon as the request is in; a moment later the client is backing off.
    await vi.waitFor(() => expect(llm.chats()).toHaveLength(1), { timeout: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    controller.abort(new AppError('query_timeout', { limit_ms: 1 }));
    const e = await pending;
    expect(e.code).toBe('query_timeout');
    expect(llm.chats()).toHaveLength(1);
    expect(llm.pending()).toBe(1);
  });
});
