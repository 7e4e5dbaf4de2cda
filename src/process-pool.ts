/**
 * ProcessPool: a small pool of forked child processes, one request at a time each, where any request can always be
 * stopped — by SIGKILL of the child running it. Two pools are built on it: the SQL sandbox (engine/sandbox, whose
 * statements run inside better-sqlite3's native sqlite3_step, where no thread can be interrupted) and the import
 * pool (data/import-pool.ts, whose parsers must not take the API process down with them: issue 12).
 *
 * - Requests wait in a FIFO queue when every child is busy. A free child whose last request had the same `affinity`
 *   (the sandbox: the same database, whose handle it keeps open) is preferred.
 * - A request ends when its child answers, or when the child is killed: its time limit passed, its `signal` aborted,
 *   its memory (RSS) or CPU budget was used up (`limits`, read from /proc every POLL_MS), or the pool closed. It is
 *   rejected only once the child has exited, so a caller that sees the error knows the CPU and memory are free.
 *   A replacement is spawned at once, so the next request finds a warm child.
 * - A child that dies on its own fails its request (reason `crash`) and is replaced the same way; one that dies
 *   before it was ready is not respawned in a loop: the requests no child will take fail instead.
 * - Children start lazily (first request, or `warm()`), and their handles are unref'd while the pool is idle, so a
 *   forgotten pool never keeps the process alive; children exit by themselves when the parent goes (child-side:
 *   IPC disconnect, plus the watchdog of child-watchdog.ts).
 *
 * Child protocol (advanced serialization): the child sends {type:'ready', pid} once loaded, then for each request
 * (an object with a numeric `id`) one {type:'result', id, result} or {type:'error', id, code, params}, where
 * code/params make an AppError. Anything else the parent sends (no `id` expected back) is the caller's business.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import { AppError, type ErrorCode } from './errors.js';

/** Why a request did not get its child's answer. */
export type StopReason = 'timeout' | 'cancel' | 'close' | 'memory' | 'cpu' | 'crash';

export interface ChildEntry {
  file: string;
  execArgv: string[];
}

/**
 * The child script `name` next to `moduleUrl`: `name.js` in dist/, `name.ts` from source (tsx, vitest), where the
 * child needs tsx as its loader too.
 */
export function childEntry(moduleUrl: string, name: string): ChildEntry {
  const fromSource = moduleUrl.endsWith('.ts');
  const file = fileURLToPath(new URL(`./${name}.${fromSource ? 'ts' : 'js'}`, moduleUrl));
  return { file, execArgv: fromSource ? ['--import', 'tsx'] : [] };
}

export interface JobLimits {
  /** Wall-clock limit from dispatch to answer. */
  timeoutMs: number;
  /** Resident memory of the child (all its threads). */
  maxRssBytes?: number;
  /** CPU time the child may spend on this request (user + system, all threads). */
  maxCpuMs?: number;
}

export interface PoolOptions {
  /** Children (requests running at once). */
  size: number;
  entry: ChildEntry;
  /** argv[2…] of every child. */
  args?: string[];
  /** Extra Node flags (e.g. --max-old-space-size) after the loader's. */
  execArgv?: string[];
  /** Scheduling priority of the children (os.setPriority; 0 normal, 19 lowest). */
  niceness?: number;
  /** The error a request gets when it was stopped. */
  failure: (reason: StopReason, limits: JobLimits) => Error;
  /** Told about child deaths that were not ours (crashes), with the tail of the child's stderr. */
  onCrash?: (info: { pid: number; code: number | null; signal: string | null; stderr: string }) => void;
}

export interface SubmitOptions {
  limits: JobLimits;
  signal?: AbortSignal | undefined;
  affinity?: string;
  /** Goes ahead of the queue (a recovery that a waiting caller's lock depends on). */
  urgent?: boolean;
  /**
   * Called when a child takes the request, with a function that sends further messages to that child while the
   * request runs (an import that follows an upload as it arrives is told how far the file has grown).
   */
  onDispatch?: (send: (message: Record<string, unknown>) => void, id: number) => void;
}

export interface PoolStats {
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
  /** Requests stopped for using more memory or CPU than their limits. */
  overruns: number;
  spawns: number;
  closed: boolean;
}

type ChildMessage =
  | { type: 'ready'; pid: number }
  | { type: 'result'; id: number; result: unknown }
  | { type: 'error'; id: number; code: ErrorCode; params: Record<string, string | number> };

interface Job {
  message: Record<string, unknown> & { id: number };
  limits: JobLimits;
  signal: AbortSignal | undefined;
  affinity: string | undefined;
  onDispatch: SubmitOptions['onDispatch'];
  resolve: (value: { result: unknown; elapsed_ms: number }) => void;
  reject: (error: unknown) => void;
  slot?: Slot;
  startedAt?: number;
  cpuAtStart?: number;
  timer?: NodeJS.Timeout;
  monitor?: NodeJS.Timeout;
  stoppedFor?: StopReason;
  onAbort?: () => void;
  settled: boolean;
}

interface Slot {
  child: ChildProcess;
  pid: number;
  ready: boolean;
  job: Job | null;
  affinity: string | null;
  stderr: string;
  exited: Promise<void>;
}

/** If a killed child's exit is not reported by then, its request is failed anyway. */
const EXIT_WAIT_MS = 2000;
const STDERR_TAIL = 4096;
/** How often a request with memory or CPU limits has its child measured. */
const POLL_MS = 100;
/** Linux reports CPU times in clock ticks of 1/100 s (USER_HZ) on every platform Node supports. */
const TICK_MS = 10;

/** utime + stime of a process in ms, and its resident set in bytes; null when /proc cannot tell (not Linux). */
export function processUsage(pid: number): { cpuMs: number; rssBytes: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuMs = (Number(fields[11]) + Number(fields[12])) * TICK_MS;
    const rssPages = Number(fields[21]);
    return { cpuMs, rssBytes: rssPages * 4096 };
  } catch {
    return null;
  }
}

export class ProcessPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closing: Promise<void> | null = null;
  private counters = { runs: 0, timeouts: 0, cancellations: 0, crashes: 0, overruns: 0, spawns: 0 };
  private readyWaiters: Array<() => void> = [];
  /** warm() calls in progress: they too must keep the event loop alive until the children are ready. */
  private warming = 0;
  /** Children killed for a stop whose exit has not been seen yet: close() waits for them too. */
  private readonly dying = new Set<Promise<void>>();

  constructor(private readonly options: PoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) throw new RangeError('size must be ≥ 1');
  }

  /** Sends `message` (plus an `id`) to a free child; resolves with the child's result. Rejects with an Error. */
  submit<R>(
    message: Record<string, unknown>,
    options: SubmitOptions,
  ): Promise<{ result: R; elapsed_ms: number }> {
    const failure = this.options.failure;
    if (this.closing) return Promise.reject(failure('close', options.limits));
    if (options.signal?.aborted) return Promise.reject(failure('cancel', options.limits));
    return new Promise((resolve, reject) => {
      const job: Job = {
        message: { ...message, id: this.nextId++ },
        limits: options.limits,
        signal: options.signal,
        affinity: options.affinity,
        onDispatch: options.onDispatch,
        resolve: resolve as Job['resolve'],
        reject,
        settled: false,
      };
      if (job.signal) {
        job.onAbort = () => this.cancel(job);
        job.signal.addEventListener('abort', job.onAbort, { once: true });
      }
      if (options.urgent) this.queue.unshift(job);
      else this.queue.push(job);
      this.pump();
    });
  }

  /** Sends a message that expects no answer to every ready child (e.g. "close your handle on this file"). */
  broadcast(message: Record<string, unknown>, forgetAffinity?: string): void {
    for (const slot of this.slots) {
      if (forgetAffinity !== undefined && slot.affinity === forgetAffinity) slot.affinity = null;
      // A send on a channel that just closed reports through the child's 'error' listener.
      if (slot.ready && slot.child.connected) slot.child.send(message);
    }
  }

  /** Whether a request submitted now would start at once, with nobody waiting for a child. */
  hasIdleChild(): boolean {
    return !this.closing && this.queue.length === 0 && this.slots.some((s) => s.ready && !s.job);
  }

  /** Requests waiting for a child. */
  get queued(): number {
    return this.queue.length;
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

  stats(): PoolStats {
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

  /** Kills every child; queued and running requests fail with the `close` failure. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const job of this.queue.splice(0)) this.settle(job, this.options.failure('close', job.limits));
      const exits = this.slots.map((slot) => {
        if (slot.job) slot.job.stoppedFor = 'close';
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

  private cancel(job: Job): void {
    if (job.settled) return;
    const queued = this.queue.indexOf(job);
    if (queued !== -1) {
      this.queue.splice(queued, 1);
      this.counters.cancellations += 1;
      this.settle(job, this.options.failure('cancel', job.limits));
      this.refresh();
    } else if (job.slot) {
      this.stop(job.slot, 'cancel');
    }
  }

  /** Hands queued jobs to ready, idle children; starts children while below size. */
  private pump(): void {
    while (this.queue.length > 0) {
      const idle = this.slots.filter((s) => s.ready && !s.job);
      if (idle.length === 0) break;
      const job = this.queue.shift()!;
      const slot = idle.find((s) => job.affinity !== undefined && s.affinity === job.affinity) ?? idle[0]!;
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
    job.timer = setTimeout(() => this.stop(slot, 'timeout'), job.limits.timeoutMs);
    const { maxRssBytes, maxCpuMs } = job.limits;
    if (maxRssBytes !== undefined || maxCpuMs !== undefined) {
      job.cpuAtStart = processUsage(slot.pid)?.cpuMs ?? 0;
      job.monitor = setInterval(() => {
        const usage = processUsage(slot.pid);
        if (!usage || slot.job !== job) return;
        if (maxRssBytes !== undefined && usage.rssBytes > maxRssBytes) this.stop(slot, 'memory');
        else if (maxCpuMs !== undefined && usage.cpuMs - job.cpuAtStart! > maxCpuMs) this.stop(slot, 'cpu');
      }, POLL_MS);
    }
    this.counters.runs += 1;
    slot.child.send(job.message);
    job.onDispatch?.((message) => {
      if (slot.job === job && !job.stoppedFor && slot.child.connected) slot.child.send(message);
    }, job.message.id);
  }

  /** Kills the child running a request; the request fails once the child has exited. */
  private stop(slot: Slot, reason: Exclude<StopReason, 'crash' | 'close'>): void {
    const job = slot.job;
    if (!job || job.stoppedFor) return;
    job.stoppedFor = reason;
    if (reason === 'timeout') this.counters.timeouts += 1;
    else if (reason === 'cancel') this.counters.cancellations += 1;
    else this.counters.overruns += 1;
    this.clearTimers(job);
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
    this.settle(job, this.options.failure(job.stoppedFor ?? 'crash', job.limits));
  }

  private clearTimers(job: Job): void {
    if (job.timer) clearTimeout(job.timer);
    if (job.monitor) clearInterval(job.monitor);
  }

  private settle(job: Job, outcome: Error | { result: unknown; elapsed_ms: number }): void {
    if (job.settled) return;
    job.settled = true;
    this.clearTimers(job);
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
    const { entry } = this.options;
    const child = fork(entry.file, this.options.args ?? [], {
      execArgv: [...entry.execArgv, ...(this.options.execArgv ?? [])],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    if (this.options.niceness && child.pid !== undefined) {
      try {
        setPriority(child.pid, this.options.niceness);
      } catch {
        // Not permitted here (some containers): the child runs at normal priority.
      }
    }
    let exited!: () => void;
    const slot: Slot = {
      child,
      pid: child.pid ?? -1,
      ready: false,
      job: null,
      affinity: null,
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
    if (message?.type === 'ready') {
      slot.ready = true;
      for (const wake of this.readyWaiters.splice(0)) wake();
      this.pump();
      return;
    }
    const job = slot.job;
    if (!job || job.message.id !== message.id || job.stoppedFor) return;
    const elapsed = performance.now() - (job.startedAt ?? performance.now());
    slot.job = null;
    slot.affinity = job.affinity ?? null;
    if (message.type === 'result') {
      this.settle(job, { result: message.result, elapsed_ms: Math.round(elapsed * 1000) / 1000 });
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
      // requests that no child will take; the next submit() tries again.
      const waiting = this.queue.length - this.slots.filter((s) => !s.ready).length;
      for (const dropped of this.queue.splice(0, Math.max(0, waiting)))
        this.settle(dropped, this.options.failure('crash', dropped.limits));
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
