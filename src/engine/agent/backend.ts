/**
 * Glue between the graph's LlmBackend contract (nodes/context.ts) and this folder: picks the ChatModel for the
 * session's model id, builds SqlTools over the session's sandbox, and runs the agent / the refinement.
 * Optional for the graph: it may call runSqlAgent and refineAnswer directly instead.
 */
import { unsafeRemoteSql } from '../../connections/dialect.js';
import { AppError } from '../../errors.js';
import type { ModelConfig } from '../models/registry.js';
import { type CreateChatModelOptions, createChatModel, usableProvider } from '../models/registry.js';
import type { LlmBackend, LlmPlanInput, LlmPlanOutput, LlmRefineInput, SqlRunner } from '../nodes/context.js';
import { refineAnswer } from './refine.js';
import { runSqlAgent } from './sql-agent.js';
import { sqlToolsFromCatalog } from './tools.js';
import type { AgentStep } from './types.js';

export interface LlmBackendOptions {
  config: ModelConfig;
  sandbox: SqlRunner;
  limits: { maxResultRows: number; queryTimeoutMs: number };
  maxSteps?: number;
  models?: CreateChatModelOptions;
  /** Progress of the agent (for logs or SSE). */
  onStep?: (step: AgentStep, input: LlmPlanInput) => void;
}

/** The model's SQL for a connected database: refused here first when it is no plain query (dialect.ts). */
function guardRemote(sql: string): string {
  const unsafe = unsafeRemoteSql(sql);
  if (unsafe) throw new AppError('unsafe_sql', { reason: unsafe });
  return sql;
}

export function createLlmBackend(options: LlmBackendOptions): LlmBackend {
  const { config, sandbox, limits } = options;
  return {
    isAvailable: (model: string) => {
      const provider = usableProvider(config, model);
      return provider === 'openai' || provider === 'anthropic';
    },

    async plan(input: LlmPlanInput): Promise<LlmPlanOutput> {
      const model = createChatModel(config, input.model, options.models);
      const database = input.database;
      const tools = sqlToolsFromCatalog(input.catalog, {
        // Thrown errors (unsafe_sql, sql_error, query_timeout) reach the model as text via the agent.
        checkSql: async (sql, context) => {
          const signal = context?.signal ?? input.signal;
          if (database) await database.check(guardRemote(sql), { timeoutMs: limits.queryTimeoutMs, signal });
          else await sandbox.check(input.dbPath, sql, { signal });
          return { ok: true };
        },
        runSql: async (sql, context) => {
          const run = {
            signal: context?.signal ?? input.signal,
            maxRows: limits.maxResultRows,
            timeoutMs: limits.queryTimeoutMs,
          };
          const result = database
            ? await database.query(guardRemote(sql), run)
            : await sandbox.run(input.dbPath, sql, run);
          return {
            columns: result.columns,
            rows: result.rows,
            row_count: result.row_count,
            truncated: result.truncated,
          };
        },
      });
      const onStep = options.onStep;
      const result = await runSqlAgent({
        model,
        question: input.question,
        lang: input.lang,
        catalog: input.catalog,
        history: input.history,
        tools,
        ...(database ? { dialect: database.type } : {}),
        signal: input.signal,
        ...(options.maxSteps ? { maxSteps: options.maxSteps } : {}),
        ...(onStep ? { onStep: (step: AgentStep) => onStep(step, input) } : {}),
      });
      const output: LlmPlanOutput = { sql: result.sql };
      if (result.answer) output.answer = result.answer;
      if (result.refused) output.refused = result.refused;
      return output;
    },

    refine(input: LlmRefineInput): Promise<string> {
      return refineAnswer({ ...input, model: createChatModel(config, input.model, options.models) });
    },
  };
}
