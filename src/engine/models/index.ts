/** engine/models — LLM clients behind one provider-neutral ChatModel, and the usable-model registry (docs/models.md). */
export {
  ANTHROPIC_DEFAULT_BASE_URL,
  AnthropicChatModel,
  type AnthropicChatModelOptions,
} from './anthropic.js';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './http.js';
export { OPENAI_DEFAULT_BASE_URL, OpenAIChatModel, type OpenAIChatModelOptions } from './openai.js';
export {
  ANTHROPIC_MODELS,
  BUILTIN_MODEL,
  type CreateChatModelOptions,
  clearModelListCache,
  createChatModel,
  type ListModelsOptions,
  listModels,
  type ModelConfig,
  type ModelInfo,
  type ModelList,
  type ModelProvider,
  OPENAI_MODELS,
  usableProvider,
} from './registry.js';
export type {
  AssistantMessage,
  ChatMessage,
  ChatModel,
  ChatOptions,
  ChatResult,
  ChatUsage,
  JsonSchema,
  ProviderName,
  SystemMessage,
  ToolCall,
  ToolMessage,
  ToolSpec,
  UserMessage,
} from './types.js';
