/**
 * BullmqQueue: the scaled-mode QueryQueue of an API process. Questions become BullMQ jobs that `agentgraph worker`
 * processes run (src/queue/worker.ts); this process runs none itself. Layout of the Redis keys: ./keys.ts.
 *
 * - submit: the job's data is the QueryJob only (question, ids, language, model name — never a key or a secret).
 *   Fairness without BullMQ Pro groups: a job's priority is how many not-yet-started jobs its session has
 *   (counted atomically in Redis, 20 at most), so a burst from one session sinks behind the others' first
 *   questions, which are served first-come within the same priority.
 * - progress: workers append each event to a short-lived list and publish it on the query's channel; subscribe()
 *   replays the list, then follows the channel (positions drop the overlap). `done` carries only the status: the
 *   result is read from the session folder, where the worker's Answerer wrote it (DATA_DIR is shared).
 * - wait(): resolves on `done`; a slow poll of the session folder covers a `done` lost while Redis was away.
 * - cancel: a waiting job is removed and recorded as cancelled here; a running one gets a message on the cancel
 *   channel, which its worker turns into an abort (the sandbox kills the statement's process). A flag also waits
 *   for a worker that picks the job up between the two steps.
 * - BullMQ keeps no results (removeOnComplete / removeOnFail): Redis holds only what is queued or running.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Answerer } from '../engine/answerer.js';
import type { QueryLog } from '../engine/query-log.js';
import {
  pendingResult,
  type QueryEvent,
  type QueryJob,
  type QueryResult,
  type QueryStatus,
} from '../engine/types.js';
import { AppError } from '../errors.js';
import { closeRedis, isConnectionError } from '../redis.js';
import { closeBullmq } from './connecting.js';
import { replayFinished } from './finished.js';
import {
  bullPrefix,
  EVENTS_TTL_S,
  keys,
  META_TTL_S,
  publishEvent,
  QUEUE_NAME,
  releaseWaiting,
  scripts,
  TERMINAL,
  type WireEvent,
} from './keys.js';
import {
  type CancelOutcome,
  MAX_PENDING_PER_SESSION,
  type QueryQueue,
  type QueueStats,
  slotsPerSession,
} from './types.js';

const QUERY_ID = /^[0-9a-f-]{36}$/;
/** How often an open subscription looks in the session folder for a result whose `done` it did not hear. */
const POLL_MS = 2000;
/** Every this many polls it also checks the query is still known to Redis at all. */
const META_CHECK_EVERY = 5;

export interface BullmqQueueOptions {
  /** A command connection shared with the session store: it fails fast while Redis is down (→ 503). */
  redis: Redis;
  prefix: string;
  /** Records the cancellation of a job that never started (as the worker records the others). */
  answerer: Answerer;
  log: QueryLog;
  /** WORKER_CONCURRENCY (per worker): reported in stats. */
  concurrency: number;
  logger?: Logger;
}

interface Meta {
  job: QueryJob;
  status: QueryStatus;
  worker?: string;
}

type RawListener = (message: string) => void;

/** Turns "Redis is away" into the 503 the rest of the API uses; anything else is a bug and passes through. */
async function guard<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof AppError) && isConnectionError(error)) {
      throw new AppError('store_unavailable', {}, { cause: error });
    }
    throw error;
  }
}

export class BullmqQueue implements QueryQueue {
  readonly queue: Queue;
  private readonly redis: Redis;
  private readonly prefix: string;
  private subscriber: Redis | null = null;
  private readonly channels = new Map<string, Set<RawListener>>();
  private readonly open = new Set<() => void>();
  private closed = false;
  private readonly counters = { submitted: 0, cancelled: 0 };
  private last: QueueStats;

  constructor(private readonly options: BullmqQueueOptions) {
    this.redis = options.redis;
    this.prefix = options.prefix;
    this.queue = new Queue(QUEUE_NAME, { connection: options.redis, prefix: bullPrefix(options.prefix) });
    // Without a listener an 'error' event would crash the process; the connection reconnects by itself.
    this.queue.on('error', (error) => options.logger?.debug({ err: error }, 'bullmq queue error'));
    this.last = {
      kind: 'bullmq',
      concurrency: options.concurrency,
      running_per_session: slotsPerSession(options.concurrency),
      running: 0,
      queued: 0,
      sessions_waiting: 0,
      // This process keeps no results in memory: each read comes from the session folder.
      retained_results: 0,
      retained_bytes: 0,
      completed: 0,
      failed: 0,
      cancelled: 0,
    };
  }

  async submit(job: QueryJob): Promise<void> {
    if (this.closed) throw new AppError('store_unavailable');
    const p = this.prefix;
    const queued: QueryEvent = {
      type: 'status',
      query_id: job.query_id,
      status: 'queued',
      at: Date.now() / 1000,
    };
    const position = await guard(async () =>
      Number(
        await scripts(this.redis).submit(
          keys.sessionWaiting(p, job.session_id),
          keys.waitingMarker(p, job.query_id),
          keys.meta(p, job.query_id),
          keys.events(p, job.query_id),
          keys.sessionsWaiting(p),
          MAX_PENDING_PER_SESSION,
          JSON.stringify(job),
          JSON.stringify(queued),
          META_TTL_S,
          EVENTS_TTL_S,
          META_TTL_S,
          job.session_id,
        ),
      ),
    );
    if (position < 0) throw new AppError('too_many_queries', { limit: MAX_PENDING_PER_SESSION });
    try {
      await guard(() =>
        this.queue.add('question', job, {
          jobId: job.query_id,
          // 1 = the session's only waiting question. Same priority → first come, first served.
          priority: position,
          removeOnComplete: true,
          removeOnFail: true,
        }),
      );
    } catch (error) {
      // Not queued after all: undo the bookkeeping so the session's counter stays true.
      await releaseWaiting(this.redis, p, job.query_id, job.session_id).catch(() => undefined);
      await this.redis.del(keys.meta(p, job.query_id), keys.events(p, job.query_id)).catch(() => undefined);
      throw error;
    }
    this.counters.submitted += 1;
  }

  /** The query's meta when it belongs to this session; null otherwise (unknown, expired, someone else's). */
  private async meta(sessionId: string, queryId: string): Promise<Meta | null> {
    if (!QUERY_ID.test(queryId)) return null;
    const fields = await guard(() => this.redis.hgetall(keys.meta(this.prefix, queryId)));
    if (!fields.job) return null;
    const job = JSON.parse(fields.job) as QueryJob;
    if (job.session_id !== sessionId) return null;
    return {
      job,
      status: (fields.status ?? 'queued') as QueryStatus,
      ...(fields.worker ? { worker: fields.worker } : {}),
    };
  }

  async get(sessionId: string, queryId: string): Promise<QueryResult | null> {
    const meta = await this.meta(sessionId, queryId);
    if (meta && !TERMINAL.has(meta.status)) {
      return pendingResult(meta.job, meta.status, meta.job.lang ?? 'en', meta.job.model ?? '');
    }
    const stored = await this.options.log.load(sessionId, queryId);
    if (stored) return stored;
    return meta ? this.hydrate(meta.job, meta.status, Date.now() / 1000) : null;
  }

  /** The final result of a `done` event: from the session folder, or rebuilt when the session ended meanwhile. */
  private async hydrate(job: QueryJob, status: QueryStatus, at: number): Promise<QueryResult> {
    const stored = await this.options.log.load(job.session_id, job.query_id).catch(() => null);
    if (stored) return stored;
    const result = pendingResult(job, status, job.lang ?? 'en', job.model ?? '');
    result.finished_at = at;
    return result;
  }

  async wait(sessionId: string, queryId: string, signal?: AbortSignal): Promise<QueryResult> {
    return new Promise<QueryResult>((resolve, reject) => {
      let unsubscribe: (() => void) | null = null;
      let settled = false;
      const onAbort = () => {
        if (settled) return;
        settled = true;
        unsubscribe?.();
        reject(new AppError('query_cancelled'));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.subscribe(sessionId, queryId, (event) => {
        if (event.type !== 'done' || settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        resolve(event.result);
      }).then(
        (stop) => {
          unsubscribe = stop;
          if (settled) stop();
        },
        (error: unknown) => {
          settled = true;
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }

  async subscribe(
    sessionId: string,
    queryId: string,
    listener: (event: QueryEvent) => void,
  ): Promise<() => void> {
    const meta = await this.meta(sessionId, queryId);
    if (!meta) return replayFinished(this.options.log, sessionId, queryId, listener);
    const { job } = meta;
    const channel = keys.events(this.prefix, queryId);
    let last = 0;
    let finished = false;
    let replaying = true;
    const buffered: string[] = [];
    let polls = 0;

    const stop = () => {
      clearInterval(timer);
      this.open.delete(stop);
      this.unlisten(channel, onMessage);
    };
    const finish = (result: QueryResult, at: number) => {
      listener({ type: 'done', query_id: queryId, result, at });
    };
    const deliver = (position: number, wire: WireEvent) => {
      if (finished) return;
      if (wire.type === 'done') {
        finished = true;
        stop();
        // A small result comes with `done` on the live channel; otherwise (and on replay) it is read from the folder.
        if (wire.result) finish(wire.result, wire.at);
        else void this.hydrate(job, wire.status, wire.at).then((result) => finish(result, wire.at));
        return;
      }
      if (position <= last) return;
      last = position;
      listener(wire);
    };
    const onMessage: RawListener = (message) => {
      if (replaying) {
        buffered.push(message);
        return;
      }
      const cut = message.indexOf('\n');
      deliver(Number(message.slice(0, cut)), JSON.parse(message.slice(cut + 1)) as WireEvent);
    };
    // The safety net: a `done` published while this process was cut off from Redis is never heard again.
    const poll = async () => {
      if (finished) return;
      polls += 1;
      const stored = await this.options.log.load(job.session_id, queryId).catch(() => null);
      if (stored && !finished) {
        finished = true;
        stop();
        finish(stored, stored.finished_at ?? Date.now() / 1000);
        return;
      }
      if (polls % META_CHECK_EVERY !== 0) return;
      const known = await this.redis.exists(keys.meta(this.prefix, queryId)).catch(() => 1);
      if (known === 0 && !finished) {
        // Redis lost the job (e.g. restarted without persistence) and no worker recorded a result.
        finished = true;
        stop();
        const result = pendingResult(job, 'failed', job.lang ?? 'en', job.model ?? '');
        const error = new AppError('worker_lost');
        result.error = { code: error.code, message: error.localized(result.lang) };
        result.finished_at = Date.now() / 1000;
        finish(result, result.finished_at);
      }
    };
    const timer = setInterval(() => void poll(), POLL_MS);
    timer.unref();
    this.open.add(stop);

    try {
      await this.listen(channel, onMessage);
      const replay = await guard(() => this.redis.lrange(channel, 0, -1));
      for (const [index, raw] of replay.entries()) deliver(index + 1, JSON.parse(raw) as WireEvent);
    } catch (error) {
      finished = true;
      stop();
      throw error;
    }
    replaying = false;
    for (const message of buffered.splice(0)) onMessage(message);
    if (!finished && TERMINAL.has(meta.status)) {
      // Finished, but its events expired: the result is in the session folder.
      finished = true;
      stop();
      const result = await this.hydrate(job, meta.status, Date.now() / 1000);
      finish(result, result.finished_at ?? Date.now() / 1000);
    }
    return () => {
      finished = true;
      stop();
    };
  }

  async cancel(sessionId: string, queryId: string): Promise<CancelOutcome> {
    const meta = await this.meta(sessionId, queryId);
    if (!meta) return (await this.options.log.load(sessionId, queryId)) ? 'finished' : 'not_found';
    if (TERMINAL.has(meta.status)) return 'finished';
    const p = this.prefix;
    // First the flag (a worker taking the job from now on aborts it at once), then try to take it off the queue.
    await guard(() => this.redis.set(keys.cancelFlag(p, queryId), '1', 'EX', EVENTS_TTL_S));
    const removed = await guard(() => this.queue.remove(queryId));
    if (removed === 1) {
      await releaseWaiting(this.redis, p, queryId, sessionId);
      // It may have been parked waiting for a slot of its session (session-slots.ts): nothing to wake any more.
      await this.redis.zrem(keys.sessionParked(p, sessionId), queryId).catch(() => undefined);
      const { result } = await this.options.answerer.cancelledBeforeStart(meta.job);
      await publishEvent(this.redis, p, { type: 'done', query_id: queryId, result, at: Date.now() / 1000 });
      this.counters.cancelled += 1;
      return 'cancelled';
    }
    // Not removable: running (BullMQ refuses a locked job), or just finished — the worker records the result before
    // its meta says so, and a client that saw `done` may cancel in between.
    if (await this.options.log.load(sessionId, queryId)) return 'finished';
    // Running: its worker hears this and aborts it.
    await guard(() => this.redis.publish(keys.cancelChannel(p), queryId));
    return 'stopping';
  }

  /** Last known figures (see snapshot(), which asks Redis). */
  stats(): QueueStats {
    return this.last;
  }

  /** Queue-wide figures from Redis: waiting and running jobs, sessions waiting, finished counters. */
  async snapshot(): Promise<QueueStats> {
    // `delayed`: questions parked until their session has a free slot (session-slots.ts) are still queued.
    const counts = await guard(() => this.queue.getJobCounts('prioritized', 'waiting', 'delayed', 'active'));
    const [sessionsWaiting, finished] = await guard(() =>
      Promise.all([
        this.redis.scard(keys.sessionsWaiting(this.prefix)),
        this.redis.hgetall(keys.stats(this.prefix)),
      ]),
    );
    this.last = {
      ...this.last,
      running: counts.active ?? 0,
      queued: (counts.prioritized ?? 0) + (counts.waiting ?? 0) + (counts.delayed ?? 0),
      sessions_waiting: sessionsWaiting,
      completed: Number(finished.completed ?? 0),
      failed: Number(finished.failed ?? 0),
      cancelled: Number(finished.cancelled ?? 0),
    };
    return this.last;
  }

  private async listen(channel: string, listener: RawListener): Promise<void> {
    if (!this.subscriber) {
      // No ready check: its INFO would be refused once the first SUBSCRIBE is in (ioredis race).
      const subscriber = this.redis.duplicate({ enableReadyCheck: false });
      subscriber.on('error', (error: Error) =>
        this.options.logger?.debug({ err: error }, 'query events subscriber error'),
      );
      subscriber.on('message', (name: string, message: string) => {
        for (const handler of this.channels.get(name) ?? []) handler(message);
      });
      this.subscriber = subscriber;
    }
    let set = this.channels.get(channel);
    if (!set) {
      set = new Set();
      this.channels.set(channel, set);
    }
    set.add(listener);
    if (set.size === 1) {
      try {
        await guard(() => this.subscriber!.subscribe(channel));
      } catch (error) {
        this.unlisten(channel, listener);
        throw error;
      }
    }
  }

  private unlisten(channel: string, listener: RawListener): void {
    const set = this.channels.get(channel);
    if (!set?.delete(listener) || set.size > 0) return;
    this.channels.delete(channel);
    this.subscriber?.unsubscribe(channel).catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const stop of [...this.open]) stop();
    await closeBullmq(this.queue, this.redis);
    const subscriber = this.subscriber;
    this.subscriber = null;
    await closeRedis(subscriber);
  }
}
