/**
 * Provider-neutral chat types. The agent speaks only these; openai.ts and anthropic.ts translate them to and from
 * each wire protocol, so adding a provider never touches the agent.
 */

export type ProviderName = 'openai' | 'anthropic';

export interface SystemMessage {
  role: 'system';
  content: string;
}

export interface UserMessage {
  role: 'user';
  content: string;
}

export interface ToolCall {
  /** Provider-issued id; the matching ToolMessage must carry it back. */
  id: string;
  name: string;
  /** The parsed arguments. `{}` when the model sent something that is not a JSON object (see parseError). */
  arguments: Record<string, unknown>;
  /** Set when the model's arguments were not valid JSON, so the agent can tell the model instead of guessing. */
  parseError?: string;
}

export interface AssistantMessage {
  role: 'assistant';
  /** Text the model wrote ('' when it only called tools). */
  content: string;
  toolCalls?: ToolCall[];
}

export interface ToolMessage {
  role: 'tool';
  toolCallId: string;
  /** The tool's name (Anthropic does not need it, some OpenAI-compatible servers do). */
  name: string;
  content: string;
  isError?: boolean;
}

export type ChatMessage = SystemMessage | UserMessage | AssistantMessage | ToolMessage;

/** A JSON Schema object (draft 2020-12 subset that every provider accepts: type/properties/required/description). */
export type JsonSchema = { [key: string]: unknown };

export interface ToolSpec {
  name: string;
  description: string;
  parameters: JsonSchema;
}

export interface ChatOptions {
  tools?: ToolSpec[];
  /** The caller's cancellation: aborting stops the request and any pending retry at once. */
  signal?: AbortSignal;
  maxTokens?: number;
  temperature?: number;
}

export interface ChatUsage {
  inputTokens: number;
  outputTokens: number;
}

export interface ChatResult {
  message: AssistantMessage;
  usage?: ChatUsage;
  /** The provider's own stop reason (`stop`, `tool_calls`, `end_turn`, `max_tokens`…), for logs. */
  stopReason?: string;
}

export interface ChatModel {
  /** The model id as the provider knows it (`gpt-4o-mini`, `llama3.2:latest`, `claude-haiku-4-5`). */
  readonly id: string;
  readonly provider: ProviderName;
  chat(messages: ChatMessage[], options?: ChatOptions): Promise<ChatResult>;
}
