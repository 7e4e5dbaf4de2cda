/**
 * Scaled mode's Redis layout, shared by the API side (BullmqQueue) and the workers (QueryWorker). Everything lives
 * under the same key prefix as the session store (REDIS key prefix, `agentgraph:` by default), so one deployment's
 * keys can be told apart (and tests can delete theirs):
 *
 *   {P}bull:queries:*              BullMQ's own keys (queue `queries`, BullMQ prefix `{P}bull`)
 *   {P}query:{id}                  hash: job (the QueryJob as JSON), status, worker — TTL META_TTL_S
 *   {P}query:{id}:events           list of progress events (JSON), TTL EVENTS_TTL_S: the SSE replay
 *   {P}query:{id}:events           (channel) the same events live, each prefixed by its position in the list
 *   {P}query:{id}:cancel           string: "cancel me" for a worker that picks the job up later — TTL EVENTS_TTL_S
 *   {P}query:{id}:waiting          string: the job still counts in its session's waiting counter (released once)
 *   {P}session-waiting:{sid}       integer: the session's jobs not yet started (fairness priority, 20 limit)
 *   {P}sessions-waiting            set: sessions with jobs not yet started (stats)
 *   {P}session-running:{sid}       sorted set: query id → lease expiry (ms, Redis clock) of the session's running
 *                                  questions, across all workers (fair share, issue 12); renewed while a question
 *                                  runs, so a dead worker's entry lapses and is dropped by the next script
 *   {P}session-parked:{sid}        sorted set: query id → submitted_at of questions put back (BullMQ `delayed`)
 *                                  because the session had its share running; a released slot wakes the oldest
 *   {P}query-stats                 hash: completed / failed / cancelled counters
 *   {P}query-cancel                (channel) query ids to stop: the worker running one aborts it
 *   {P}workers                     sorted set: worker id → last report (ms)
 *   {P}worker:{id}                 string: the worker's last report (JSON), TTL WORKER_TTL_S (heartbeat)
 *
 * Results are never kept in Redis: the worker's Answerer writes them into the session folder (QueryLog, shared
 * DATA_DIR), and the `done` event on the wire carries only the status.
 */
import type { Redis } from 'ioredis';
import type { QueryEvent, QueryResult, QueryStatus } from '../engine/types.js';

export const QUEUE_NAME = 'queries';
/** Progress events and cancel flags: long enough for any late SSE subscriber, short enough not to accumulate. */
export const EVENTS_TTL_S = 600;
/** The query's job + status while it is queued or running (a question can wait a long time under load). */
export const META_TTL_S = 24 * 3600;
/** A worker report expires this long after the worker's last heartbeat. */
export const WORKER_TTL_S = 30;
export const HEARTBEAT_MS = 5000;

export function bullPrefix(prefix: string): string {
  return `${prefix}bull`;
}

export const keys = {
  meta: (p: string, queryId: string) => `${p}query:${queryId}`,
  events: (p: string, queryId: string) => `${p}query:${queryId}:events`,
  cancelFlag: (p: string, queryId: string) => `${p}query:${queryId}:cancel`,
  waitingMarker: (p: string, queryId: string) => `${p}query:${queryId}:waiting`,
  sessionWaiting: (p: string, sessionId: string) => `${p}session-waiting:${sessionId}`,
  sessionsWaiting: (p: string) => `${p}sessions-waiting`,
  sessionRunning: (p: string, sessionId: string) => `${p}session-running:${sessionId}`,
  sessionParked: (p: string, sessionId: string) => `${p}session-parked:${sessionId}`,
  stats: (p: string) => `${p}query-stats`,
  cancelChannel: (p: string) => `${p}query-cancel`,
  workers: (p: string) => `${p}workers`,
  worker: (p: string, workerId: string) => `${p}worker:${workerId}`,
};

/**
 * What travels on the wire: the events of QueryEvent, except that `done` carries the final status only (the
 * result itself is read from the session folder, so Redis never holds result rows).
 */
/**
 * An event as stored in the query's event list. `done` carries the status only: the result is in the session
 * folder (and on the live channel, when small: see PUBLISHED_RESULT_BYTES).
 */
export type WireEvent =
  | Exclude<QueryEvent, { type: 'done' }>
  | { type: 'done'; query_id: string; status: QueryStatus; at: number; result?: QueryResult };

export function toWire(event: QueryEvent): WireEvent {
  if (event.type !== 'done') return event;
  return { type: 'done', query_id: event.query_id, status: event.result.status, at: event.at };
}

/**
 * A result up to this size (its JSON) rides along with `done` on the live channel, so the API process waiting for
 * it answers without reading it back from the session folder (issue 14: the result's transport). Never in the
 * stored list, which lives for EVENTS_TTL_S; results this small are never cut by keepResult (its cap is at least
 * 128 KiB), so the API gets exactly what the folder holds.
 */
export const PUBLISHED_RESULT_BYTES = 64 * 1024;

/** The live channel's form of `done`: with the result when it is small; '' when it is the stored form. */
function published(event: QueryEvent): string {
  if (event.type !== 'done') return '';
  const result = JSON.stringify(event.result);
  if (result.length > PUBLISHED_RESULT_BYTES) return '';
  return `{"type":"done","query_id":${JSON.stringify(event.query_id)},"status":${JSON.stringify(event.result.status)},"at":${event.at},"result":${result}}`;
}

/**
 * Submit: counts the job in its session's waiting counter (refusing beyond the limit), records its meta and its
 * first event. Returns the session's waiting count including this job (its fairness priority), or -1 when full.
 * KEYS: sessionWaiting, waitingMarker, meta, events, sessionsWaiting
 * ARGV: limit, job JSON, queued event JSON, counter TTL, events TTL, meta TTL, session id
 */
export const SUBMIT_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n > tonumber(ARGV[1]) then
  redis.call('DECR', KEYS[1])
  return -1
end
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('SET', KEYS[2], '1', 'EX', ARGV[4])
redis.call('HSET', KEYS[3], 'job', ARGV[2], 'status', 'queued')
redis.call('EXPIRE', KEYS[3], ARGV[6])
redis.call('RPUSH', KEYS[4], ARGV[3])
redis.call('EXPIRE', KEYS[4], ARGV[5])
redis.call('SADD', KEYS[5], ARGV[7])
return n`;

/**
 * Release: the job left the waiting state (a worker took it, or it was cancelled). Idempotent: only the first call
 * for a job decrements, so a retried (stalled) job is not counted twice.
 * KEYS: waitingMarker, sessionWaiting, sessionsWaiting   ARGV: session id
 */
export const RELEASE_SCRIPT = `
if redis.call('DEL', KEYS[1]) == 1 then
  local v = redis.call('DECR', KEYS[2])
  if v <= 0 then
    redis.call('DEL', KEYS[2])
    redis.call('SREM', KEYS[3], ARGV[1])
  end
  return 1
end
return 0`;

/**
 * Emit: appends a query's events to its list (the replay), keeps the meta's status in step, counts finished
 * questions, and publishes each event prefixed by its position ("n\\n{json}") so a subscriber that replays the list
 * and listens at the same time can drop duplicates. One call carries one or more events of the same query.
 * KEYS: events, meta, stats   ARGV: events TTL, channel, worker id or '', then per event: JSON, status or '',
 * counter or '', the JSON to publish when it differs from the stored one (a `done` with its result) or ''
 */
export const EMIT_SCRIPT = `
local n = 0
for i = 4, #ARGV, 4 do
  n = redis.call('RPUSH', KEYS[1], ARGV[i])
  if ARGV[i + 1] ~= '' and redis.call('EXISTS', KEYS[2]) == 1 then
    redis.call('HSET', KEYS[2], 'status', ARGV[i + 1])
    if ARGV[3] ~= '' then redis.call('HSET', KEYS[2], 'worker', ARGV[3]) end
  end
  if ARGV[i + 2] ~= '' then redis.call('HINCRBY', KEYS[3], ARGV[i + 2], 1) end
  local live = ARGV[i + 3]
  if live == '' then live = ARGV[i] end
  redis.call('PUBLISH', ARGV[2], n .. '\\n' .. live)
end
redis.call('EXPIRE', KEYS[1], ARGV[1])
return n`;

/** `now` in milliseconds on Redis's clock, so workers on different machines agree on lease expiry. */
const REDIS_NOW_MS = `
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)`;
/** Then drops the lapsed leases (their workers died) of the session-running set in KEYS[1]. */
const DROP_LAPSED = `${REDIS_NOW_MS}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)`;

/**
 * Take a session slot: the query may run when the session has fewer than `limit` live leases, or already holds
 * one (a retry after its worker died takes over its own lease). Lapsed leases (dead workers) are dropped first.
 * KEYS: sessionRunning, sessionParked   ARGV: query id, limit, lease ms
 * Returns 1 when the query holds a slot (lease until now + lease ms), 0 when the session has its share running.
 */
export const TAKE_SESSION_SLOT_SCRIPT = `${DROP_LAPSED}
if redis.call('ZSCORE', KEYS[1], ARGV[1]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  redis.call('ZREM', KEYS[2], ARGV[1])
  return 1
end
return 0`;

/**
 * Park a query that could not take a slot (its job already moved to BullMQ's delayed set), so that the next
 * released slot wakes it — unless a slot came free since it tried, which it is told instead (no lost wake-up).
 * KEYS: sessionRunning, sessionParked   ARGV: query id, limit, order (submitted_at), parked TTL s
 * Returns 1 when a slot is free now (not parked: the caller puts the job straight back), 0 when parked.
 */
export const PARK_FOR_SESSION_SLOT_SCRIPT = `${DROP_LAPSED}
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then return 1 end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
redis.call('EXPIRE', KEYS[2], ARGV[4])
return 0`;

/**
 * Release a session slot (query id '' releases none: only wakes) and hand out the parked queries to wake, one per
 * free slot, oldest first. Also drops lapsed leases, so a slot a dead worker held is handed out here too.
 * KEYS: sessionRunning, sessionParked   ARGV: query id or '', limit
 * Returns the query ids to wake (possibly empty).
 */
export const RELEASE_SESSION_SLOT_SCRIPT = `${DROP_LAPSED}
if ARGV[1] ~= '' then redis.call('ZREM', KEYS[1], ARGV[1]) end
local free = tonumber(ARGV[2]) - redis.call('ZCARD', KEYS[1])
if free <= 0 then return {} end
local popped = redis.call('ZPOPMIN', KEYS[2], free)
local ids = {}
for i = 1, #popped, 2 do ids[#ids + 1] = popped[i] end
return ids`;

/**
 * Renew the leases of a worker's running queries. XX: a lease released meanwhile (the question just finished)
 * must not come back for another lease period.
 * KEYS: sessionRunning of each query   ARGV: lease ms, then the query ids in KEYS order
 */
export const RENEW_SESSION_SLOTS_SCRIPT = `${REDIS_NOW_MS}
for i, key in ipairs(KEYS) do
  if redis.call('ZADD', key, 'XX', 'CH', now + tonumber(ARGV[1]), ARGV[i + 1]) == 1 then
    redis.call('PEXPIRE', key, ARGV[1])
  end
end
return #KEYS`;

export const TERMINAL: ReadonlySet<QueryStatus> = new Set(['done', 'failed', 'cancelled']);

export function counterFor(status: QueryStatus): string {
  return status === 'done' ? 'completed' : status;
}

type ScriptCommand = (...args: (string | number)[]) => Promise<unknown>;

/** The scripts as EVALSHA commands on a connection (defined once per connection). */
export function scripts(redis: Redis): {
  submit: ScriptCommand;
  release: ScriptCommand;
  emit: ScriptCommand;
  takeSlot: ScriptCommand;
  park: ScriptCommand;
  releaseSlot: ScriptCommand;
  /** Variable key count: the first argument is the number of keys. */
  renewSlots: ScriptCommand;
} {
  const table = redis as unknown as Record<string, ScriptCommand>;
  const define = (name: string, numberOfKeys: number | undefined, lua: string) => {
    if (typeof table[name] !== 'function') {
      redis.defineCommand(name, numberOfKeys === undefined ? { lua } : { numberOfKeys, lua });
    }
    return table[name]!.bind(redis) as ScriptCommand;
  };
  return {
    submit: define('agentgraphQuerySubmit', 5, SUBMIT_SCRIPT),
    release: define('agentgraphQueryRelease', 3, RELEASE_SCRIPT),
    emit: define('agentgraphQueryEmit', 3, EMIT_SCRIPT),
    takeSlot: define('agentgraphTakeSessionSlot', 2, TAKE_SESSION_SLOT_SCRIPT),
    park: define('agentgraphParkForSessionSlot', 2, PARK_FOR_SESSION_SLOT_SCRIPT),
    releaseSlot: define('agentgraphReleaseSessionSlot', 2, RELEASE_SESSION_SLOT_SCRIPT),
    renewSlots: define('agentgraphRenewSessionSlots', undefined, RENEW_SESSION_SLOTS_SCRIPT),
  };
}

/**
 * Appends + publishes events of one query, in order, in one call (see EMIT_SCRIPT). Resolves with the last
 * event's position.
 */
export async function publishEvents(
  redis: Redis,
  prefix: string,
  events: readonly QueryEvent[],
  workerId = '',
): Promise<number> {
  const id = events[0]!.query_id;
  const perEvent = events.flatMap((event) => {
    const wire = toWire(event);
    const status = wire.type === 'done' ? wire.status : wire.type === 'status' ? wire.status : '';
    const counter = wire.type === 'done' ? counterFor(wire.status) : '';
    return [JSON.stringify(wire), status, counter, published(event)];
  });
  return Number(
    await scripts(redis).emit(
      keys.events(prefix, id),
      keys.meta(prefix, id),
      keys.stats(prefix),
      EVENTS_TTL_S,
      keys.events(prefix, id),
      workerId,
      ...perEvent,
    ),
  );
}

export function publishEvent(
  redis: Redis,
  prefix: string,
  event: QueryEvent,
  workerId = '',
): Promise<number> {
  return publishEvents(redis, prefix, [event], workerId);
}

/** Marks a job as no longer waiting (idempotent). */
export async function releaseWaiting(redis: Redis, prefix: string, queryId: string, sessionId: string) {
  await scripts(redis).release(
    keys.waitingMarker(prefix, queryId),
    keys.sessionWaiting(prefix, sessionId),
    keys.sessionsWaiting(prefix),
    sessionId,
  );
}
