/** generate_sql: the built-in engine, or the LLM agent (tools over the sandbox), produces the SQL or refuses. */
import { interpret, suggestQuestions } from '../../builtin/index.js';
import type { AnswerStateType, NodeUpdate, RunContext } from '../graph.js';
import type { EngineDeps, Plan } from './context.js';

export async function generateSql(
  state: AnswerStateType,
  deps: EngineDeps,
  ctx: RunContext,
): Promise<NodeUpdate> {
  const agent = state.agent!;
  const previous = state.history.at(-1);
  if (state.model === 'builtin') {
    const reading = interpret(state.question, agent.catalog, {
      lang: state.lang,
      ...(previous ? { previous } : {}),
    });
    const plan: Plan =
      reading.kind === 'sql'
        ? {
            kind: 'sql',
            sql: reading.sql,
            source: 'builtin',
            explanation: reading.explanation,
            reading: reading.reading,
            template: reading.answerTemplate,
          }
        : {
            kind: 'unsupported',
            reason: reading.reason,
            ...(reading.understood ? { understood: reading.understood } : {}),
            suggestions: reading.suggestions,
          };
    return { plan, lang: reading.lang };
  }
  const outcome = await deps.llm!.plan({
    model: state.model,
    question: state.question,
    lang: state.lang,
    catalog: agent.catalog,
    history: state.history,
    dbPath: deps.sessions.paths.dbPath(state.session_id),
    signal: ctx.signal,
  });
  if (!outcome.sql) {
    return {
      plan: {
        kind: 'unsupported',
        reason: outcome.refused ?? outcome.answer ?? '',
        suggestions: suggestQuestions(agent.catalog, state.lang),
      },
    };
  }
  return {
    plan: {
      kind: 'sql',
      sql: outcome.sql,
      source: 'llm',
      ...(outcome.answer ? { llmAnswer: outcome.answer } : {}),
    },
  };
}
