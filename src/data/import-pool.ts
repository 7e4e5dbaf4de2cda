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
import { childEntry, type JobLimits, type PoolStats, ProcessPool, type StopReason } from '../process-pool.js';
import type {
  DropAnswer,
  DropRequest,
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

export class ImportPool {
  private readonly pool: ProcessPool;

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
  async import(
    request: Omit<ImportRequest, 'id' | 'deadlineMs'>,
    signal?: AbortSignal,
  ): Promise<ImportAnswer> {
    const limits = this.importLimits;
    try {
      const { result } = await this.pool.submit<ImportAnswer>(
        { ...request, deadlineMs: limits.timeoutMs + WATCHDOG_GRACE_MS },
        { limits, signal },
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

  stats(): PoolStats {
    return this.pool.stats();
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
