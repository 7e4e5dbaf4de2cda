/** The first four steps: check the question, load the session, pick its tables, get the cached agent. */

import { detectLang } from '../../builtin/index.js';
import { AppError } from '../../errors.js';
import { cacheKey, cacheKeyFields } from '../cache-key.js';
import type { AnswerStateType, NodeUpdate } from '../graph.js';
import type { CachedAgent, EngineDeps } from './context.js';

export const MAX_QUESTION_CHARS = 2000;
const AGENT_PREFIX = 'agent|';

export function validateInput(state: AnswerStateType): NodeUpdate {
  const question = state.job.question.replace(/\s+/g, ' ').trim();
  if (!question) {
    throw new AppError('bad_input', { detail: 'the question is empty', detail_pt: 'a pergunta está vazia' });
  }
  if (question.length > MAX_QUESTION_CHARS) {
    throw new AppError('bad_input', {
      detail: `the question is longer than ${MAX_QUESTION_CHARS} characters`,
      detail_pt: `a pergunta tem mais de ${MAX_QUESTION_CHARS} caracteres`,
    });
  }
  return { question, lang: detectLang(question) };
}

export async function loadSession(state: AnswerStateType, deps: EngineDeps): Promise<NodeUpdate> {
  const session = await deps.sessions.peek(state.session_id);
  if (!session) throw new AppError('session_expired');
  const model = state.job.model ?? session.selected_model;
  if (model !== 'builtin' && !deps.llm?.isAvailable(model)) {
    throw new AppError('bad_input', {
      detail: `the model "${model}" is not available on this server (see GET /api/models)`,
      detail_pt: `o modelo "${model}" não está disponível neste servidor (veja GET /api/models)`,
    });
  }
  const history = await deps.log.turns(state.session_id);
  return { session, model, history };
}

export function pickTables(state: AnswerStateType): NodeUpdate {
  const session = state.session!;
  const include = session.include_tables_key === '*' ? null : new Set(session.include_tables_key.split(','));
  const tables = session.tables.filter((name) => !include || include.has(name));
  if (tables.length === 0) throw new AppError('no_tables');
  return { tables };
}

/**
 * The cached agent for this session under the seed's 9-field key; built (catalog read once from db.db) on a miss.
 * Entries of the same session under older keys are dropped, so an upload or a settings change never serves a
 * stale catalog and never leaves garbage behind.
 */
export async function getAgent(state: AnswerStateType, deps: EngineDeps): Promise<NodeUpdate> {
  const session = state.session!;
  const dbPath = deps.sessions.paths.dbPath(session.session_id);
  const fields = cacheKeyFields(session, state.model, dbPath);
  const key = AGENT_PREFIX + cacheKey(fields);
  const cached = deps.objects.get<CachedAgent>(session.session_id, key);
  if (cached) return { agent: cached };
  for (const old of deps.objects.keysOf(session.session_id)) {
    if (old.startsWith(AGENT_PREFIX)) deps.objects.delete(session.session_id, old);
  }
  const picked = new Set(state.tables);
  // A connected session's tables are its external database's (issue 15), described from bounded samples.
  const all =
    session.connection_type === 'csv'
      ? await deps.catalogs.get(dbPath)
      : await (await deps.connections.forSession(session)).catalog();
  const catalog = all.filter((table) => picked.has(table.name));
  // A Map: column names come from the data, and a plain object already "has" `constructor` (issue 12).
  const labels = new Map<string, string>();
  for (const table of catalog)
    for (const column of table.columns) if (!labels.has(column.name)) labels.set(column.name, column.label);
  const agent: CachedAgent = { key, fields, model: state.model, catalog, labels };
  deps.objects.set(session.session_id, key, agent);
  return { agent };
}
