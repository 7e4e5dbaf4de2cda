/** What the answering graph's nodes share: process-wide dependencies and the shapes they pass along. */

import type { AnswerTemplate } from '../../builtin/index.js';
import type { RemoteDatabase } from '../../connections/remote.js';
import type { Catalog } from '../../data/catalog-types.js';
import type { Lang } from '../../errors.js';
import type { ObjectManager } from '../../objects.js';
import type { SessionManager } from '../../sessions/manager.js';
import type { SessionDoc } from '../../sessions/session.js';
import type { CacheKeyFields } from '../cache-key.js';
import type { QueryLog, Turn } from '../query-log.js';
import type { RunOptions, SandboxCheck, SandboxResult } from '../sandbox/index.js';

/** The sandbox as the graph uses it (QuerySandbox implements it). */
export interface SqlRunner {
  run(dbPath: string, sql: string, options?: RunOptions): Promise<SandboxResult>;
  check(dbPath: string, sql: string, options?: Pick<RunOptions, 'signal'>): Promise<SandboxCheck>;
}

/** A connected session's database as the LLM agent's tools use it (issue 15). */
export type ConnectedDatabase = Pick<RemoteDatabase, 'type' | 'query' | 'check'>;

export interface LlmPlanInput {
  model: string;
  question: string;
  lang: Lang;
  catalog: Catalog;
  history: Turn[];
  dbPath: string;
  /** When the session is connected to a database: the tools run there instead of in the SQLite sandbox. */
  database?: ConnectedDatabase;
  signal: AbortSignal;
}

export interface LlmPlanOutput {
  sql: string | null;
  /** The model's own answer text, when it gave one with the SQL. */
  answer?: string;
  /** Why the model did not produce SQL (its words). */
  refused?: string;
}

export interface LlmRefineInput {
  model: string;
  question: string;
  lang: Lang;
  sql: string;
  columns: string[];
  rows: unknown[][];
  row_count: number;
  signal: AbortSignal;
}

/** The LLM side of the graph (engine/llm.ts); absent when no provider is configured. */
export interface LlmBackend {
  isAvailable(model: string): boolean;
  plan(input: LlmPlanInput): Promise<LlmPlanOutput>;
  refine(input: LlmRefineInput): Promise<string>;
}

/** The committed catalogs of session databases (SessionCatalogs), read without blocking this process. */
export interface CatalogSource {
  get(dbPath: string): Promise<Catalog>;
}

/** A connected session's external database (issue 15), as the graph uses it (ConnectionRegistry). */
export interface ExternalDatabases {
  forSession(doc: SessionDoc): Promise<Pick<RemoteDatabase, 'type' | 'catalog' | 'query' | 'check'>>;
}

export interface EngineDeps {
  sessions: SessionManager;
  connections: ExternalDatabases;
  catalogs: CatalogSource;
  objects: ObjectManager;
  sandbox: SqlRunner;
  log: QueryLog;
  llm: LlmBackend | null;
  limits: { maxResultRows: number; queryTimeoutMs: number };
}

/** What get_agent caches per session under the seed's 9-field key (ObjectManager). */
export interface CachedAgent {
  key: string;
  fields: CacheKeyFields;
  model: string;
  catalog: Catalog;
  /** Column labels (original headers) by column name, across the picked tables. */
  labels: ReadonlyMap<string, string>;
}

export type Plan =
  | {
      kind: 'sql';
      sql: string;
      source: 'builtin' | 'llm';
      explanation?: string;
      /** The built-in engine's reading of the question, in words (issue 13). */
      reading?: string;
      template?: AnswerTemplate;
      llmAnswer?: string;
    }
  | { kind: 'unsupported'; reason: string; understood?: string; suggestions: string[] };

export type SqlOutcome = Pick<SandboxResult, 'columns' | 'rows' | 'row_count' | 'truncated' | 'sql'>;
