/**
 * QuerySandbox: runs guarded SQL in a small pool of child processes, so a statement can really be stopped.
 *
 * Why processes: better-sqlite3 runs a statement inside sqlite3_step and exposes neither sqlite3_interrupt nor a
 * progress handler; a worker thread stuck there cannot be terminated (measured: Worker.terminate() never resolves,
 * CPU stays at 100%). A child process can always be SIGKILLed. Cost: ~0.16 ms of IPC per query, ~90 ms to spawn a
 * replacement, paid only after a timeout, a cancel or a crash.
 *
 * - One request per child at a time; requests wait in a FIFO queue when all children are busy. A free child that
 *   last served the same database is preferred (its handle is already open).
 * - Timeout / abort → SIGKILL the child, reject once it has exited (so when the caller sees query_timeout the CPU
 *   is already free), and spawn a replacement right away so the next query finds a warm child.
 * - A child that dies on its own fails its request with sandbox_crashed and is replaced the same way.
 * - Children start lazily, on the first queries (or `warm()`), so a CLI one-shot that never queries forks nothing.
 * - Child handles are unref'd while the pool is idle: a forgotten sandbox does not keep the process alive, and its
 *   children exit on their own when the parent goes (IPC disconnect, plus the child's watchdog).
 */
import { type ChildProcess, fork } from 'node:child_process';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { AppError } from '../../errors.js';
import { checkSql } from '../sql-guard.js';
import type { ChildMessage, ChildOptions, ParentMessage, RunRequest, RunResult } from './protocol.js';

export interface SandboxOptions {
  /** Child processes (queries running at once). */
  size: number;
  /** Default wall-clock limit of one statement (QUERY_TIMEOUT_MS). */
  timeoutMs: number;
  /** Default row cap (MAX_RESULT_ROWS); one more row is read to know whether the result was truncated. */
  maxRows: number;
  /** Open read-only handles each child keeps (LRU). Default 16. */
  maxOpenDbsPerChild?: number;
  /** Cap on the rows' estimated JSON size inside the row cap. Default 64 MiB. */
  maxResultBytes?: number;
  /** Told about child deaths that were not ours (crashes), with the tail of the child's stderr. */
  onCrash?: (info: { pid: number; code: number | null; signal: string | null; stderr: string }) => void;
}

export interface RunOptions {
  timeoutMs?: number;
  maxRows?: number;
  signal?: AbortSignal;
  params?: unknown[];
}

export interface SandboxResult {
  columns: string[];
  rows: unknown[][];
  row_count: number;
  truncated: boolean;
  /** From handing the statement to a child until its rows came back (queue wait excluded). */
  elapsed_ms: number;
  /** The SQL that ran: trimmed of comments around it and of the trailing `;`, double-quoted literals repaired. */
  sql: string;
  /** Double-quoted tokens rewritten to string literals, e.g. ['"Seattle"'] (empty when none). */
  rewrites: string[];
}

export interface SandboxCheck {
  sql: string;
  columns: string[];
  rewrites: string[];
}

export interface SandboxStats {
  size: number;
  children: number;
  ready: number;
  busy: number;
  queued: number;
  pids: number[];
  runs: number;
  timeouts: number;
  cancellations: number;
  crashes: number;
  spawns: number;
  closed: boolean;
}

interface Job {
  request: RunRequest;
  timeoutMs: number;
  signal: AbortSignal | undefined;
  resolve: (result: RunResult & { elapsed_ms: number }) => void;
  reject: (error: unknown) => void;
  slot?: Slot;
  startedAt?: number;
  timer?: NodeJS.Timeout;
  killedFor?: 'timeout' | 'cancel' | 'close';
  onAbort?: () => void;
  settled: boolean;
}

interface Slot {
  child: ChildProcess;
  pid: number;
  ready: boolean;
  job: Job | null;
  lastDb: string | null;
  stderr: string;
  exited: Promise<void>;
}

/** Extra time the child's own watchdog gives the parent before killing itself. */
const WATCHDOG_GRACE_MS = 2000;
/** If a killed child's exit is not reported by then, the request is failed anyway. */
const EXIT_WAIT_MS = 2000;
const STDERR_TAIL = 4096;

/**
 * The child entry next to this module: child.js in dist/, child.ts from source (tsx, vitest), where the child
 * needs tsx as its loader too.
 */
function childEntry(): { file: string; execArgv: string[] } {
  const fromSource = import.meta.url.endsWith('.ts');
  const file = fileURLToPath(new URL(fromSource ? './child.ts' : './child.js', import.meta.url));
  return { file, execArgv: fromSource ? ['--import', 'tsx'] : [] };
}

export class QuerySandbox {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private readonly childOptions: ChildOptions;
  private readonly entry = childEntry();
  private nextId = 1;
  private closing: Promise<void> | null = null;
  private counters = { runs: 0, timeouts: 0, cancellations: 0, crashes: 0, spawns: 0 };
  private readyWaiters: Array<() => void> = [];
  /** warm() calls in progress: they too must keep the event loop alive until the children are ready. */
  private warming = 0;
  /** Children killed for a timeout or cancel whose exit has not been seen yet: close() waits for them too. */
  private readonly dying = new Set<Promise<void>>();

  constructor(private readonly options: SandboxOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) throw new RangeError('size must be ≥ 1');
    this.childOptions = {
      maxOpenDbs: options.maxOpenDbsPerChild ?? 16,
      maxResultBytes: options.maxResultBytes ?? 64 * 1024 * 1024,
    };
  }

  /** Runs one read-only statement on the SQLite file at dbPath. Rejects with an AppError. */
  async run(dbPath: string, sql: string, options: RunOptions = {}): Promise<SandboxResult> {
    const result = await this.submit(dbPath, sql, options, false);
    return {
      columns: result.columns,
      rows: result.rows,
      row_count: result.row_count,
      truncated: result.truncated,
      elapsed_ms: result.elapsed_ms,
      sql: result.sql,
      rewrites: result.rewrites,
    };
  }

  /** Guards and prepares without running: what the engine's check_sql tool needs. */
  async check(dbPath: string, sql: string, options: Pick<RunOptions, 'signal'> = {}): Promise<SandboxCheck> {
    const result = await this.submit(dbPath, sql, options, true);
    return { sql: result.sql, columns: result.columns, rewrites: result.rewrites };
  }

  /**
   * Closes every child's handle on this database (its session ended): an open handle would keep a deleted file's
   * space in use until the handle's LRU turn came. A child running a statement closes it right after.
   */
  forget(dbPath: string): void {
    const message: ParentMessage = { type: 'forget', dbPath };
    for (const slot of this.slots) {
      if (slot.lastDb === dbPath) slot.lastDb = null;
      // A send on a channel that just closed reports through the child's 'error' listener.
      if (slot.ready && slot.child.connected) slot.child.send(message);
    }
  }

  /** Starts every child now and resolves when all are ready (server start-up, benchmarks, tests). */
  async warm(): Promise<void> {
    if (this.closing) return;
    while (this.slots.length < this.options.size) this.spawn();
    this.warming += 1;
    this.refresh();
    try {
      while (this.slots.some((s) => !s.ready) && !this.closing) {
        await new Promise<void>((resolve) => this.readyWaiters.push(resolve));
      }
    } finally {
      this.warming -= 1;
      this.refresh();
    }
  }

  stats(): SandboxStats {
    return {
      size: this.options.size,
      children: this.slots.length,
      ready: this.slots.filter((s) => s.ready).length,
      busy: this.slots.filter((s) => s.job).length,
      queued: this.queue.length,
      pids: this.slots.map((s) => s.pid),
      ...this.counters,
      closed: this.closing !== null,
    };
  }

  /** Kills every child; queued and running requests fail with query_cancelled. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const job of this.queue.splice(0)) this.settle(job, new AppError('query_cancelled'));
      const exits = this.slots.map((slot) => {
        if (slot.job) slot.job.killedFor = 'close';
        slot.child.ref(); // so the process waits for the exit we await
        slot.child.kill('SIGKILL');
        return slot.exited;
      });
      this.slots.length = 0;
      await Promise.all([...exits, ...this.dying]);
      for (const wake of this.readyWaiters.splice(0)) wake();
    })();
    return this.closing;
  }

  private submit(
    dbPath: string,
    sql: string,
    options: RunOptions,
    checkOnly: boolean,
  ): Promise<RunResult & { elapsed_ms: number }> {
    if (this.closing) return Promise.reject(new AppError('query_cancelled'));
    if (options.signal?.aborted) return Promise.reject(new AppError('query_cancelled'));
    // Static rules in the parent: an obviously unsafe statement never occupies a child.
    let checked: string;
    try {
      checked = checkSql(sql).sql;
    } catch (error) {
      return Promise.reject(error);
    }
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs;
    return new Promise((resolve, reject) => {
      const job: Job = {
        request: {
          type: 'run',
          id: this.nextId++,
          dbPath,
          sql: checked,
          maxRows: Math.max(0, options.maxRows ?? this.options.maxRows),
          params: options.params ?? [],
          deadlineMs: timeoutMs + WATCHDOG_GRACE_MS,
          checkOnly,
        },
        timeoutMs,
        signal: options.signal,
        resolve,
        reject,
        settled: false,
      };
      if (job.signal) {
        job.onAbort = () => this.cancel(job);
        job.signal.addEventListener('abort', job.onAbort, { once: true });
      }
      this.queue.push(job);
      this.pump();
    });
  }

  private cancel(job: Job): void {
    if (job.settled) return;
    const queued = this.queue.indexOf(job);
    if (queued !== -1) {
      this.queue.splice(queued, 1);
      this.counters.cancellations += 1;
      this.settle(job, new AppError('query_cancelled'));
      this.refresh();
    } else if (job.slot) {
      this.kill(job.slot, 'cancel');
    }
  }

  /** Hands queued jobs to ready, idle children; starts children while below size. */
  private pump(): void {
    while (this.queue.length > 0) {
      const idle = this.slots.filter((s) => s.ready && !s.job);
      if (idle.length === 0) break;
      const job = this.queue.shift()!;
      const slot = idle.find((s) => s.lastDb === job.request.dbPath) ?? idle[0]!;
      this.dispatch(slot, job);
    }
    const starting = this.slots.filter((s) => !s.ready).length;
    while (!this.closing && this.slots.length < this.options.size && this.queue.length > starting) {
      this.spawn();
    }
    this.refresh();
  }

  private dispatch(slot: Slot, job: Job): void {
    slot.job = job;
    job.slot = slot;
    job.startedAt = performance.now();
    job.timer = setTimeout(() => this.kill(slot, 'timeout'), job.timeoutMs);
    this.counters.runs += 1;
    slot.child.send(job.request);
  }

  private kill(slot: Slot, reason: 'timeout' | 'cancel'): void {
    const job = slot.job;
    if (!job || job.killedFor) return;
    job.killedFor = reason;
    if (reason === 'timeout') this.counters.timeouts += 1;
    else this.counters.cancellations += 1;
    this.retire(slot);
    this.dying.add(slot.exited);
    void slot.exited.then(() => this.dying.delete(slot.exited));
    slot.child.kill('SIGKILL');
    // The request fails on 'exit' (CPU already free); this only covers an exit that is never reported.
    setTimeout(() => this.fail(job), EXIT_WAIT_MS).unref();
    this.replace();
  }

  private fail(job: Job): void {
    if (job.settled) return;
    if (job.killedFor === 'timeout') {
      this.settle(job, new AppError('query_timeout', { limit_ms: job.timeoutMs }));
    } else if (job.killedFor) {
      this.settle(job, new AppError('query_cancelled'));
    } else {
      this.settle(job, new AppError('sandbox_crashed'));
    }
  }

  private settle(job: Job, outcome: Error | (RunResult & { elapsed_ms: number })): void {
    if (job.settled) return;
    job.settled = true;
    if (job.timer) clearTimeout(job.timer);
    if (job.onAbort) job.signal?.removeEventListener('abort', job.onAbort);
    if (outcome instanceof Error) job.reject(outcome);
    else job.resolve(outcome);
  }

  /** Removes a slot from the pool (it is being killed or has died). */
  private retire(slot: Slot): void {
    const index = this.slots.indexOf(slot);
    if (index !== -1) this.slots.splice(index, 1);
  }

  /** Keeps the pool at the size it had: a warm spare replaces a killed or crashed child. */
  private replace(): void {
    if (!this.closing && this.slots.length < this.options.size) this.spawn();
    this.pump();
  }

  private spawn(): void {
    this.counters.spawns += 1;
    const child = fork(this.entry.file, [JSON.stringify(this.childOptions)], {
      execArgv: this.entry.execArgv,
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let exited!: () => void;
    const slot: Slot = {
      child,
      pid: child.pid ?? -1,
      ready: false,
      job: null,
      lastDb: null,
      stderr: '',
      exited: new Promise<void>((resolve) => {
        exited = resolve;
      }),
    };
    this.slots.push(slot);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      slot.stderr = (slot.stderr + chunk).slice(-STDERR_TAIL);
    });
    child.on('message', (message: ChildMessage) => this.onMessage(slot, message));
    child.on('error', () => {
      // spawn failure or a send on a dead channel; 'exit' (or its absence) is handled below.
      if (child.pid === undefined) this.onExit(slot, null, null, exited);
    });
    child.on('exit', (code, signal) => this.onExit(slot, code, signal, exited));
  }

  private onMessage(slot: Slot, message: ChildMessage): void {
    if (message.type === 'ready') {
      slot.ready = true;
      for (const wake of this.readyWaiters.splice(0)) wake();
      this.pump();
      return;
    }
    const job = slot.job;
    if (!job || job.request.id !== message.id || job.killedFor) return;
    const elapsed = performance.now() - (job.startedAt ?? performance.now());
    slot.job = null;
    slot.lastDb = job.request.dbPath;
    if (message.type === 'result') {
      this.settle(job, { ...message.result, elapsed_ms: Math.round(elapsed * 1000) / 1000 });
    } else {
      this.settle(job, new AppError(message.code, message.params));
    }
    this.pump();
  }

  private onExit(slot: Slot, code: number | null, signal: string | null, exited: () => void): void {
    const wasLive = this.slots.includes(slot);
    this.retire(slot);
    exited();
    const job = slot.job;
    slot.job = null;
    if (job) this.fail(job);
    if (!wasLive || this.closing) {
      this.pump();
      return;
    }
    // Not killed by us: a crash.
    this.counters.crashes += 1;
    this.options.onCrash?.({ pid: slot.pid, code, signal, stderr: slot.stderr });
    if (slot.ready) {
      this.replace();
    } else {
      // Died before it could start (bad install, missing loader): do not respawn in a loop. Fail the waiting
      // requests that no child will take; the next run() tries again.
      const waiting = this.queue.length - this.slots.filter((s) => !s.ready).length;
      for (const dropped of this.queue.splice(0, Math.max(0, waiting)))
        this.settle(dropped, new AppError('sandbox_crashed'));
      for (const wake of this.readyWaiters.splice(0)) wake();
      this.pump();
    }
  }

  /** Children keep the event loop alive only while there is work for them. */
  private refresh(): void {
    const busy = this.warming > 0 || this.queue.length > 0 || this.slots.some((s) => s.job);
    for (const slot of this.slots) {
      const stderr = slot.child.stderr as Socket | null;
      if (busy) {
        slot.child.ref();
        slot.child.channel?.ref();
        stderr?.ref();
      } else {
        slot.child.unref();
        slot.child.channel?.unref();
        stderr?.unref();
      }
    }
  }
}
