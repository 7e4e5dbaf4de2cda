/**
 * QueryWorker: what `agentgraph worker` runs. A BullMQ Worker takes questions from the `queries` queue,
 * WORKER_CONCURRENCY at a time, and answers each with the same Answerer as embedded mode; every progress event is
 * appended and published in Redis (./keys.ts) for the API process that follows it.
 *
 * - Registries: the ObjectManager (agents under the seed's 9-field cache key, LRU-bounded) and the sandbox
 *   children (open read-only databases, LRU per child) are this process's caches; `session-ended` (Redis pub/sub,
 *   wired in createServices) evicts a session's objects. getCacheStats() is the seed's `get_cache_stats`; it is
 *   published with a heartbeat (./registry.ts).
 * - Crash recovery: a job's lock lasts lockMs and is renewed while it runs. A worker that dies (SIGKILL, OOM,
 *   machine gone) stops renewing; another worker's stalled-job check puts the job back once (maxStalledCount 1)
 *   and it runs again there — never at the same time as the first run, whose lock had expired. If that run dies
 *   too, BullMQ fails the job on the next pick-up and this worker records `worker_lost` in the session folder.
 *   A worker that merely lost its lock (Redis away longer than lockMs) aborts its run, so the retry is alone.
 * - Fair share: a question runs only when its session holds fewer than slotsPerSession(WORKER_CONCURRENCY) slots
 *   across all workers (./session-slots.ts); otherwise its job goes back to BullMQ's delayed set, keeping its
 *   priority, until a released slot wakes it.
 * - Cancellation: a message on the cancel channel aborts the run's AbortController → the sandbox kills the
 *   statement's process, an LLM request is aborted. A flag catches jobs picked up after the message.
 * - close(): takes no new jobs, lets running ones finish (graceful SIGTERM), then leaves the registry.
 * - Redis down at start or restarted: every connection reconnects by itself (ioredis), BullMQ resumes fetching.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { DelayedError, Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Answerer } from '../engine/answerer.js';
import type { QuerySandbox } from '../engine/sandbox/index.js';
import type { QueryEvent, QueryJob, QueryResult } from '../engine/types.js';
import { AppError } from '../errors.js';
import type { ObjectManager } from '../objects.js';
import { closeRedis, createRedis } from '../redis.js';
import type { SessionEvents } from '../sessions/events.js';
import { closeBullmq } from './connecting.js';
import {
  bullPrefix,
  HEARTBEAT_MS,
  keys,
  publishEvent,
  publishEvents,
  QUEUE_NAME,
  releaseWaiting,
  WORKER_TTL_S,
} from './keys.js';
import { type CacheStats, countOpenDatabases, type WorkerReport } from './registry.js';
import { SessionSlots } from './session-slots.js';
import { slotsPerSession } from './types.js';

/** Prefix of agent entries in the ObjectManager (engine/nodes/prepare.ts). */
const AGENT_PREFIX = 'agent|';
export const DEFAULT_LOCK_MS = 15_000;
const STALLED_MESSAGE = /stalled/i;

export interface QueryWorkerOptions {
  redisUrl: string;
  /** Command connection for events and reports (shared with the session store). */
  redis: Redis;
  prefix: string;
  answerer: Answerer;
  objects: ObjectManager;
  sandbox: QuerySandbox;
  events: SessionEvents;
  dataDir: string;
  concurrency: number;
  /** How long a job's lock lasts without renewal: a dead worker's job is taken over after about 1.5× this. */
  lockMs?: number;
  logger: Logger;
}

export class QueryWorker {
  readonly id = `${hostname()}-${process.pid}`;
  private worker: Worker<QueryJob, null> | null = null;
  private connection: Redis | null = null;
  private cancels: Redis | null = null;
  private readonly running = new Map<string, AbortController>();
  private readonly counters = { processed: 0, completed: 0, failed: 0, cancelled: 0, lost: 0 };
  private heartbeat: NodeJS.Timeout | null = null;
  private reportSoon: NodeJS.Timeout | null = null;
  private closing: Promise<void> | null = null;
  private readonly startedAt = Date.now() / 1000;
  private readonly lockMs: number;
  private stopEvents: (() => void) | null = null;
  readonly slots: SessionSlots;

  constructor(private readonly options: QueryWorkerOptions) {
    this.lockMs = options.lockMs ?? DEFAULT_LOCK_MS;
    this.slots = new SessionSlots({
      redis: options.redis,
      prefix: options.prefix,
      limit: slotsPerSession(options.concurrency),
      leaseMs: this.lockMs,
      wake: (queryId) => this.wake(queryId),
      logger: options.logger,
    });
  }

  /** Starts taking jobs; returns at once (connections come up, or keep retrying, in the background). */
  start(): void {
    if (this.worker || this.closing) return;
    const { logger, prefix } = this.options;
    // BullMQ's blocking connections must wait through reconnections instead of failing a command.
    this.connection = createRedis(this.options.redisUrl, { maxRetriesPerRequest: null });
    this.connection.on('error', (error: Error) => logger.debug({ err: error }, 'worker redis error'));
    this.worker = new Worker<QueryJob, null>(QUEUE_NAME, (job, token) => this.process(job, token), {
      connection: this.connection,
      prefix: bullPrefix(prefix),
      concurrency: this.options.concurrency,
      lockDuration: this.lockMs,
      stalledInterval: Math.max(500, Math.round(this.lockMs / 2)),
      maxStalledCount: 1,
      autorun: true,
    });
    this.worker.on('error', (error) => logger.debug({ err: error }, 'bullmq worker error'));
    this.worker.on('failed', (job, error) => {
      if (job) void this.lost(job, error);
    });
    // Our lock is gone (Redis away too long): another worker may take the job over, so stop ours.
    this.worker.on('lockRenewalFailed', (jobIds: string[]) => {
      for (const id of jobIds) {
        logger.warn({ query_id: id }, 'lost the lock of a running question; stopping it');
        this.running.get(id)?.abort(new AppError('worker_lost'));
      }
    });

    this.cancels = createRedis(this.options.redisUrl, {
      maxRetriesPerRequest: null,
      enableReadyCheck: false,
    });
    this.cancels.on('error', (error: Error) => logger.debug({ err: error }, 'cancel subscriber error'));
    const channel = keys.cancelChannel(prefix);
    this.cancels.on('message', (name: string, queryId: string) => {
      if (name !== channel) return;
      const controller = this.running.get(queryId);
      if (controller && !controller.signal.aborted) {
        logger.info({ query_id: queryId }, 'cancelling a running question');
        controller.abort(new AppError('query_cancelled'));
      }
    });
    this.cancels
      .subscribe(channel)
      .catch((error) => logger.warn({ err: error }, 'cancel subscription failed'));

    this.stopEvents = this.options.events.onEnded(() => this.scheduleReport());
    this.heartbeat = setInterval(() => void this.report(), HEARTBEAT_MS);
    this.heartbeat.unref();
    void this.report();
    logger.info(
      { worker_id: this.id, concurrency: this.options.concurrency, lock_ms: this.lockMs },
      'worker started',
    );
  }

  private async process(bjob: Job<QueryJob, null>, token: string | undefined): Promise<null> {
    const job = bjob.data;
    const { redis, prefix, answerer, logger } = this.options;
    // Sent together: one round trip before the question starts (or goes back to wait for its session's turn).
    const [taken, flagged] = await Promise.all([
      this.slots.take(job),
      redis.exists(keys.cancelFlag(prefix, job.query_id)).catch(() => 0),
    ]);
    if (!taken && !flagged) {
      await bjob.moveToDelayed(Date.now() + this.lockMs, token);
      if (await this.slots.park(job).catch(() => false)) await this.wake(job.query_id);
      throw new DelayedError();
    }
    const controller = new AbortController();
    this.running.set(job.query_id, controller);
    if (bjob.stalledCounter > 0) {
      logger.warn({ query_id: job.query_id }, 'running a question again: its first worker was lost');
    }
    // Events go out in batches, one per turn of the event loop: a built-in answer's ~18 events cost two or three
    // Redis calls instead of 18; `done` goes at once, after what came before it. One connection keeps the order,
    // and the answer never waits for Redis (events are progress, not results).
    let batch: QueryEvent[] = [];
    let lastPublish: Promise<unknown> = Promise.resolve();
    const flush = () => {
      if (batch.length === 0) return;
      const events = batch;
      batch = [];
      lastPublish = publishEvents(redis, prefix, events, this.id).catch((error) =>
        logger.debug({ err: error, query_id: job.query_id }, 'could not publish progress events'),
      );
    };
    const emit = (event: QueryEvent) => {
      batch.push(event);
      if (event.type === 'done') flush();
      else if (batch.length === 1) setImmediate(flush);
    };
    try {
      await releaseWaiting(redis, prefix, job.query_id, job.session_id).catch(() => undefined);
      let result: QueryResult;
      if (flagged) {
        result = (await answerer.cancelledBeforeStart(job)).result;
        emit({ type: 'done', query_id: job.query_id, result, at: Date.now() / 1000 });
      } else {
        result = (await answerer.answer(job, emit, controller.signal)).result;
      }
      await lastPublish;
      this.counters.processed += 1;
      if (result.status === 'done') this.counters.completed += 1;
      else if (result.status === 'cancelled') this.counters.cancelled += 1;
      else this.counters.failed += 1;
      return null;
    } finally {
      // After `done` went out (awaited above): whoever sees the next question of this session start has seen
      // this one end.
      await this.slots.release(job.session_id, job.query_id);
      this.running.delete(job.query_id);
      this.scheduleReport();
    }
  }

  /** Puts a parked job back in the queue (priority kept); false when there is no parked job of that id. */
  private async wake(queryId: string): Promise<boolean> {
    if (!this.worker) return false;
    const bjob = await Job.fromId<QueryJob, null>(this.worker, queryId);
    if (!bjob) return false;
    try {
      await bjob.promote();
      return true;
    } catch {
      // Not delayed any more: already back in the queue or running (it takes a slot or parks again) — or over.
      const state = await bjob.getState();
      return state !== 'completed' && state !== 'failed' && state !== 'unknown';
    }
  }

  /**
   * BullMQ failed the job without (or after) our processor: its workers died twice (stalled beyond the limit),
   * or the processor threw. Either way the question must end with a result the API can show.
   */
  private async lost(bjob: Job<QueryJob, null>, error: Error): Promise<void> {
    const job = bjob.data;
    const { redis, prefix, answerer, logger } = this.options;
    const stalled = STALLED_MESSAGE.test(error.message);
    logger.warn({ query_id: job.query_id, reason: error.message }, 'a question failed in the queue');
    try {
      await releaseWaiting(redis, prefix, job.query_id, job.session_id).catch(() => undefined);
      // The lease its dead worker held: give it back now rather than when it lapses.
      await this.slots.release(job.session_id, job.query_id);
      const appError = stalled
        ? new AppError('worker_lost')
        : new AppError('internal', { request_id: job.query_id });
      const { result } = await answerer.failedWithoutAnswer(job, appError);
      await publishEvent(
        redis,
        prefix,
        { type: 'done', query_id: job.query_id, result, at: Date.now() / 1000 },
        this.id,
      );
      this.counters.lost += 1;
    } catch (failure) {
      logger.error({ err: failure, query_id: job.query_id }, 'could not record a lost question');
    }
  }

  /** The seed's `get_cache_stats` for this worker. */
  async getCacheStats(): Promise<CacheStats> {
    const { objects, sandbox, dataDir } = this.options;
    const stats = objects.stats();
    let agents = 0;
    for (const sessionId of Object.keys(stats.per_session)) {
      for (const key of objects.keysOf(sessionId)) if (key.startsWith(AGENT_PREFIX)) agents += 1;
    }
    return {
      sessions: stats.sessions,
      agents,
      databases: await countOpenDatabases(sandbox.stats().pids, join(dataDir, 'sessions')),
      hits: stats.hits,
      misses: stats.misses,
      evictions: stats.evictions,
      objects: stats.objects,
      max_objects: stats.max_objects,
    };
  }

  async snapshot(): Promise<WorkerReport> {
    const sandbox = this.options.sandbox.stats();
    const memory = process.memoryUsage();
    return {
      worker_id: this.id,
      hostname: hostname(),
      pid: process.pid,
      started_at: this.startedAt,
      at: Date.now() / 1000,
      concurrency: this.options.concurrency,
      running: this.running.size,
      running_queries: [...this.running.keys()],
      ...this.counters,
      cache: await this.getCacheStats(),
      sandbox: {
        children: sandbox.children,
        busy: sandbox.busy,
        runs: sandbox.runs,
        timeouts: sandbox.timeouts,
        cancellations: sandbox.cancellations,
        crashes: sandbox.crashes,
      },
      rss_bytes: memory.rss,
      heap_used_bytes: memory.heapUsed,
      closing: this.closing !== null,
    };
  }

  /** Writes this worker's report (heartbeat); a failure (Redis away) waits for the next beat. */
  async report(): Promise<void> {
    const { redis, prefix, logger } = this.options;
    try {
      const report = await this.snapshot();
      await redis
        .multi()
        .set(keys.worker(prefix, this.id), JSON.stringify(report), 'EX', WORKER_TTL_S)
        .zadd(keys.workers(prefix), Date.now(), this.id)
        .exec();
    } catch (error) {
      logger.debug({ err: error }, 'could not write the worker report');
    }
  }

  private scheduleReport(): void {
    if (this.reportSoon || this.closing) return;
    this.reportSoon = setTimeout(() => {
      this.reportSoon = null;
      void this.report();
    }, 50);
    this.reportSoon.unref();
  }

  /** Graceful stop: no new jobs, running ones finish, then the connections close. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const { redis, prefix, logger } = this.options;
      if (this.heartbeat) clearInterval(this.heartbeat);
      if (this.reportSoon) clearTimeout(this.reportSoon);
      this.stopEvents?.();
      if (this.worker) {
        logger.info({ running: this.running.size }, 'worker stopping: finishing running questions');
        // With Redis away, the report (and leaving the registry below) would only wait out a reconnection each;
        // the report expires by itself (WORKER_TTL_S).
        if (redis.status === 'ready') await this.report();
        await closeBullmq(this.worker, this.connection);
      }
      this.slots.close();
      await closeRedis(this.cancels);
      if (redis.status === 'ready') {
        await redis
          .multi()
          .del(keys.worker(prefix, this.id))
          .zrem(keys.workers(prefix), this.id)
          .exec()
          .catch(() => undefined);
      }
      await closeRedis(this.connection);
    })();
    return this.closing;
  }
}
