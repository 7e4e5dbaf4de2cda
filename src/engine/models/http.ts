/**
 * The one HTTP path every model client uses: a per-attempt timeout tied to the caller's signal, retries with
 * exponential backoff and jitter on 429/5xx/network failures (honouring retry-after), and failures turned into the
 * model_* AppErrors of src/errors.ts. Keeping this in one place means OpenAI, Anthropic and the model listing all
 * fail the same way, and no provider message can leak the API key.
 */
import { AppError } from '../../errors.js';
import type { ProviderName } from './types.js';

export interface RetryPolicy {
  /** Limit for one attempt (connect + full response body). A timeout is not retried: see requestJson. */
  timeoutMs: number;
  /** Retries after the first attempt (so maxRetries + 1 attempts at most). */
  maxRetries: number;
  /** First backoff; doubles each retry, with jitter. */
  retryBaseMs: number;
  /** Cap of one backoff computed by us. */
  retryMaxMs: number;
  /** A retry-after longer than this is not waited for: we fail now rather than hold a visitor's question. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  timeoutMs: 60_000,
  maxRetries: 3,
  retryBaseMs: 500,
  retryMaxMs: 8_000,
  maxRetryAfterMs: 20_000,
};

export interface JsonRequest {
  provider: ProviderName;
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: unknown;
  signal?: AbortSignal | undefined;
  policy?: Partial<RetryPolicy> | undefined;
  fetchImpl?: typeof fetch | undefined;
  /** Values that must never appear in an error message (API keys). */
  secrets?: (string | undefined)[];
  /** The env var to name when the provider rejects the key. */
  keyVariable?: string;
}

/** Statuses worth another try: rate limits, overload (Anthropic's 529), gateway hiccups, request timeouts. */
const RETRYABLE_STATUS = new Set([408, 409, 425, 429, 500, 502, 503, 504, 529]);

/** Network error codes that mean "could not reach the server". ENOTFOUND is not retried: DNS will not heal in ms. */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

interface Failure {
  error: AppError;
  retryable: boolean;
  /** Server-requested wait (retry-after), when given. */
  waitMs?: number;
}

/** Sends one JSON request with the retry policy and returns the parsed JSON body of the first 2xx answer. */
export async function requestJson(req: JsonRequest): Promise<unknown> {
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...definedOnly(req.policy ?? {}) };
  const fetchImpl = req.fetchImpl ?? fetch;
  const host = hostOf(req.url);
  const caller = req.signal;
  const secrets = (req.secrets ?? []).filter((s): s is string => typeof s === 'string' && s.length >= 4);

  for (let attempt = 0; ; attempt++) {
    if (caller?.aborted) throw cancelledError(caller.reason);

    // One controller per attempt, fed by our timer and by the caller's signal. Done by hand rather than with
    // AbortSignal.any(): the listener on a long-lived caller signal is removed in `finally`, so nothing piles up.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, policy.timeoutMs);
    const onCallerAbort = () => controller.abort(caller?.reason);
    caller?.addEventListener('abort', onCallerAbort, { once: true });

    let failure: Failure;
    try {
      const response = await fetchImpl(req.url, {
        method: req.method ?? 'POST',
        headers: {
          accept: 'application/json',
          ...(req.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...req.headers,
        },
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
        signal: controller.signal,
      });
      // The body is read under the same timeout: a server that sends headers and then stalls is a timeout too.
      const text = await response.text();
      if (response.ok) return parseJsonBody(text, req.provider, secrets);
      failure = classifyStatus(response.status, text, response.headers, req, secrets);
    } catch (error) {
      if (caller?.aborted) throw cancelledError(caller.reason);
      // Not retried: a model that needed longer than the limit for this prompt will most likely need it again,
      // and retrying would multiply the wait the visitor sees.
      if (timedOut) {
        throw new AppError('model_timeout', { provider: req.provider, timeout_ms: policy.timeoutMs, host });
      }
      if (error instanceof AppError) throw error;
      failure = classifyNetworkError(error, req.provider, host, secrets);
    } finally {
      clearTimeout(timer);
      caller?.removeEventListener('abort', onCallerAbort);
    }

    if (!failure.retryable || attempt >= policy.maxRetries) throw failure.error;
    if (failure.waitMs !== undefined && failure.waitMs > policy.maxRetryAfterMs) throw failure.error;
    await sleep(failure.waitMs ?? backoffMs(attempt, policy), caller);
  }
}

/** Exponential backoff with "equal jitter": half fixed, half random, so synchronized clients spread out. */
export function backoffMs(attempt: number, policy: Pick<RetryPolicy, 'retryBaseMs' | 'retryMaxMs'>): number {
  const ceiling = Math.min(policy.retryMaxMs, policy.retryBaseMs * 2 ** attempt);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** retry-after-ms (OpenAI) or retry-after (seconds or an HTTP date); undefined when absent or unreadable. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.max(0, Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function classifyStatus(
  status: number,
  text: string,
  headers: Headers,
  req: JsonRequest,
  secrets: string[],
): Failure {
  const provider = req.provider;
  const message = providerMessage(text, secrets);
  if (status === 401 || status === 403) {
    // The provider's wording is left out on purpose: OpenAI echoes a (partly masked) key back in it.
    return {
      retryable: false,
      error: new AppError('model_auth', { provider, status, variable: req.keyVariable ?? 'the API key' }),
    };
  }
  // OpenAI answers 429 for an exhausted billing quota too; waiting does not fix that.
  const quota = /insufficient_quota|exceeded your current quota/i.test(text);
  const shouldRetry = headers.get('x-should-retry');
  const retryable =
    !quota && (shouldRetry === 'true' || (shouldRetry !== 'false' && RETRYABLE_STATUS.has(status)));
  const waitMs = retryAfterMs(headers);
  const detail = `HTTP ${status}${message ? `: ${message}` : ''}`;
  const error =
    status === 429 && !quota
      ? new AppError('model_rate_limited', { provider, detail })
      : new AppError('model_error', { provider, detail, status });
  return waitMs === undefined ? { retryable, error } : { retryable, error, waitMs };
}

function classifyNetworkError(
  error: unknown,
  provider: ProviderName,
  host: string,
  secrets: string[],
): Failure {
  const code = networkCode(error);
  if (code !== undefined && UNREACHABLE_CODES.has(code)) {
    return {
      retryable: code !== 'ENOTFOUND',
      error: new AppError('model_unavailable', { provider, host, detail: code }, { cause: error }),
    };
  }
  // fetch() reports every transport failure as TypeError("fetch failed"); anything else is a bug in our code.
  const transport = error instanceof TypeError;
  const detail = redact(error instanceof Error ? error.message : String(error), secrets);
  return {
    retryable: transport,
    error: transport
      ? new AppError('model_unavailable', { provider, host, detail }, { cause: error })
      : new AppError('model_error', { provider, detail }, { cause: error }),
  };
}

/** The system error code behind fetch's "fetch failed" (in `cause`, or inside an AggregateError from happy eyeballs). */
function networkCode(error: unknown, depth = 0): string | undefined {
  if (depth > 4 || typeof error !== 'object' || error === null) return undefined;
  const record = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof record.code === 'string' && UNREACHABLE_CODES.has(record.code)) return record.code;
  if (Array.isArray(record.errors)) {
    for (const inner of record.errors) {
      const code = networkCode(inner, depth + 1);
      if (code) return code;
    }
  }
  const fromCause = networkCode(record.cause, depth + 1);
  if (fromCause) return fromCause;
  return typeof record.code === 'string' ? record.code : undefined;
}

function parseJsonBody(text: string, provider: ProviderName, secrets: string[]): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('model_error', {
      provider,
      detail: `the reply is not JSON: ${redact(text.slice(0, 120), secrets)}`,
    });
  }
}

/** The human part of a provider's error body: OpenAI/Anthropic `{error:{message}}`, Ollama `{error:"…"}`, or text. */
function providerMessage(text: string, secrets: string[]): string {
  let message = text;
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown };
    if (typeof body.error === 'string') message = body.error;
    else if (typeof body.error === 'object' && body.error !== null) {
      const inner = (body.error as { message?: unknown }).message;
      if (typeof inner === 'string') message = inner;
    } else if (typeof body.message === 'string') message = body.message;
  } catch {
    // not JSON: keep the text (an HTML error page from a proxy, say), shortened below
  }
  message = message.replace(/\s+/g, ' ').trim();
  return redact(message.length > 300 ? `${message.slice(0, 300)}…` : message, secrets);
}

/** Removes the configured keys and anything shaped like a provider key. */
export function redact(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('[redacted]');
  return out.replace(/\b(sk-[A-Za-z0-9_-]{2})[A-Za-z0-9_*-]{6,}/g, '$1…');
}

/** The caller stopped us: keep their own AppError (e.g. query_cancelled, query_timeout) when they gave one. */
export function cancelledError(reason: unknown): AppError {
  return reason instanceof AppError ? reason : new AppError('query_cancelled', {}, { cause: reason });
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelledError(signal.reason));
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelledError(signal?.reason));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Joins a base URL and a path without doubling or dropping the slash (`…/v1` + `/models`). */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
