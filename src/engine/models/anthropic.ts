/**
 * Anthropic Messages API client (POST {base}/v1/messages). Differences from OpenAI handled here: the system prompt
 * is a top-level field, tool calls/results are content blocks (tool_use / tool_result inside a user turn), roles
 * must alternate, and max_tokens is mandatory.
 */
import { AppError } from '../../errors.js';
import { joinUrl, type RetryPolicy, requestJson } from './http.js';
import type { AssistantMessage, ChatMessage, ChatModel, ChatOptions, ChatResult, ToolCall } from './types.js';

export const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com';
export const ANTHROPIC_VERSION = '2023-06-01';
/** Required by the API; enough for a SQL statement and a short answer. */
const DEFAULT_MAX_TOKENS = 2048;

export interface AnthropicChatModelOptions {
  model: string;
  apiKey: string;
  /** For tests and proxies only (deliberately not an env var). */
  baseUrl?: string;
  policy?: Partial<RetryPolicy>;
  fetchImpl?: typeof fetch;
}

type WireBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> }
  | { type: 'tool_result'; tool_use_id: string; content: string; is_error?: boolean };

interface WireMessage {
  role: 'user' | 'assistant';
  content: WireBlock[];
}

interface WireResponse {
  content?: { type?: string; text?: unknown; id?: unknown; name?: unknown; input?: unknown }[];
  stop_reason?: string;
  usage?: { input_tokens?: number; output_tokens?: number };
}

export class AnthropicChatModel implements ChatModel {
  readonly provider = 'anthropic' as const;
  readonly id: string;
  private readonly url: string;

  constructor(private readonly options: AnthropicChatModelOptions) {
    this.id = options.model;
    this.url = joinUrl(options.baseUrl ?? ANTHROPIC_DEFAULT_BASE_URL, 'v1/messages');
  }

  async chat(messages: ChatMessage[], options: ChatOptions = {}): Promise<ChatResult> {
    const system = messages
      .filter((m) => m.role === 'system')
      .map((m) => m.content)
      .join('\n\n');
    const body: Record<string, unknown> = {
      model: this.id,
      max_tokens: options.maxTokens ?? DEFAULT_MAX_TOKENS,
      messages: toWireMessages(messages),
    };
    if (system !== '') body.system = system;
    if (options.temperature !== undefined) body.temperature = options.temperature;
    if (options.tools && options.tools.length > 0) {
      body.tools = options.tools.map((t) => ({
        name: t.name,
        description: t.description,
        input_schema: t.parameters,
      }));
      body.tool_choice = { type: 'auto' };
    }
    const json = (await requestJson({
      provider: 'anthropic',
      url: this.url,
      headers: { 'x-api-key': this.options.apiKey, 'anthropic-version': ANTHROPIC_VERSION },
      body,
      signal: options.signal,
      policy: this.options.policy,
      fetchImpl: this.options.fetchImpl,
      secrets: [this.options.apiKey],
      keyVariable: 'ANTHROPIC_API_KEY',
    })) as WireResponse;
    return fromWire(json);
  }
}

/** Neutral messages → alternating user/assistant turns; consecutive tool results merge into one user turn. */
export function toWireMessages(messages: ChatMessage[]): WireMessage[] {
  const out: WireMessage[] = [];
  const push = (role: WireMessage['role'], blocks: WireBlock[]) => {
    if (blocks.length === 0) return;
    const last = out[out.length - 1];
    if (last && last.role === role) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  };
  for (const message of messages) {
    switch (message.role) {
      case 'system':
        break;
      case 'user':
        // The API rejects empty text blocks.
        push('user', message.content === '' ? [] : [{ type: 'text', text: message.content }]);
        break;
      case 'assistant': {
        const blocks: WireBlock[] = [];
        if (message.content !== '') blocks.push({ type: 'text', text: message.content });
        for (const call of message.toolCalls ?? []) {
          blocks.push({ type: 'tool_use', id: call.id, name: call.name, input: call.arguments });
        }
        push('assistant', blocks);
        break;
      }
      case 'tool':
        push('user', [
          {
            type: 'tool_result',
            tool_use_id: message.toolCallId,
            content: message.content,
            ...(message.isError ? { is_error: true } : {}),
          },
        ]);
        break;
    }
  }
  return out;
}

function fromWire(json: WireResponse): ChatResult {
  if (!Array.isArray(json.content)) {
    throw new AppError('model_error', { provider: 'anthropic', detail: 'the reply has no content blocks' });
  }
  const texts: string[] = [];
  const calls: ToolCall[] = [];
  for (const block of json.content) {
    if (block.type === 'text' && typeof block.text === 'string') texts.push(block.text);
    else if (block.type === 'tool_use') {
      const input = block.input;
      const valid = typeof input === 'object' && input !== null && !Array.isArray(input);
      calls.push({
        id: String(block.id ?? `toolu_${calls.length}`),
        name: String(block.name ?? ''),
        arguments: valid ? (input as Record<string, unknown>) : {},
        ...(valid ? {} : { parseError: 'the input must be a JSON object' }),
      });
    }
  }
  const message: AssistantMessage = { role: 'assistant', content: texts.join('\n') };
  if (calls.length > 0) message.toolCalls = calls;
  const result: ChatResult = { message };
  if (json.usage) {
    result.usage = { inputTokens: json.usage.input_tokens ?? 0, outputTokens: json.usage.output_tokens ?? 0 };
  }
  if (json.stop_reason) result.stopReason = json.stop_reason;
  return result;
}
