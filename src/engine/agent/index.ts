/**
 * engine/agent — the LLM side of answering (docs/models.md):
 *   runSqlAgent(options): Promise<SqlAgentResult>   tool loop that writes and verifies one read-only SQL statement
 *   refineAnswer(options): Promise<string>          advanced mode: a short plain answer from the first 20 rows
 *   sqlToolsFromCatalog(catalog, runner): SqlTools  list/describe from the catalog, check/run through the sandbox
 *   createLlmBackend(options): LlmBackend           the graph's LlmBackend (nodes/context.ts) over the above
 */
export { createLlmBackend, type LlmBackendOptions } from './backend.js';
export { parseFinalMessage } from './final-sql.js';
export { describeSchema, systemPrompt } from './prompt.js';
export { MAX_ROWS_TO_REFINE, refineAnswer } from './refine.js';
export { DEFAULT_MAX_STEPS, runSqlAgent } from './sql-agent.js';
export { MAX_ROWS_TO_MODEL, type SandboxRunner, sqlToolsFromCatalog, TOOL_SPECS } from './tools.js';
export type {
  AgentStep,
  CheckResult,
  HistoryEntry,
  RefineAnswerOptions,
  SqlAgentOptions,
  SqlAgentResult,
  SqlPreview,
  SqlTools,
  TableDescription,
  TableSummary,
  ToolCallContext,
  ToolError,
} from './types.js';
