/**
 * InlineQueue: the embedded-mode QueryQueue. Runs WORKER_CONCURRENCY questions at once in this process.
 *
 * Fairness: each session has its own FIFO, and free slots go round-robin over the sessions that have something
 * waiting, so a session that queued 50 questions delays another session's question by at most one turn. A session
 * runs at most slotsPerSession(WORKER_CONCURRENCY) questions at once (issue 12): its other questions wait even
 * when slots are free, so a slot is always left for the next session's question.
 * Cancel: a queued question is removed; a running one is aborted, which stops its statement in the sandbox (the
 * child process running it is killed) or its LLM request.
 * Finished questions stay in memory (fast polling, SSE replay) for RETAIN_MS, as their kept form (cut to
 * MAX_KEPT_RESULT_BYTES) and within a byte budget for all of them, oldest evicted first; after that they are read
 * from the session folder (QueryLog), where the Answerer keeps every result.
 */
import type { Logger } from 'pino';
import type { Answerer, Finished } from '../engine/answerer.js';
import { keepResult } from '../engine/kept-result.js';
import type { QueryLog } from '../engine/query-log.js';
import { pendingResult, type QueryEvent, type QueryJob, type QueryResult } from '../engine/types.js';
import { AppError } from '../errors.js';
import { replayFinished } from './finished.js';
import {
  type CancelOutcome,
  MAX_PENDING_PER_SESSION,
  type QueryQueue,
  type QueueStats,
  slotsPerSession,
} from './types.js';

const RETAIN_MS = 5 * 60_000;
/**
 * Bytes of finished results this process keeps for polling and SSE replay: 64 kept results at their largest
 * (1 MiB each), thousands of ordinary ones. Past it the oldest go first and are read back from the session folder.
 * (Issue 12: with no bound, the API went from 167 MB to 4 GB keeping 5 min of 24 MB results.)
 */
export const DEFAULT_RETAIN_BYTES = 64 * 1024 * 1024;
/** Counted per retained question besides its result: its progress events, job and bookkeeping. */
const ENTRY_OVERHEAD_BYTES = 4096;

export interface InlineQueueOptions {
  logger?: Logger;
  /** Byte budget of retained finished results (DEFAULT_RETAIN_BYTES). */
  retainBytes?: number;
}

interface Entry {
  job: QueryJob;
  result: QueryResult;
  events: QueryEvent[];
  listeners: Set<(event: QueryEvent) => void>;
  controller: AbortController;
  finished: Promise<QueryResult>;
  resolve: (result: QueryResult) => void;
}

interface Retained {
  bytes: number;
  timer: NodeJS.Timeout;
}

export class InlineQueue implements QueryQueue {
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, QueryJob[]>();
  /** Sessions with waiting jobs, in round-robin order. */
  private readonly ring: string[] = [];
  private running = 0;
  /** Running questions per session (sessions with none are absent). */
  private readonly runningBySession = new Map<string, number>();
  private readonly perSession: number;
  private closed = false;
  private readonly counters = { completed: 0, failed: 0, cancelled: 0 };
  /** Finished entries still in memory, oldest first (Map order), with what each costs. */
  private readonly retained = new Map<string, Retained>();
  private retainedBytes = 0;
  private readonly retainBytes: number;
  private readonly logger: Logger | undefined;
  /** Finished questions whose result is still being written (the Answerer writes after `done`): close() waits. */
  private readonly recording = new Set<Promise<void>>();

  constructor(
    private readonly answerer: Answerer,
    private readonly log: QueryLog,
    private readonly concurrency: number,
    options: InlineQueueOptions = {},
  ) {
    this.perSession = slotsPerSession(concurrency);
    this.retainBytes = options.retainBytes ?? DEFAULT_RETAIN_BYTES;
    this.logger = options.logger;
  }

  async submit(job: QueryJob): Promise<void> {
    if (this.closed) throw new AppError('store_unavailable');
    const waiting = this.pending.get(job.session_id) ?? [];
    if (waiting.length >= MAX_PENDING_PER_SESSION) {
      throw new AppError('too_many_queries', { limit: MAX_PENDING_PER_SESSION });
    }
    let resolve!: (result: QueryResult) => void;
    const finished = new Promise<QueryResult>((r) => {
      resolve = r;
    });
    const entry: Entry = {
      job,
      result: pendingResult(job, 'queued', job.lang ?? 'en', job.model ?? ''),
      events: [],
      listeners: new Set(),
      controller: new AbortController(),
      finished,
      resolve,
    };
    this.entries.set(job.query_id, entry);
    this.emit(entry, { type: 'status', query_id: job.query_id, status: 'queued', at: Date.now() / 1000 });
    waiting.push(job);
    this.pending.set(job.session_id, waiting);
    if (waiting.length === 1) this.ring.push(job.session_id);
    this.pump();
  }

  private pump(): void {
    while (this.running < this.concurrency) {
      // The first session in turn that is below its share; the ones at it keep their place in the ring.
      const turn = this.ring.findIndex((id) => (this.runningBySession.get(id) ?? 0) < this.perSession);
      if (turn === -1) return;
      const sessionId = this.ring.splice(turn, 1)[0]!;
      const waiting = this.pending.get(sessionId)!;
      const job = waiting.shift()!;
      if (waiting.length > 0) this.ring.push(sessionId);
      else this.pending.delete(sessionId);
      this.start(job);
    }
  }

  private start(job: QueryJob): void {
    const entry = this.entries.get(job.query_id)!;
    const sessionId = job.session_id;
    this.running += 1;
    this.runningBySession.set(sessionId, (this.runningBySession.get(sessionId) ?? 0) + 1);
    entry.result = { ...entry.result, status: 'running' };
    this.answerer
      .answer(job, (event) => this.emit(entry, event), entry.controller.signal)
      .then(
        (finished) => this.finish(entry, finished),
        (error: unknown) => {
          // Answerer turns every failure into a result; reaching here is a bug, but the caller must still hear.
          this.logger?.error({ err: error, query_id: job.query_id }, 'answerer threw');
          const result = pendingResult(job, 'failed', entry.result.lang, entry.result.model);
          result.error = { code: 'internal', message: 'internal error' };
          this.finish(entry, { result, kept: keepResult(result), recorded: Promise.resolve() });
        },
      )
      .finally(() => {
        this.running -= 1;
        const left = this.runningBySession.get(sessionId)! - 1;
        if (left > 0) this.runningBySession.set(sessionId, left);
        else this.runningBySession.delete(sessionId);
        this.pump();
      });
  }

  private emit(entry: Entry, event: QueryEvent): void {
    if (event.type === 'status') entry.result = { ...entry.result, status: event.status };
    entry.events.push(event);
    for (const listener of entry.listeners) listener(event);
  }

  /**
   * Whoever listens or waits now gets the result as answered, once; from then on the entry holds only the kept
   * form (rows cut to MAX_KEPT_RESULT_BYTES), counted against the retention budget.
   */
  private finish(entry: Entry, { result, kept, recorded }: Finished): void {
    this.recording.add(recorded);
    void recorded.finally(() => this.recording.delete(recorded));
    const at = Date.now() / 1000;
    if (entry.events.at(-1)?.type !== 'done') {
      this.emit(entry, { type: 'done', query_id: result.query_id, result, at });
    }
    const done = entry.events.at(-1) as Extract<QueryEvent, { type: 'done' }>;
    entry.events[entry.events.length - 1] = { ...done, result: kept.result };
    entry.result = kept.result;
    if (result.status === 'done') this.counters.completed += 1;
    else if (result.status === 'cancelled') this.counters.cancelled += 1;
    else this.counters.failed += 1;
    entry.listeners.clear();
    entry.resolve(result);
    entry.finished = Promise.resolve(kept.result);
    this.retain(result.query_id, kept.bytes + ENTRY_OVERHEAD_BYTES);
  }

  private retain(queryId: string, bytes: number): void {
    const timer = setTimeout(() => this.forget(queryId), RETAIN_MS);
    timer.unref();
    this.retained.set(queryId, { bytes, timer });
    this.retainedBytes += bytes;
    for (const oldest of this.retained.keys()) {
      if (this.retainedBytes <= this.retainBytes) break;
      this.forget(oldest);
    }
  }

  /** Drops a finished entry from memory; its result stays readable from the session folder. */
  private forget(queryId: string): void {
    const retained = this.retained.get(queryId);
    if (!retained) return;
    clearTimeout(retained.timer);
    this.retained.delete(queryId);
    this.retainedBytes -= retained.bytes;
    this.entries.delete(queryId);
  }

  private own(sessionId: string, queryId: string): Entry | null {
    const entry = this.entries.get(queryId);
    return entry && entry.job.session_id === sessionId ? entry : null;
  }

  async get(sessionId: string, queryId: string): Promise<QueryResult | null> {
    return this.own(sessionId, queryId)?.result ?? (await this.log.load(sessionId, queryId));
  }

  async wait(sessionId: string, queryId: string, signal?: AbortSignal): Promise<QueryResult> {
    const entry = this.own(sessionId, queryId);
    if (!entry) {
      const stored = await this.log.load(sessionId, queryId);
      if (!stored) throw new AppError('not_found', { what: `query ${queryId}` });
      return stored;
    }
    if (!signal) return entry.finished;
    return new Promise<QueryResult>((resolve, reject) => {
      const onAbort = () => reject(new AppError('query_cancelled'));
      signal.addEventListener('abort', onAbort, { once: true });
      entry.finished.then(resolve).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  async subscribe(sessionId: string, queryId: string, listener: (event: QueryEvent) => void) {
    const entry = this.own(sessionId, queryId);
    if (!entry) return replayFinished(this.log, sessionId, queryId, listener);
    for (const event of entry.events) listener(event);
    if (entry.events.at(-1)?.type === 'done') return () => {};
    entry.listeners.add(listener);
    return () => {
      entry.listeners.delete(listener);
    };
  }

  async cancel(sessionId: string, queryId: string): Promise<CancelOutcome> {
    const entry = this.own(sessionId, queryId);
    if (!entry) return (await this.log.load(sessionId, queryId)) ? 'finished' : 'not_found';
    if (entry.events.at(-1)?.type === 'done') return 'finished';
    const waiting = this.pending.get(sessionId);
    const index = waiting?.findIndex((job) => job.query_id === queryId) ?? -1;
    if (waiting && index !== -1) {
      waiting.splice(index, 1);
      if (waiting.length === 0) {
        this.pending.delete(sessionId);
        this.ring.splice(this.ring.indexOf(sessionId), 1);
      }
      this.finish(entry, await this.answerer.cancelledBeforeStart(entry.job));
      return 'cancelled';
    }
    entry.controller.abort(new AppError('query_cancelled'));
    return 'stopping';
  }

  stats(): QueueStats {
    let queued = 0;
    for (const jobs of this.pending.values()) queued += jobs.length;
    return {
      kind: 'inline',
      concurrency: this.concurrency,
      running_per_session: this.perSession,
      running: this.running,
      queued,
      sessions_waiting: this.pending.size,
      retained_results: this.retained.size,
      retained_bytes: this.retainedBytes,
      ...this.counters,
    };
  }

  /** Stops taking work, cancels what waits and what runs, and waits for running questions to wind down. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const open = [...this.entries.values()].filter((entry) => entry.events.at(-1)?.type !== 'done');
    for (const entry of open) await this.cancel(entry.job.session_id, entry.job.query_id);
    await Promise.all(open.map((entry) => entry.finished));
    await Promise.all(this.recording);
    for (const queryId of [...this.retained.keys()]) this.forget(queryId);
  }
}
