/**
 * Every environment variable of ../shared/ARCHITECTURE.md, read once into a typed Config. Nothing else in the
 * code base reads process.env: modules receive the Config (or the part they need) through their constructors.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { HostPolicy } from './connections/host-policy.js';

const positiveInt = (name: string) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `${name} must be a whole number`)
    .transform(Number)
    .refine((n) => n > 0 && Number.isSafeInteger(n), `${name} must be greater than 0`);

const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : undefined));

const booleanFlag = (name: string) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['true', 'false', '1', '0'], { message: `${name} must be true or false` }))
    .transform((v) => v === 'true' || v === '1');

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** TRUST_PROXY: false (default), true, a hop count, or a comma-separated list of addresses/CIDRs. */
export type TrustProxy = boolean | number | string[];

function parseTrustProxy(raw: string): TrustProxy {
  const value = raw.trim().toLowerCase();
  if (value === '' || value === 'false' || value === '0') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  const list = value.split(',').map((s) => s.trim());
  if (list.every((entry) => /^[0-9a-f.:]+(\/\d{1,3})?$/.test(entry) && entry.length > 0)) return list;
  throw new Error(
    'TRUST_PROXY must be true, false, a hop count or a comma-separated list of addresses/CIDRs',
  );
}

const schema = z.object({
  SESSION_TTL: positiveInt('SESSION_TTL').default(3600),
  MAX_SESSIONS_PER_IP: positiveInt('MAX_SESSIONS_PER_IP').default(5),
  MAX_SESSION_SIZE_MB: positiveInt('MAX_SESSION_SIZE_MB').default(200),
  CLEANUP_INTERVAL: positiveInt('CLEANUP_INTERVAL').default(300),
  DATA_DIR: z.string().trim().min(1, 'DATA_DIR must not be empty').default('./data'),
  REDIS_URL: optionalText.refine(
    (v) => v === undefined || /^rediss?:\/\//.test(v),
    'REDIS_URL must start with redis:// or rediss://',
  ),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  PORT: z
    .string()
    .trim()
    .regex(/^\d+$/, 'PORT must be a whole number')
    .transform(Number)
    .refine((n) => n >= 0 && n <= 65535, 'PORT must be between 0 and 65535')
    .default(7860),
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((v, ctx) => {
      try {
        return parseTrustProxy(v);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
  DEFAULT_MODEL: optionalText,
  OPENAI_API_KEY: optionalText,
  OPENAI_BASE_URL: optionalText.refine(
    (v) => v === undefined || /^https?:\/\//.test(v),
    'OPENAI_BASE_URL must be an http(s) URL',
  ),
  ANTHROPIC_API_KEY: optionalText,
  QUERY_TIMEOUT_MS: positiveInt('QUERY_TIMEOUT_MS').default(5000),
  MAX_RESULT_ROWS: positiveInt('MAX_RESULT_ROWS').default(1000),
  WORKER_CONCURRENCY: positiveInt('WORKER_CONCURRENCY').default(4),
  IMPORT_CONCURRENCY: positiveInt('IMPORT_CONCURRENCY').default(2),
  IMPORT_TIMEOUT: positiveInt('IMPORT_TIMEOUT').default(120),
  IMPORT_MEMORY_MB: positiveInt('IMPORT_MEMORY_MB')
    .refine((n) => n >= 128, 'IMPORT_MEMORY_MB must be at least 128')
    .default(512),
  ADMIN_TOKEN: optionalText,
  DB_ALLOWED_HOSTS: optionalText.transform((v, ctx) => {
    if (v === undefined) return undefined;
    const entries = v.split(/[\s,]+/).filter(Boolean);
    try {
      new HostPolicy(entries);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
    return entries;
  }),
  SECRET_KEY: optionalText.refine(
    (v) => v === undefined || v.length >= 32,
    'SECRET_KEY must be at least 32 characters',
  ),
  METRICS_PUBLIC: booleanFlag('METRICS_PUBLIC').default(false),
  REQUEST_TIMEOUT: positiveInt('REQUEST_TIMEOUT').default(600),
  IDLE_TIMEOUT: positiveInt('IDLE_TIMEOUT').default(30),
  LOG_LEVEL: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(LOG_LEVELS, { message: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` }))
    .default('info'),
});

export interface Config {
  sessionTtlSeconds: number;
  maxSessionsPerIp: number;
  maxSessionSizeBytes: number;
  cleanupIntervalSeconds: number;
  dataDir: string;
  redisUrl: string | undefined;
  host: string;
  port: number;
  trustProxy: TrustProxy;
  defaultModel: string;
  openaiApiKey: string | undefined;
  openaiBaseUrl: string | undefined;
  anthropicApiKey: string | undefined;
  queryTimeoutMs: number;
  maxResultRows: number;
  workerConcurrency: number;
  /** Import processes running at once (uploads, drops), and each one's time (and CPU) and memory limits. */
  importConcurrency: number;
  importTimeoutMs: number;
  importMemoryBytes: number;
  adminToken: string | undefined;
  /** Databases sessions may connect to (host names, `*.suffix`, addresses, CIDR ranges); undefined = connections off. */
  dbAllowedHosts: string[] | undefined;
  /** Seals database passwords (AES-256-GCM); embedded mode generates DATA_DIR/secret.key when unset. */
  secretKey: string | undefined;
  /** /metrics without the admin token (for a scraper on a private network). */
  metricsPublic: boolean;
  /** The whole request, headers and body, must arrive within this (issue 12: a 1-byte-per-20-s body). */
  requestTimeoutMs: number;
  /** A client silent this long while we wait for its headers or body is cut off. */
  idleTimeoutMs: number;
  logLevel: (typeof LOG_LEVELS)[number];
  /** LangSmith tracing switched on through LangChain's own variables (LANGSMITH_TRACING and kin). */
  langsmithTracing: boolean;
}

/** LangChain's switches for LangSmith tracing: not ours to document, but read here so nothing else reads the env. */
const LANGSMITH_TRACING_VARIABLES = [
  'LANGSMITH_TRACING_V2',
  'LANGCHAIN_TRACING_V2',
  'LANGSMITH_TRACING',
  'LANGCHAIN_TRACING',
];

/** One line naming the variable, so a bad deployment fails with something a person can act on. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`Invalid configuration: ${variable}: ${detail}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings mean "unset" (docker-compose writes `VAR=` for blanks).
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    throw new ConfigError(variable, `${issue.message} (got ${JSON.stringify(cleaned[variable] ?? '')})`);
  }
  const e = parsed.data;
  // Several processes must open each other's sealed passwords: a key generated per machine would not do.
  if (e.REDIS_URL && e.DB_ALLOWED_HOSTS && !e.SECRET_KEY) {
    throw new ConfigError('SECRET_KEY', 'required in scaled mode (REDIS_URL) when DB_ALLOWED_HOSTS is set');
  }
  return {
    sessionTtlSeconds: e.SESSION_TTL,
    maxSessionsPerIp: e.MAX_SESSIONS_PER_IP,
    maxSessionSizeBytes: e.MAX_SESSION_SIZE_MB * 1024 * 1024,
    cleanupIntervalSeconds: e.CLEANUP_INTERVAL,
    dataDir: resolve(e.DATA_DIR),
    redisUrl: e.REDIS_URL,
    host: e.HOST,
    port: e.PORT,
    trustProxy: e.TRUST_PROXY,
    defaultModel: e.DEFAULT_MODEL ?? (e.OPENAI_API_KEY ? 'gpt-4o-mini' : 'builtin'),
    openaiApiKey: e.OPENAI_API_KEY,
    openaiBaseUrl: e.OPENAI_BASE_URL,
    anthropicApiKey: e.ANTHROPIC_API_KEY,
    queryTimeoutMs: e.QUERY_TIMEOUT_MS,
    maxResultRows: e.MAX_RESULT_ROWS,
    workerConcurrency: e.WORKER_CONCURRENCY,
    importConcurrency: e.IMPORT_CONCURRENCY,
    importTimeoutMs: e.IMPORT_TIMEOUT * 1000,
    importMemoryBytes: e.IMPORT_MEMORY_MB * 1024 * 1024,
    adminToken: e.ADMIN_TOKEN,
    dbAllowedHosts: e.DB_ALLOWED_HOSTS,
    secretKey: e.SECRET_KEY,
    metricsPublic: e.METRICS_PUBLIC,
    requestTimeoutMs: e.REQUEST_TIMEOUT * 1000,
    idleTimeoutMs: e.IDLE_TIMEOUT * 1000,
    logLevel: e.LOG_LEVEL,
    langsmithTracing: LANGSMITH_TRACING_VARIABLES.some((name) => env[name] === 'true'),
  };
}

/** Documented once: the README's configuration table is checked against this list by a test. */
export const CONFIG_VARIABLES = Object.keys(schema.shape);
