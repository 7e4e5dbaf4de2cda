/** generate_sql: the built-in engine, or the LLM agent (tools over the sandbox), produces the SQL or refuses. */
import { interpret, suggestQuestions } from '../../builtin/index.js';
import { toDialect } from '../../connections/dialect.js';
import type { AnswerStateType, NodeUpdate, RunContext } from '../graph.js';
import type { EngineDeps, Plan } from './context.js';

export async function generateSql(
  state: AnswerStateType,
  deps: EngineDeps,
  ctx: RunContext,
): Promise<NodeUpdate> {
  const agent = state.agent!;
  const previous = state.history.at(-1);
  const connected = state.session!.connection_type;
  if (state.model === 'builtin') {
    const reading = interpret(state.question, agent.catalog, {
      lang: state.lang,
      ...(previous ? { previous } : {}),
    });
    if (reading.kind === 'sql' && connected !== 'csv') {
      const translated = toDialect(reading.sql, connected);
      if ('refused' in translated)
        return { plan: cannotOnDatabase(state, translated.refused), lang: reading.lang };
      reading.sql = translated.sql;
    }
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
    ...(connected !== 'csv' ? { database: await deps.connections.forSession(state.session!) } : {}),
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

const DATABASE_NAMES = { postgresql: 'PostgreSQL', mysql: 'MySQL/MariaDB' } as const;

/**
 * A connected database (issue 15) where the built-in engine's SQL uses a construct without the same meaning there
 * (dialect.ts): said plainly, with what is missing, instead of an answer that could differ.
 */
function cannotOnDatabase(state: AnswerStateType, missing: string): Plan {
  const db = DATABASE_NAMES[state.session!.connection_type as 'postgresql' | 'mysql'];
  const reason = {
    en: `I cannot answer this on a connected ${db} database yet: the query would need ${missing}, which I only run on uploaded files.`,
    pt: `Ainda não consigo responder isto num banco ${db} conectado: a consulta precisaria de ${missing}, que só executo sobre arquivos enviados.`,
  };
  return {
    kind: 'unsupported',
    reason: reason[state.lang],
    suggestions: suggestQuestions(state.agent!.catalog, state.lang),
  };
}
