/**
 * CleanupService: removes expired sessions (entry, IP slot, folder, live objects everywhere) and orphan folders.
 *
 * - Expired sessions come from the store's expiry index in batches (claimExpired), so a run's cost grows with the
 *   number of *expired* sessions, not with all sessions.
 * - Orphan folders (a folder under sessions/ with no store entry: a crash between steps, a store wiped by hand)
 *   need a directory listing, which does grow with all sessions; that sweep runs on start-up, on every manual run
 *   and every `orphanEvery`-th scheduled run. A folder younger than the grace period is never touched, so a session
 *   being created right now is safe.
 * - Never two runs at once, also across processes: the run holds a lock in the store.
 */
import type { Logger } from 'pino';
import type { SessionManager } from './manager.js';
import { SessionPaths } from './paths.js';
import type { CleanupReport } from './store.js';

export interface CleanupOptions {
  intervalSeconds: number;
  /** A folder without a store entry is removed only when older than this (ms). */
  orphanGraceMs?: number;
  /** Scheduled runs sweep orphans every N runs (the first run always does). */
  orphanEvery?: number;
  batchSize?: number;
  /** Name of this process in reports (host:pid). */
  owner?: string;
}

export interface CleanupRunResult extends CleanupReport {
  skipped: boolean;
}

export interface CleanupStats {
  running: boolean;
  runs: number;
  skipped_runs: number;
  total_expired_removed: number;
  total_orphans_removed: number;
  total_errors: number;
  last_run: CleanupReport | null;
  interval_seconds: number;
}

const LOCK_NAME = 'cleanup';
const LOCK_TTL_MS = 5 * 60_000;

export class CleanupService {
  private timer: NodeJS.Timeout | null = null;
  private current: Promise<CleanupRunResult> | null = null;
  private scheduledRuns = 0;
  private counters = { runs: 0, skipped_runs: 0, expired: 0, orphans: 0, errors: 0 };
  private lastRun: CleanupReport | null = null;
  private readonly orphanGraceMs: number;
  private readonly orphanEvery: number;
  private readonly batchSize: number;
  private readonly owner: string;

  constructor(
    private readonly sessions: SessionManager,
    private readonly options: CleanupOptions,
    private readonly logger?: Logger,
  ) {
    this.orphanGraceMs = options.orphanGraceMs ?? 10 * 60_000;
    this.orphanEvery = options.orphanEvery ?? 12;
    this.batchSize = options.batchSize ?? 500;
    this.owner = options.owner ?? `pid ${process.pid}`;
  }

  start(): void {
    if (this.timer) return;
    const tick = () => {
      const orphans = this.scheduledRuns % this.orphanEvery === 0;
      this.scheduledRuns += 1;
      this.run({ orphans }).catch((error) => this.logger?.error({ err: error }, 'cleanup run failed'));
    };
    this.timer = setInterval(tick, this.options.intervalSeconds * 1000);
    this.timer.unref();
    tick();
  }

  /** Stops the schedule and waits for a run in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.current?.catch(() => undefined);
  }

  /** One run now. Concurrent callers in this process share the run in progress. */
  run(options: { orphans?: boolean } = {}): Promise<CleanupRunResult> {
    this.current ??= this.perform(options.orphans ?? true).finally(() => {
      this.current = null;
    });
    return this.current;
  }

  /** The body of a run, callable directly in tests. */
  async perform(sweepOrphans: boolean): Promise<CleanupRunResult> {
    const started = performance.now();
    const report: CleanupRunResult = {
      started_at: Date.now() / 1000,
      duration_ms: 0,
      purge_ms: 0,
      expired_removed: 0,
      orphans_removed: 0,
      orphan_scan: sweepOrphans,
      errors: [],
      by: this.owner,
      skipped: false,
    };
    const store = this.sessions.store;
    const token = await store.acquireLock(LOCK_NAME, LOCK_TTL_MS);
    if (!token) {
      this.counters.skipped_runs += 1;
      return { ...report, skipped: true };
    }
    try {
      for (;;) {
        const batch = await store.claimExpired(this.batchSize);
        if (batch.length === 0) break;
        report.errors.push(...(await this.sessions.endSessions(batch, 'expired')));
        report.expired_removed += batch.length;
        if (batch.length < this.batchSize) break;
      }
      if (sweepOrphans) report.orphans_removed = await this.sweepOrphans(report.errors);
    } catch (error) {
      report.errors.push((error as Error).message);
    } finally {
      await store.releaseLock(LOCK_NAME, token).catch(() => undefined);
    }
    report.duration_ms = performance.now() - started;
    const purgeStarted = performance.now();
    await this.sessions.paths
      .purgeTrash()
      .catch((error: Error) => report.errors.push(`purge: ${error.message}`));
    report.purge_ms = performance.now() - purgeStarted;
    this.record(report);
    await store.saveCleanupReport(report).catch(() => undefined);
    return report;
  }

  private async sweepOrphans(errors: string[]): Promise<number> {
    const paths = this.sessions.paths;
    const cutoff = Date.now() - this.orphanGraceMs;
    // Ask the store first (one indexed lookup per chunk), then stat only the few unknown names for their age.
    const names = await paths.listSessionDirs();
    const known = await this.sessions.store.existing(names.filter((name) => SessionPaths.isValidId(name)));
    const unknown = names.filter((name) => !known.has(name));
    const ages = await Promise.all(unknown.map((name) => paths.entryMtimeMs(name)));
    const orphans = unknown.filter((_, i) => ages[i] !== null && ages[i]! < cutoff);
    // A session folder's objects may still be cached somewhere: end it the normal way. Anything else that is not
    // a session folder has no business under sessions/ and just goes.
    const ids = orphans.filter((name) => SessionPaths.isValidId(name));
    for (const name of orphans.filter((name) => !SessionPaths.isValidId(name))) {
      try {
        await paths.removeEntry(name);
      } catch (error) {
        errors.push(`orphan ${name}: ${(error as Error).message}`);
      }
    }
    const sessions = ids.map((session_id) => ({ session_id, client_ip: '' }));
    errors.push(...(await this.sessions.endSessions(sessions, 'orphan')));
    return orphans.length;
  }

  private record(report: CleanupReport): void {
    this.counters.runs += 1;
    this.counters.expired += report.expired_removed;
    this.counters.orphans += report.orphans_removed;
    this.counters.errors += report.errors.length;
    this.lastRun = report;
    if (report.errors.length) this.logger?.warn({ errors: report.errors }, 'cleanup finished with errors');
    else if (report.expired_removed || report.orphans_removed) {
      this.logger?.info(
        { expired: report.expired_removed, orphans: report.orphans_removed, ms: report.duration_ms },
        'cleanup removed sessions',
      );
    }
  }

  /** This process's counters plus the last run by any process (from the store). */
  async stats(): Promise<CleanupStats> {
    const lastStored = await this.sessions.store.lastCleanupReport().catch(() => null);
    const last = [this.lastRun, lastStored]
      .filter((r): r is CleanupReport => r !== null)
      .sort((a, b) => b.started_at - a.started_at)[0];
    return {
      running: this.current !== null,
      runs: this.counters.runs,
      skipped_runs: this.counters.skipped_runs,
      total_expired_removed: this.counters.expired,
      total_orphans_removed: this.counters.orphans,
      total_errors: this.counters.errors,
      last_run: last ?? null,
      interval_seconds: this.options.intervalSeconds,
    };
  }
}
