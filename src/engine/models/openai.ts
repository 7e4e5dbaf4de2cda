/**
 * OpenAI chat-completions client (POST {base}/chat/completions). The same protocol is spoken by Ollama, vLLM,
 * llama.cpp and most proxies, so the base URL is configurable and the key optional when one is set.
 */
import { AppError } from '../../errors.js';
import { joinUrl, type RetryPolicy, requestJson } from './http.js';
import type {
  AssistantMessage,
  ChatMessage,
  ChatModel,
  ChatOptions,
  ChatResult,
  ToolCall,
  ToolSpec,
} from './types.js';

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

export interface OpenAIChatModelOptions {
  model: string;
  apiKey?: string | undefined;
  /** Defaults to the official API. */
  baseUrl?: string | undefined;
  policy?: Partial<RetryPolicy>;
  fetchImpl?: typeof fetch;
}

// Wire shapes: only the fields we read or write.
interface WireToolCall {
  id?: string;
  type?: string;
  function?: { name?: string; arguments?: unknown };
}

type WireMessage =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string | null; tool_calls?: WireToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

interface WireResponse {
  choices?: {
    message?: { content?: unknown; tool_calls?: WireToolCall[]; reasoning_content?: unknown };
    finish_reason?: string;
  }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number };
}

export class OpenAIChatModel implements ChatModel {
  readonly provider = 'openai' as const;
  readonly id: string;
  private readonly url: string;
  private readonly official: boolean;

  constructor(private readonly options: OpenAIChatModelOptions) {
    this.id = options.model;
    const base = options.baseUrl ?? OPENAI_DEFAULT_BASE_URL;
    this.url = joinUrl(base, 'chat/completions');
    this.official = options.baseUrl === undefined || /^https:\/\/api\.openai\.com(\/|$)/.test(base);
  }

  async chat(messages: ChatMessage[], options: ChatOptions = {}): Promise<ChatResult> {
    const body: Record<string, unknown> = { model: this.id, messages: messages.map(toWire) };
    if (options.tools && options.tools.length > 0) {
      body.tools = options.tools.map(toWireTool);
      body.tool_choice = 'auto';
    }
    if (options.maxTokens !== undefined) {
      // OpenAI deprecated max_tokens (its reasoning models reject it); compatible servers mostly know only max_tokens.
      body[this.official ? 'max_completion_tokens' : 'max_tokens'] = options.maxTokens;
    }
    if (options.temperature !== undefined) body.temperature = options.temperature;

    const headers: Record<string, string> = {};
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    const json = (await requestJson({
      provider: 'openai',
      url: this.url,
      headers,
      body,
      signal: options.signal,
      policy: this.options.policy,
      fetchImpl: this.options.fetchImpl,
      secrets: [this.options.apiKey],
      keyVariable: 'OPENAI_API_KEY',
    })) as WireResponse;
    return fromWire(json);
  }
}

function toWireTool(tool: ToolSpec) {
  return {
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: tool.parameters },
  };
}

function toWire(message: ChatMessage): WireMessage {
  switch (message.role) {
    case 'system':
    case 'user':
      return { role: message.role, content: message.content };
    case 'assistant': {
      const calls = message.toolCalls ?? [];
      if (calls.length === 0) return { role: 'assistant', content: message.content };
      return {
        role: 'assistant',
        // null, not '': some compatible servers reject an empty string beside tool calls.
        content: message.content === '' ? null : message.content,
        tool_calls: calls.map((call) => ({
          id: call.id,
          type: 'function',
          function: { name: call.name, arguments: JSON.stringify(call.arguments) },
        })),
      };
    }
    case 'tool':
      return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
  }
}

function fromWire(json: WireResponse): ChatResult {
  const choice = json.choices?.[0];
  if (!choice?.message) {
    throw new AppError('model_error', { provider: 'openai', detail: 'the reply has no choices[0].message' });
  }
  const message: AssistantMessage = { role: 'assistant', content: textOf(choice.message.content) };
  const calls = (choice.message.tool_calls ?? []).map(parseToolCall);
  if (calls.length > 0) message.toolCalls = calls;
  const result: ChatResult = { message };
  if (json.usage) {
    result.usage = {
      inputTokens: json.usage.prompt_tokens ?? 0,
      outputTokens: json.usage.completion_tokens ?? 0,
    };
  }
  if (choice.finish_reason) result.stopReason = choice.finish_reason;
  return result;
}

/** Content is a string on OpenAI; a few servers send an array of text parts, and null means "tool calls only". */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) =>
        typeof part === 'object' && part !== null ? (part as { text?: unknown }).text : undefined,
      )
      .filter((t): t is string => typeof t === 'string')
      .join('');
  }
  return '';
}

function parseToolCall(call: WireToolCall, index: number): ToolCall {
  const name = call.function?.name ?? '';
  const id = call.id && call.id !== '' ? call.id : `call_${index}`;
  const raw = call.function?.arguments;
  // OpenAI sends arguments as a JSON string; Ollama has been seen sending the object itself.
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    return { id, name, arguments: raw as Record<string, unknown> };
  }
  if (raw === undefined || raw === null || raw === '') return { id, name, arguments: {} };
  try {
    const parsed: unknown = JSON.parse(String(raw));
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      return { id, name, arguments: parsed as Record<string, unknown> };
    }
    return { id, name, arguments: {}, parseError: 'the arguments must be a JSON object' };
  } catch (error) {
    return {
      id,
      name,
      arguments: {},
      parseError: `the arguments are not valid JSON (${(error as Error).message})`,
    };
  }
}
