/**
 * Which models are usable now, and how to get a ChatModel for one. Rules (docs/models.md):
 *   - `builtin` always;
 *   - OPENAI_API_KEY without OPENAI_BASE_URL: a fixed list of current OpenAI chat models;
 *   - OPENAI_BASE_URL: whatever GET {base}/models says (short timeout, cached ~60 s); on failure nothing, plus a reason;
 *   - ANTHROPIC_API_KEY: a fixed list of `claude-*` models.
 * `claude-*` ids go to Anthropic (when its key is set); every other non-builtin id is OpenAI-compatible.
 */
import type { Config } from '../../config.js';
import { AppError, isAppError } from '../../errors.js';
import { AnthropicChatModel } from './anthropic.js';
import { hostOf, joinUrl, type RetryPolicy, requestJson } from './http.js';
import { OpenAIChatModel } from './openai.js';
import type { ChatModel } from './types.js';

export type ModelProvider = 'builtin' | 'openai' | 'anthropic';

export interface ModelInfo {
  id: string;
  provider: ModelProvider;
  label: string;
  /** Exactly one entry is the default: DEFAULT_MODEL when it is listed, otherwise builtin. */
  default?: boolean;
}

export interface ModelList {
  models: ModelInfo[];
  /** Why OPENAI_BASE_URL contributed nothing (server down, bad answer…), when that happened. */
  reason?: string;
}

/** The part of Config the registry reads (so callers and tests can pass a literal). */
export type ModelConfig = Pick<Config, 'openaiApiKey' | 'openaiBaseUrl' | 'anthropicApiKey' | 'defaultModel'>;

export const BUILTIN_MODEL: ModelInfo = { id: 'builtin', provider: 'builtin', label: 'Built-in (offline)' };

export const OPENAI_MODELS: readonly ModelInfo[] = [
  { id: 'gpt-4o-mini', provider: 'openai', label: 'GPT-4o mini (OpenAI)' },
  { id: 'gpt-4o', provider: 'openai', label: 'GPT-4o (OpenAI)' },
  { id: 'gpt-4.1-mini', provider: 'openai', label: 'GPT-4.1 mini (OpenAI)' },
  { id: 'gpt-4.1', provider: 'openai', label: 'GPT-4.1 (OpenAI)' },
];

export const ANTHROPIC_MODELS: readonly ModelInfo[] = [
  { id: 'claude-haiku-4-5', provider: 'anthropic', label: 'Claude Haiku 4.5 (Anthropic)' },
  { id: 'claude-sonnet-4-5', provider: 'anthropic', label: 'Claude Sonnet 4.5 (Anthropic)' },
  { id: 'claude-3-5-haiku-latest', provider: 'anthropic', label: 'Claude Haiku 3.5 (Anthropic)' },
];

/** OpenAI model ids accepted without a listing (an operator may set DEFAULT_MODEL to a newer one). */
const OPENAI_ID_PATTERN = /^(gpt-|chatgpt-|o\d)/;
/** Entries of a /models listing that cannot chat (OpenAI's own list has hundreds of these). */
const NON_CHAT_PATTERN =
  /embed|whisper|tts|dall-e|moderation|transcribe|davinci|babbage|image|realtime|audio/i;

const LIST_TIMEOUT_MS = 3_000;
const CACHE_TTL_MS = 60_000;
/** A failed probe is remembered briefly only, so a server that comes up shows its models within seconds. */
const FAILURE_TTL_MS = 5_000;

interface CacheEntry {
  expires: number;
  value: Promise<{ ids: string[] } | { reason: string }>;
}
const listingCache = new Map<string, CacheEntry>();

export function clearModelListCache(): void {
  listingCache.clear();
}

export interface ListModelsOptions {
  fetchImpl?: typeof fetch;
  /** Timeout of GET {base}/models (default 3 s). */
  timeoutMs?: number;
  // No caller signal on purpose: the probe is shared by concurrent callers through the cache.
}

export async function listModels(config: ModelConfig, options: ListModelsOptions = {}): Promise<ModelList> {
  const models: ModelInfo[] = [{ ...BUILTIN_MODEL }];
  let reason: string | undefined;

  if (config.openaiBaseUrl) {
    const listing = await serverModels(config, options);
    if ('reason' in listing) reason = listing.reason;
    else {
      const host = hostOf(config.openaiBaseUrl);
      for (const id of listing.ids) {
        // claude-* ids served by a proxy still go to the proxy unless Anthropic itself is configured.
        if (config.anthropicApiKey && isClaude(id)) continue;
        models.push({ id, provider: 'openai', label: `${id} (${host})` });
      }
    }
  } else if (config.openaiApiKey) {
    models.push(...OPENAI_MODELS.map((m) => ({ ...m })));
  }

  if (config.anthropicApiKey) models.push(...ANTHROPIC_MODELS.map((m) => ({ ...m })));

  // An operator's DEFAULT_MODEL outside the fixed lists (a newer model) is usable if its provider is configured.
  // With OPENAI_BASE_URL the server's list is the authority for non-Claude ids, so nothing is added for those.
  const wanted = config.defaultModel;
  const provider = usableProvider(config, wanted);
  const addable = provider === 'anthropic' || (provider === 'openai' && !config.openaiBaseUrl);
  if (addable && !models.some((m) => m.id === wanted)) {
    models.push({
      id: wanted,
      provider,
      label: `${wanted} (${provider === 'openai' ? 'OpenAI' : 'Anthropic'})`,
    });
  }

  const defaultEntry = models.find((m) => m.id === config.defaultModel) ?? models[0]!;
  defaultEntry.default = true;
  return reason === undefined ? { models } : { models, reason };
}

/**
 * Which provider would serve `id` with this config, without any network call; null when none can.
 * With OPENAI_BASE_URL any id is accepted (the server is the authority; a wrong one fails as model_error).
 */
export function usableProvider(config: ModelConfig, id: string): ModelProvider | null {
  if (id === 'builtin') return 'builtin';
  if (id.trim() === '') return null;
  if (isClaude(id) && config.anthropicApiKey) return 'anthropic';
  if (config.openaiBaseUrl) return 'openai';
  if (config.openaiApiKey && (OPENAI_ID_PATTERN.test(id) || OPENAI_MODELS.some((m) => m.id === id))) {
    return 'openai';
  }
  return null;
}

export interface CreateChatModelOptions {
  policy?: Partial<RetryPolicy>;
  fetchImpl?: typeof fetch;
  /** Anthropic only: a different endpoint (tests, proxies). */
  anthropicBaseUrl?: string;
}

/** A ChatModel for `id`; bad_input when the id is builtin, unknown, or its provider is not configured. */
export function createChatModel(
  config: ModelConfig,
  id: string,
  options: CreateChatModelOptions = {},
): ChatModel {
  const provider = usableProvider(config, id);
  const common = {
    model: id,
    ...(options.policy ? { policy: options.policy } : {}),
    ...(options.fetchImpl ? { fetchImpl: options.fetchImpl } : {}),
  };
  if (provider === 'anthropic') {
    return new AnthropicChatModel({
      ...common,
      apiKey: config.anthropicApiKey!,
      ...(options.anthropicBaseUrl ? { baseUrl: options.anthropicBaseUrl } : {}),
    });
  }
  if (provider === 'openai') {
    return new OpenAIChatModel({ ...common, apiKey: config.openaiApiKey, baseUrl: config.openaiBaseUrl });
  }
  const detail =
    provider === 'builtin'
      ? 'builtin is the offline engine, not a language model'
      : `model "${id}" is not available on this server (see GET /api/models)`;
  const detailPt =
    provider === 'builtin'
      ? 'builtin é o motor offline, não um modelo de linguagem'
      : `o modelo "${id}" não está disponível neste servidor (veja GET /api/models)`;
  throw new AppError('bad_input', { detail, detail_pt: detailPt });
}

function isClaude(id: string): boolean {
  return id.startsWith('claude-');
}

function serverModels(config: ModelConfig, options: ListModelsOptions): CacheEntry['value'] {
  const base = config.openaiBaseUrl!;
  // The key is part of the cache key only as "set or not": a listing never depends on which key it is.
  const key = `${base}|${config.openaiApiKey ? 'key' : 'nokey'}`;
  const now = Date.now();
  const cached = listingCache.get(key);
  if (cached && cached.expires > now) return cached.value;
  const entry: CacheEntry = { expires: now + CACHE_TTL_MS, value: fetchServerModels(config, options) };
  listingCache.set(key, entry);
  void entry.value.then((result) => {
    if ('reason' in result) entry.expires = Date.now() + FAILURE_TTL_MS;
  });
  return entry.value;
}

async function fetchServerModels(
  config: ModelConfig,
  options: ListModelsOptions,
): Promise<{ ids: string[] } | { reason: string }> {
  const base = config.openaiBaseUrl!;
  try {
    const json = (await requestJson({
      provider: 'openai',
      method: 'GET',
      url: joinUrl(base, 'models'),
      headers: config.openaiApiKey ? { authorization: `Bearer ${config.openaiApiKey}` } : {},
      // One quick try: the model list is on the path of a page load, and a down server must not hold it.
      policy: { timeoutMs: options.timeoutMs ?? LIST_TIMEOUT_MS, maxRetries: 0 },
      fetchImpl: options.fetchImpl,
      secrets: [config.openaiApiKey],
      keyVariable: 'OPENAI_API_KEY',
    })) as { data?: unknown; models?: unknown };
    // OpenAI/vLLM/llama.cpp: {data:[{id}]}; Ollama's native /api/tags shape {models:[{name}]} is accepted too.
    const rows = Array.isArray(json.data) ? json.data : Array.isArray(json.models) ? json.models : null;
    if (rows === null) return { reason: `${hostOf(base)}/models answered without a model list` };
    const ids = rows
      .map((row) => {
        if (typeof row !== 'object' || row === null) return undefined;
        const r = row as { id?: unknown; name?: unknown };
        return typeof r.id === 'string' ? r.id : typeof r.name === 'string' ? r.name : undefined;
      })
      .filter((id): id is string => typeof id === 'string' && id !== '' && !NON_CHAT_PATTERN.test(id));
    const unique = [...new Set(ids)].sort();
    if (unique.length === 0) return { reason: `${hostOf(base)} lists no chat models` };
    return { ids: unique };
  } catch (error) {
    return { reason: isAppError(error) ? error.message : `${hostOf(base)}: ${String(error)}` };
  }
}
