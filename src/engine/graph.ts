/**
 * The answering graph (LangGraph.js StateGraph), compiled once per process. Its nodes run the nine steps of a
 * question in order:
 *
 *   prepare ──────────────→ generate_sql ─┬→ run_sql ─┬→ refine_answer ─┬→ present ───────────────────→ END
 *   (validate_input,                       │           └─────────────────┘  (choose_chart, format_answer)
 *    load_session, pick_tables, get_agent) └────────────────────────────────→ present (cannot answer: format_answer)
 *
 * refine_answer runs only in advanced mode with an LLM model.
 *
 * Steps that take microseconds and never wait on anything outside the process share a node: each LangGraph
 * superstep costs ~0.45 ms of bookkeeping (task ids, a checkpoint of every channel, config merging), more than
 * those steps themselves, so one node per step made up half of a built-in question's time (issue 14,
 * docs/benchmarks.md). Nodes that wait — on an LLM, on the sandbox — stay nodes of their own.
 *
 * Every step emits a start and an end event (SSE progress) and records its time, whichever node runs it. Steps get
 * their per-run context (emit, abort signal) from the run config and the process-wide dependencies from
 * buildAnswerGraph's closure.
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

type StepFn = (state: AnswerStateType, deps: EngineDeps, ctx: RunContext) => Promise<NodeUpdate> | NodeUpdate;
/** A step: its name (events, `timings.<name>_ms`), what it does, and when it runs (always, if not said). */
type Step = readonly [name: string, fn: StepFn, when?: (state: AnswerStateType) => boolean];

function contextOf(config: RunnableConfig): RunContext {
  const ctx = config.configurable?.ctx as RunContext | undefined;
  if (!ctx) throw new Error('answer graph run without a context');
  return ctx;
}

/** Runs one step: abort check, progress events, timing. */
async function runStep(
  [name, fn]: Step,
  state: AnswerStateType,
  deps: EngineDeps,
  ctx: RunContext,
): Promise<NodeUpdate> {
  if (ctx.signal.aborted) throw new AppError('query_cancelled');
  const started = performance.now();
  const queryId = state.job.query_id;
  ctx.emit({ type: 'step', query_id: queryId, step: name, phase: 'start', at: Date.now() / 1000 });
  const update = await fn(state, deps, ctx);
  const ms = Math.round((performance.now() - started) * 1000) / 1000;
  ctx.emit({ type: 'step', query_id: queryId, step: name, phase: 'end', at: Date.now() / 1000, ms });
  return { ...update, timings: { ...update.timings, [`${name}_ms`]: ms } };
}

/**
 * A graph node running `steps` in order, each seeing the state as the steps before it left it (replace semantics,
 * as the graph's own channels; timings accumulate). One update leaves the node.
 */
function node(deps: EngineDeps, ...steps: Step[]) {
  return async (state: AnswerStateType, config: RunnableConfig): Promise<NodeUpdate> => {
    const ctx = contextOf(config);
    let current = state;
    let out: NodeUpdate = {};
    for (const step of steps) {
      if (step[2] && !step[2](current)) continue;
      const update = await runStep(step, current, deps, ctx);
      const timings = { ...out.timings, ...update.timings };
      out = { ...out, ...update, timings };
      current = { ...current, ...update, timings: { ...current.timings, ...update.timings } };
    }
    return out;
  };
}

export function buildAnswerGraph(deps: EngineDeps) {
  return new StateGraph(AnswerState)
    .addNode(
      'prepare',
      node(
        deps,
        ['validate_input', validateInput],
        ['load_session', loadSession],
        ['pick_tables', pickTables],
        ['get_agent', getAgent],
      ),
    )
    .addNode(
      'query',
      node(deps, ['generate_sql', generateSql], ['run_sql', runSql, (state) => state.plan?.kind === 'sql']),
    )
    .addNode('refine_answer', node(deps, ['refine_answer', refineAnswer]))
    .addNode(
      'present',
      node(
        deps,
        ['choose_chart', chooseChartNode, (state) => state.result !== null],
        ['format_answer', formatAnswer],
      ),
    )
    .addEdge(START, 'prepare')
    .addEdge('prepare', 'query')
    .addConditionalEdges(
      'query',
      (state) => (state.result !== null && wantsRefinement(state) ? 'refine_answer' : 'present'),
      ['refine_answer', 'present'],
    )
    .addEdge('refine_answer', 'present')
    .addEdge('present', END)
    .compile();
}

export type AnswerGraph = ReturnType<typeof buildAnswerGraph>;
