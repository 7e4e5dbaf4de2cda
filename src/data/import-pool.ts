/**
 * ImportPool: where the API process sends every write to a session database — imports, drops, recoveries — so that
 * no parser runs and no SQLite write (or lock wait) happens in the process that serves every session (issue 12).
 *
 * Each request runs in a child process (process-pool.ts; import-child.ts) at a lower CPU priority than the API and
 * the query sandbox, with a heap ceiling (--max-old-space-size), a resident-memory ceiling, a CPU budget and a
 * wall-clock limit. A child that breaks one is killed: its import's transaction is then rolled back by a recovery
 * request (a hot journal replayed, leftovers removed) before the caller's lock is released, so the session is
 * exactly as before, and the caller gets `import_limit` (422). The pool replaces the child at once.
 */
import { AppError } from '../errors.js';
import {
  childEntry,
  type JobLimits,
  type PoolStats,
  ProcessPool,
  type StopReason,
  type SubmitOptions,
} from '../process-pool.js';
import type {
  DropAnswer,
  DropRequest,
  FollowAnswer,
  ImportAnswer,
  ImportRequest,
  RecoverAnswer,
  RecoverRequest,
} from './import-protocol.js';

export interface ImportPoolOptions {
  /** Imports running at once (IMPORT_CONCURRENCY). */
  size: number;
  /** Wall-clock limit of one import, and its CPU budget (IMPORT_TIMEOUT). */
  timeoutMs: number;
  /** Memory one import process may use (IMPORT_MEMORY_MB). */
  memoryBytes: number;
  onCrash?: (info: { pid: number; code: number | null; signal: string | null; stderr: string }) => void;
}

/** The child's watchdog gives the parent this much more before killing itself. */
const WATCHDOG_GRACE_MS = 5000;
/** Drops and recoveries rewrite at most the session's pages (VACUUM, rollback): bounded by the quota, not the file. */
const MAINTENANCE_TIMEOUT_MS = 120_000;
/** Below nice 0: a busy import yields the CPU to queries and to the API (issue 12, a 44 s gzip bomb). */
const NICENESS = 10;

/**
 * A following import (issue 14) stops following — rolls back and leaves the upload to a normal import once it is
 * complete — when the upload sends nothing for this long (a slow client must not hold an import process: issue 12)…
 */
const FOLLOW_STALL_MS = 1000;
/** … when it has followed for this long (the same), or as soon as another import waits for a process. */
const FOLLOW_MAX_MS = 30_000;
/** A following import is told how far the file has grown at most once per this many bytes (and at the end). */
const FOLLOW_NOTICE_BYTES = 512 * 1024;

type ImportInput = Omit<ImportRequest, 'id' | 'deadlineMs' | 'follow'>;

/** An import reading an upload while it is spooled (ImportPool.follow). */
export interface FollowingImport {
  /** The import's answer, or null when the follow was abandoned (nothing changed; import the file once complete). */
  readonly done: Promise<ImportAnswer | null>;
  /** The spooled file now holds `bytes` bytes. */
  grown(bytes: number): void;
  /** The upload is complete: `bytes` in all. */
  complete(bytes: number): void;
  /** Stop following (the upload failed, or it is too slow to be worth an import process). */
  abandon(): void;
}

/** Errors of requests whose child was stopped (not answered by it): their database may need a recovery. */
const stopped = new WeakSet<Error>();

function failure(reason: StopReason, limits: JobLimits): Error {
  const error = describeStop(reason, limits);
  stopped.add(error);
  return error;
}

function describeStop(reason: StopReason, limits: JobLimits): Error {
  const seconds = Number((limits.timeoutMs / 1000).toFixed(1));
  const megabytes = Math.round((limits.maxRssBytes ?? 0) / 1048576);
  switch (reason) {
    case 'timeout':
    case 'cpu':
      return new AppError('import_limit', {
        detail: `importing it took longer than ${seconds} s`,
        detail_pt: `a importação levou mais de ${seconds} s`,
      });
    case 'memory':
      return new AppError('import_limit', {
        detail: `importing it needed more than ${megabytes} MB of memory`,
        detail_pt: `a importação precisou de mais de ${megabytes} MB de memória`,
      });
    case 'crash':
      // V8 aborts a process at its heap ceiling: the likely cause, though not the only one (hence "may").
      return new AppError('import_limit', {
        detail: `the import process stopped unexpectedly (it may have needed more than ${megabytes} MB of memory)`,
        detail_pt: `o processo de importação parou inesperadamente (pode ter precisado de mais de ${megabytes} MB de memória)`,
      });
    case 'cancel':
      return new AppError('bad_input', {
        detail: 'the upload was interrupted before it completed',
        detail_pt: 'o envio foi interrompido antes de terminar',
      });
    case 'close':
      return new AppError('store_unavailable');
  }
}

/** How following imports ended (ImportPool.stats). */
export interface FollowStats {
  started: number;
  /** Imported as the upload arrived. */
  imported: number;
  /** Stopped following (stalled, too long, someone waiting, the upload failed): imported afterwards, or not at all. */
  abandoned: number;
  /** Failed on their own (a broken file, the quota): the upload stopped early with that error. */
  failed: number;
}

export class ImportPool {
  private readonly pool: ProcessPool;
  private readonly follows: FollowStats = { started: 0, imported: 0, abandoned: 0, failed: 0 };

  constructor(private readonly options: ImportPoolOptions) {
    // Half the memory for the JS heap: the rest is SQLite's page cache, the CSV thread and buffers, all of which the
    // RSS ceiling counts.
    const heapMb = Math.max(64, Math.floor(options.memoryBytes / 1048576 / 2));
    this.pool = new ProcessPool({
      size: options.size,
      entry: childEntry(import.meta.url, 'import-child'),
      execArgv: [`--max-old-space-size=${heapMb}`],
      niceness: NICENESS,
      failure,
      ...(options.onCrash ? { onCrash: options.onCrash } : {}),
    });
  }

  private get importLimits(): JobLimits {
    return {
      timeoutMs: this.options.timeoutMs,
      maxCpuMs: this.options.timeoutMs,
      maxRssBytes: this.options.memoryBytes,
    };
  }

  /**
   * Imports a spooled upload. On a stop (limits, crash, abort) the database is recovered before this rejects, so the
   * caller may release its lock as soon as it returns. The caller owns (and removes) the spooled file on failure.
   */
  import(request: ImportInput, signal?: AbortSignal): Promise<ImportAnswer> {
    return this.run<ImportAnswer>(request, signal);
  }

  /**
   * Whether an upload arriving now may be followed (ImportPool.follow): only when an import process is free and no
   * other import waits for one, so following never makes anyone wait.
   */
  canFollow(): boolean {
    return this.pool.hasIdleChild();
  }

  /**
   * Imports an upload while it is still being spooled into `request.sourcePath` (issue 14): the caller reports its
   * progress (grown, complete). The follow is abandoned — the child rolls back, `done` resolves null, and the caller
   * imports the complete file with import() — when the upload stalls, takes too long, or another import waits for a
   * process. The wall-clock limit is the import's plus the longest follow, so following never shortens it.
   */
  follow(request: ImportInput, signal?: AbortSignal): FollowingImport {
    const state = {
      bytes: request.sourceBytes,
      noticed: request.sourceBytes,
      complete: false,
      abandoned: false,
    };
    let post: ((message: Record<string, unknown>) => void) | null = null;
    let job = 0;
    const notice = (force: boolean) => {
      if (!post || state.abandoned || (!force && state.bytes - state.noticed < FOLLOW_NOTICE_BYTES)) return;
      state.noticed = state.bytes;
      post({ type: 'grown', job, bytes: state.bytes, complete: state.complete });
    };
    const stopTimers = () => {
      clearTimeout(stall);
      clearTimeout(longest);
    };
    const abandon = () => {
      if (state.abandoned || state.complete) return;
      state.abandoned = true;
      stopTimers();
      post?.({ type: 'abandon', job });
    };
    const stall = setTimeout(abandon, FOLLOW_STALL_MS);
    const longest = setTimeout(abandon, FOLLOW_MAX_MS);
    const done = this.run<FollowAnswer>({ ...request, follow: true }, signal, {
      extraMs: FOLLOW_MAX_MS,
      onDispatch: (send, id) => {
        post = send;
        job = id;
        if (state.abandoned) send({ type: 'abandon', job });
        else notice(true);
      },
    })
      .then(
        (answer) => {
          if ('abandoned' in answer) {
            this.follows.abandoned += 1;
            return null;
          }
          this.follows.imported += 1;
          return answer;
        },
        (error: unknown) => {
          this.follows.failed += 1;
          throw error;
        },
      )
      .finally(stopTimers);
    this.follows.started += 1;
    return {
      done,
      grown: (bytes) => {
        if (state.abandoned || state.complete) return;
        state.bytes = bytes;
        stall.refresh();
        if (this.pool.queued > 0) abandon();
        else notice(false);
      },
      complete: (bytes) => {
        if (state.abandoned || state.complete) return;
        state.bytes = bytes;
        state.complete = true;
        stopTimers();
        notice(true);
      },
      abandon,
    };
  }

  private async run<A>(
    request: ImportInput & { follow?: boolean },
    signal: AbortSignal | undefined,
    follow?: { extraMs: number; onDispatch: NonNullable<SubmitOptions['onDispatch']> },
  ): Promise<A> {
    const limits = this.importLimits;
    const timeoutMs = limits.timeoutMs + (follow?.extraMs ?? 0);
    try {
      const { result } = await this.pool.submit<A>(
        { ...request, deadlineMs: timeoutMs + WATCHDOG_GRACE_MS },
        { limits: { ...limits, timeoutMs }, signal, ...(follow ? { onDispatch: follow.onDispatch } : {}) },
      );
      return result;
    } catch (error) {
      // A child that answered has rolled back itself; a killed one left its transaction to undo.
      if (error instanceof Error && stopped.has(error)) {
        await this.recover({ type: 'recover', dbPath: request.dbPath, tempDir: request.tempDir }).catch(
          () => undefined,
        );
      }
      throw error;
    }
  }

  async drop(request: Omit<DropRequest, 'id' | 'deadlineMs'>): Promise<DropAnswer> {
    const { result } = await this.pool.submit<DropAnswer>(
      { ...request, deadlineMs: MAINTENANCE_TIMEOUT_MS + WATCHDOG_GRACE_MS },
      { limits: { timeoutMs: MAINTENANCE_TIMEOUT_MS, maxRssBytes: this.options.memoryBytes } },
    );
    return result;
  }

  /** Ahead of waiting imports: whoever holds the session's lock is waiting for it. */
  async recover(request: Omit<RecoverRequest, 'id' | 'deadlineMs'>): Promise<RecoverAnswer> {
    const { result } = await this.pool.submit<RecoverAnswer>(
      { ...request, deadlineMs: MAINTENANCE_TIMEOUT_MS + WATCHDOG_GRACE_MS },
      { limits: { timeoutMs: MAINTENANCE_TIMEOUT_MS, maxRssBytes: this.options.memoryBytes }, urgent: true },
    );
    return result;
  }

  /** Starts the children now (serve does at start-up, so the first upload finds one ready). */
  warm(): Promise<void> {
    return this.pool.warm();
  }

  stats(): PoolStats & { follows: FollowStats } {
    return { ...this.pool.stats(), follows: { ...this.follows } };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
