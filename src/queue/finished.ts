import type { QueryLog } from '../engine/query-log.js';
import type { QueryEvent } from '../engine/types.js';
import { AppError } from '../errors.js';

/**
 * Subscribing to a query this queue no longer tracks: it finished earlier, so its result lives in the session
 * folder. The listener gets the one `done` event; an unknown id is not_found. Shared by both QueryQueues.
 */
export async function replayFinished(
  log: QueryLog,
  sessionId: string,
  queryId: string,
  listener: (event: QueryEvent) => void,
): Promise<() => void> {
  const stored = await log.load(sessionId, queryId);
  if (!stored) throw new AppError('not_found', { what: `query ${queryId}` });
  listener({ type: 'done', query_id: queryId, result: stored, at: stored.finished_at ?? Date.now() / 1000 });
  return () => {};
}
