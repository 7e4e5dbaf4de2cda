import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AnthropicChatModel, toWireMessages } from '../../../src/engine/models/anthropic.js';
import { AppError } from '../../../src/errors.js';
import { type FakeLlm, startFakeLlm } from '../../helpers/fake-llm.js';

const KEY = 'ak-test-secret-0987654321';

describe('Anthropic Messages client', () => {
  let llm: FakeLlm;
  beforeEach(async () => {
    llm = await startFakeLlm({ protocol: 'anthropic' });
  });
  afterEach(async () => {
    await llm.close();
  });

  const model = () =>
    new AnthropicChatModel({
      model: 'claude-haiku-4-5',
      apiKey: KEY,
      baseUrl: llm.url,
      policy: { retryBaseMs: 5, retryMaxMs: 20 },
    });

  it('round-trips tool_use / tool_result with the system prompt at top level', async () => {
    llm.enqueue({
      kind: 'tools',
      text: 'Let me look.',
      calls: [{ name: 'list_tables', arguments: {}, id: 'tu1' }],
    });
    const tools = [
      { name: 'list_tables', description: 'list', parameters: { type: 'object', properties: {} } },
    ];
    const first = await model().chat(
      [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'q' },
      ],
      { tools },
    );
    expect(first.message).toEqual({
      role: 'assistant',
      content: 'Let me look.',
      toolCalls: [{ id: 'tu1', name: 'list_tables', arguments: {} }],
    });

    llm.enqueue({ kind: 'text', text: 'done' });
    await model().chat([
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'q' },
      first.message,
      { role: 'tool', toolCallId: 'tu1', name: 'list_tables', content: '[]' },
    ]);
    const [req1, req2] = llm.chats();
    expect(req1!.path).toBe('/v1/messages');
    expect(req1!.headers['x-api-key']).toBe(KEY);
    expect(req1!.headers['anthropic-version']).toBe('2023-06-01');
    const body1 = req1!.body as Record<string, unknown>;
    expect(body1.system).toBe('be brief');
    expect(body1.max_tokens).toBeGreaterThan(0);
    expect(body1.tools).toEqual([
      { name: 'list_tables', description: 'list', input_schema: tools[0]!.parameters },
    ]);
    expect((req2!.body as { messages: unknown[] }).messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'q' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Let me look.' },
          { type: 'tool_use', id: 'tu1', name: 'list_tables', input: {} },
        ],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'tu1', content: '[]' }] },
    ]);
  });

  it('merges consecutive tool results into one user turn', () => {
    const wire = toWireMessages([
      { role: 'user', content: 'q' },
      {
        role: 'assistant',
        content: '',
        toolCalls: [
          { id: 'a', name: 'x', arguments: {} },
          { id: 'b', name: 'y', arguments: {} },
        ],
      },
      { role: 'tool', toolCallId: 'a', name: 'x', content: '1' },
      { role: 'tool', toolCallId: 'b', name: 'y', content: 'Error: no', isError: true },
    ]);
    expect(wire).toHaveLength(3);
    expect(wire[2]!.content).toEqual([
      { type: 'tool_result', tool_use_id: 'a', content: '1' },
      { type: 'tool_result', tool_use_id: 'b', content: 'Error: no', is_error: true },
    ]);
  });

  it('maps 403 to model_auth naming ANTHROPIC_API_KEY, without retrying', async () => {
    llm.enqueue({
      kind: 'status',
      status: 403,
      body: { type: 'error', error: { type: 'permission_error', message: 'no' } },
    });
    const error = await model()
      .chat([{ role: 'user', content: 'q' }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('model_auth');
    expect((error as AppError).message).toContain('ANTHROPIC_API_KEY');
    expect(llm.chats()).toHaveLength(1);
  });

  it('retries an overloaded 529', async () => {
    llm.enqueue(
      { kind: 'status', status: 529, headers: { 'retry-after': '0' } },
      { kind: 'text', text: 'ok' },
    );
    const result = await model().chat([{ role: 'user', content: 'q' }]);
    expect(result.message.content).toBe('ok');
  });
});
