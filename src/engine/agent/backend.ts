/**
 * Glue between the graph's LlmBackend contract (nodes/context.ts) and this folder: picks the ChatModel for the
 * session's model id, builds SqlTools over the session's sandbox, and runs the agent / the refinement.
 * Optional for the graph: it may call runSqlAgent and refineAnswer directly instead.
 */
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

export function createLlmBackend(options: LlmBackendOptions): LlmBackend {
  const { config, sandbox, limits } = options;
  return {
    isAvailable: (model: string) => {
      const provider = usableProvider(config, model);
      return provider === 'openai' || provider === 'anthropic';
    },

    async plan(input: LlmPlanInput): Promise<LlmPlanOutput> {
      const model = createChatModel(config, input.model, options.models);
      const tools = sqlToolsFromCatalog(input.catalog, {
        // Thrown sandbox errors (unsafe_sql, sql_error, query_timeout) reach the model as text via the agent.
        checkSql: async (sql, context) => {
          await sandbox.check(input.dbPath, sql, { signal: context?.signal ?? input.signal });
          return { ok: true };
        },
        runSql: async (sql, context) => {
          const result = await sandbox.run(input.dbPath, sql, {
            signal: context?.signal ?? input.signal,
            maxRows: limits.maxResultRows,
            timeoutMs: limits.queryTimeoutMs,
          });
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
