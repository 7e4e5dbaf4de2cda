/**
 * SessionSlots: scaled mode's fair share of the running slots (issue 12, finding 7: one session's 30 slow
 * questions held every slot and another session's simple question waited 11.7 s). A session runs at most
 * slotsPerSession(WORKER_CONCURRENCY) questions at once across all workers together.
 *
 * - The count lives in Redis ({P}session-running:{sid}) as leases scored by expiry on Redis's clock, taken and
 *   released by Lua scripts (./keys.ts), so workers on any machine agree and check-and-take is atomic.
 * - A worker renews its leases every leaseMs / 3 while the questions run. A worker that dies stops renewing: its
 *   leases lapse after leaseMs and the next script drops them, so a dead worker cannot hold a slot for ever.
 *   leaseMs is the BullMQ lock duration: the question itself is taken over after about 1.5× that, and its retry
 *   takes over its own lease (same query id) if it is still there.
 * - A job that finds its session at its share goes back to BullMQ (moveToDelayed + DelayedError, keeping its
 *   priority) and is parked in {P}session-parked:{sid}; each released slot wakes the oldest parked job of that
 *   session (promote), so nothing polls. Its delay, leaseMs, is only the safety net for a holder that died.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { QueryJob } from '../engine/types.js';
import { keys, META_TTL_S, scripts } from './keys.js';
import { MAX_PENDING_PER_SESSION } from './types.js';

export interface SessionSlotsOptions {
  redis: Redis;
  prefix: string;
  /** Questions one session may run at once, across all workers (slotsPerSession). */
  limit: number;
  leaseMs: number;
  /** Puts a parked job back in the queue now; false when it is gone (cancelled, finished), so another is woken. */
  wake: (queryId: string) => Promise<boolean>;
  logger: Logger;
}

export class SessionSlots {
  /** Queries this worker holds a lease for → their session. */
  private readonly held = new Map<string, string>();
  private readonly renewer: NodeJS.Timeout;

  constructor(private readonly options: SessionSlotsOptions) {
    this.renewer = setInterval(() => void this.renew(), Math.max(100, Math.round(options.leaseMs / 3)));
    this.renewer.unref();
  }

  private sessionKeys(sessionId: string): [string, string] {
    const { prefix } = this.options;
    return [keys.sessionRunning(prefix, sessionId), keys.sessionParked(prefix, sessionId)];
  }

  /** Whether the question may run now; when true, this worker holds its lease until release(). */
  async take(job: QueryJob): Promise<boolean> {
    const { redis, limit, leaseMs, logger } = this.options;
    try {
      const taken = await scripts(redis).takeSlot(
        ...this.sessionKeys(job.session_id),
        job.query_id,
        limit,
        leaseMs,
      );
      if (Number(taken) !== 1) return false;
    } catch (error) {
      // Redis away: BullMQ cannot even finish the job without it; answering beats failing over a missing count.
      logger.debug({ err: error, query_id: job.query_id }, 'could not take a session slot; running anyway');
    }
    this.held.set(job.query_id, job.session_id);
    return true;
  }

  /**
   * Parks a question whose job was just moved to BullMQ's delayed set. Returns true when a slot came free since
   * take() refused it: the caller wakes the job itself (a release in between found nothing parked to wake).
   */
  async park(job: QueryJob): Promise<boolean> {
    const { redis, limit } = this.options;
    const free = await scripts(redis).park(
      ...this.sessionKeys(job.session_id),
      job.query_id,
      limit,
      job.submitted_at,
      META_TTL_S,
    );
    return Number(free) === 1;
  }

  /** Gives the lease back (if any: '' wakes only) and wakes parked questions of the session. Never throws. */
  async release(sessionId: string, queryId: string): Promise<void> {
    const { wake, logger } = this.options;
    this.held.delete(queryId);
    try {
      let ids = await this.releaseSlot(sessionId, queryId);
      // A parked id whose job is gone (cancelled meanwhile) wakes nobody: hand its turn to the next one.
      for (let round = 0; ids.length > 0 && round < MAX_PENDING_PER_SESSION; round++) {
        const woken = await Promise.all(ids.map((id) => wake(id)));
        if (woken.every(Boolean)) return;
        ids = await this.releaseSlot(sessionId, '');
      }
    } catch (error) {
      // Parked questions still wake on their own delay; the lease lapses by itself.
      logger.debug({ err: error, query_id: queryId }, 'could not release a session slot');
    }
  }

  private async releaseSlot(sessionId: string, queryId: string): Promise<string[]> {
    const { redis, limit } = this.options;
    return (await scripts(redis).releaseSlot(...this.sessionKeys(sessionId), queryId, limit)) as string[];
  }

  private async renew(): Promise<void> {
    if (this.held.size === 0) return;
    const held = [...this.held];
    try {
      await scripts(this.options.redis).renewSlots(
        held.length,
        ...held.map(([, sessionId]) => keys.sessionRunning(this.options.prefix, sessionId)),
        this.options.leaseMs,
        ...held.map(([queryId]) => queryId),
      );
    } catch (error) {
      this.options.logger.debug({ err: error }, 'could not renew session slot leases');
    }
  }

  /** Query ids this worker holds a lease for (reports, tests). */
  heldQueries(): string[] {
    return [...this.held.keys()];
  }

  close(): void {
    clearInterval(this.renewer);
  }
}
