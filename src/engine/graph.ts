/**
 * The answering graph (LangGraph.js StateGraph), compiled once per process:
 *
 *   validate_input → load_session → pick_tables → get_agent → generate_sql ─┬→ run_sql ─┬→ refine_answer ─┬→ choose_chart → format_answer
 *                                                                          │           └────────────────┘
 *                                                                          └→ format_answer                         (cannot answer)
 * refine_answer runs only in advanced mode with an LLM model.
 *
 * Every node emits a start and an end event (SSE progress) and records its time. Nodes get their per-run context
 * (emit, abort signal) from the run config and the process-wide dependencies from buildAnswerGraph's closure.
 */

import type { RunnableConfig } from '@langchain/core/runnables';
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import type { Lang } from '../errors.js';
import { AppError } from '../errors.js';
import type { SessionDoc } from '../sessions/session.js';
import type { CachedAgent, EngineDeps, Plan, SqlOutcome } from './nodes/context.js';
import { generateSql } from './nodes/generate.js';
import { getAgent, loadSession, pickTables, validateInput } from './nodes/prepare.js';
import { chooseChartNode, formatAnswer, refineAnswer, runSql, wantsRefinement } from './nodes/present.js';
import type { Turn } from './query-log.js';
import type { EmitEvent, QueryJob } from './types.js';

const replace = <T>(fallback: () => T) => Annotation<T>({ reducer: (_old, next) => next, default: fallback });

export const AnswerState = Annotation.Root({
  job: Annotation<QueryJob>(),
  session_id: Annotation<string>(),
  question: replace<string>(() => ''),
  lang: replace<Lang>(() => 'en'),
  model: replace<string>(() => 'builtin'),
  session: replace<SessionDoc | null>(() => null),
  tables: replace<string[]>(() => []),
  history: replace<Turn[]>(() => []),
  agent: replace<CachedAgent | null>(() => null),
  plan: replace<Plan | null>(() => null),
  result: replace<SqlOutcome | null>(() => null),
  answer: replace<string | null>(() => null),
  chart: replace<Record<string, unknown> | null>(() => null),
  timings: Annotation<Record<string, number>>({ reducer: (a, b) => ({ ...a, ...b }), default: () => ({}) }),
});

export type AnswerStateType = typeof AnswerState.State;
export type NodeUpdate = Partial<AnswerStateType>;

export interface RunContext {
  emit: EmitEvent;
  signal: AbortSignal;
}

type NodeFn = (state: AnswerStateType, deps: EngineDeps, ctx: RunContext) => Promise<NodeUpdate> | NodeUpdate;

function contextOf(config: RunnableConfig): RunContext {
  const ctx = config.configurable?.ctx as RunContext | undefined;
  if (!ctx) throw new Error('answer graph run without a context');
  return ctx;
}

/** Wraps a node: abort check, progress events, timing. */
function step(name: string, fn: NodeFn, deps: EngineDeps) {
  return async (state: AnswerStateType, config: RunnableConfig): Promise<NodeUpdate> => {
    const ctx = contextOf(config);
    if (ctx.signal.aborted) throw new AppError('query_cancelled');
    const started = performance.now();
    ctx.emit({
      type: 'step',
      query_id: state.job.query_id,
      step: name,
      phase: 'start',
      at: Date.now() / 1000,
    });
    const update = await fn(state, deps, ctx);
    const ms = Math.round((performance.now() - started) * 1000) / 1000;
    ctx.emit({
      type: 'step',
      query_id: state.job.query_id,
      step: name,
      phase: 'end',
      at: Date.now() / 1000,
      ms,
    });
    return { ...update, timings: { [`${name}_ms`]: ms } };
  };
}

export function buildAnswerGraph(deps: EngineDeps) {
  return new StateGraph(AnswerState)
    .addNode('validate_input', step('validate_input', validateInput, deps))
    .addNode('load_session', step('load_session', loadSession, deps))
    .addNode('pick_tables', step('pick_tables', pickTables, deps))
    .addNode('get_agent', step('get_agent', getAgent, deps))
    .addNode('generate_sql', step('generate_sql', generateSql, deps))
    .addNode('run_sql', step('run_sql', runSql, deps))
    .addNode('refine_answer', step('refine_answer', refineAnswer, deps))
    .addNode('choose_chart', step('choose_chart', chooseChartNode, deps))
    .addNode('format_answer', step('format_answer', formatAnswer, deps))
    .addEdge(START, 'validate_input')
    .addEdge('validate_input', 'load_session')
    .addEdge('load_session', 'pick_tables')
    .addEdge('pick_tables', 'get_agent')
    .addEdge('get_agent', 'generate_sql')
    .addConditionalEdges(
      'generate_sql',
      (state) => (state.plan?.kind === 'sql' ? 'run_sql' : 'format_answer'),
      ['run_sql', 'format_answer'],
    )
    .addConditionalEdges('run_sql', (state) => (wantsRefinement(state) ? 'refine_answer' : 'choose_chart'), [
      'refine_answer',
      'choose_chart',
    ])
    .addEdge('refine_answer', 'choose_chart')
    .addEdge('choose_chart', 'format_answer')
    .addEdge('format_answer', END)
    .compile();
}

export type AnswerGraph = ReturnType<typeof buildAnswerGraph>;
