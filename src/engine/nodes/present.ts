/** The last steps: run the SQL in the sandbox, [refine the answer], choose the chart, format the answer. */
import { describeResult } from '../../builtin/index.js';
import { unsafeRemoteSql } from '../../connections/dialect.js';
import { AppError } from '../../errors.js';
import { chooseChart } from '../charts.js';
import type { AnswerStateType, NodeUpdate, RunContext } from '../graph.js';
import type { EngineDeps } from './context.js';

export async function runSql(state: AnswerStateType, deps: EngineDeps, ctx: RunContext): Promise<NodeUpdate> {
  const plan = state.plan!;
  if (plan.kind !== 'sql') return {};
  const session = state.session!;
  if (session.connection_type !== 'csv') {
    // Issue 15: in the database itself, read-only there; refused here first when it is no plain query.
    const unsafe = unsafeRemoteSql(plan.sql);
    if (unsafe) throw new AppError('unsafe_sql', { reason: unsafe });
    const database = await deps.connections.forSession(session);
    const rows = await database.query(plan.sql, {
      signal: ctx.signal,
      maxRows: deps.limits.maxResultRows,
      timeoutMs: deps.limits.queryTimeoutMs,
    });
    return { result: rows };
  }
  const outcome = await deps.sandbox.run(deps.sessions.paths.dbPath(state.session_id), plan.sql, {
    signal: ctx.signal,
    maxRows: deps.limits.maxResultRows,
    timeoutMs: deps.limits.queryTimeoutMs,
  });
  const { columns, rows, row_count, truncated, sql } = outcome;
  return { result: { columns, rows, row_count, truncated, sql } };
}

export function wantsRefinement(state: AnswerStateType): boolean {
  return state.model !== 'builtin' && state.session?.advanced_mode === true;
}

export async function refineAnswer(
  state: AnswerStateType,
  deps: EngineDeps,
  ctx: RunContext,
): Promise<NodeUpdate> {
  const result = state.result!;
  const answer = await deps.llm!.refine({
    model: state.model,
    question: state.question,
    lang: state.lang,
    sql: result.sql,
    columns: result.columns,
    rows: result.rows.slice(0, 20),
    row_count: result.row_count,
    signal: ctx.signal,
  });
  return { answer };
}

export function chooseChartNode(state: AnswerStateType): NodeUpdate {
  const result = state.result!;
  const labels = new Map(state.agent?.labels);
  // A computed column (avg_preco_unitario) has no catalog label; the built-in engine knows what it computed.
  const computed = result.columns.at(-1);
  const subject = (state.plan?.kind === 'sql' ? state.plan.template?.subject : undefined)?.replace(
    /^(a|o|as|os|the)\s+/i,
    '',
  );
  if (computed && subject && !labels.has(computed))
    labels.set(computed, subject.charAt(0).toUpperCase() + subject.slice(1));
  return {
    chart: chooseChart({
      question: state.question,
      lang: state.lang,
      columns: result.columns,
      rows: result.rows,
      labels,
    }),
  };
}

const NO_ROWS = { en: 'No rows match the question.', pt: 'Nenhuma linha corresponde à pergunta.' };
const ROWS = {
  en: (n: number, more: boolean) => `${more ? 'At least ' : ''}${n} row${n === 1 ? '' : 's'}; see the table.`,
  pt: (n: number, more: boolean) =>
    `${more ? 'Pelo menos ' : ''}${n} linha${n === 1 ? '' : 's'}; veja a tabela.`,
};

export function formatAnswer(state: AnswerStateType): NodeUpdate {
  const plan = state.plan!;
  if (plan.kind === 'unsupported') {
    return { answer: [plan.reason, plan.understood].filter(Boolean).join(' ') };
  }
  if (state.answer) return {};
  const result = state.result!;
  if (plan.template) return { answer: describeResult(plan.template, result) };
  if (plan.llmAnswer) return { answer: plan.llmAnswer };
  if (result.row_count === 0) return { answer: NO_ROWS[state.lang] };
  return { answer: ROWS[state.lang](result.row_count, result.truncated) };
}
