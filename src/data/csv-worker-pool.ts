/**
 * CsvWorkerPool: the parse threads of CSV imports (csv-worker.ts), kept warm between imports.
 *
 * Starting a worker thread (a V8 isolate, then loading the parser's modules) took 100–160 ms on the benchmark
 * machine, ~8 % of a 1,000,000-row import, spent before the first row is parsed. So one idle worker is kept: an
 * import takes it (or starts a new one when it is taken), and gives it back when it ends cleanly. A worker whose
 * import failed or was aborted is terminated, never reused: it may be in the middle of a chunk. `serve` warms the
 * pool at start-up, so even the first upload finds a worker ready, and from then on a worker terminated after a
 * failed import is replaced at once, so the upload after a failed one does not wait either. (An idle worker that
 * dies on its own is not replaced until the next import: a worker that cannot start must not be restarted in a loop.)
 *
 * An idle worker is unref'd: it never keeps a process alive.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FromWorker } from './worker-protocol.js';

/** A small young generation keeps the worker's share of the peak RSS low (its garbage is short-lived). */
const LIMITS = { maxYoungGenerationSizeMb: 8 };

export interface CsvWorker {
  readonly thread: Worker;
  /** Resolves once the worker's modules have loaded (its `ready` message), or once it has exited. */
  readonly ready: Promise<void>;
  loaded: boolean;
  exited: boolean;
}

/** The ESM entry of tsx's register API (its CommonJS twin cannot register ESM hooks from a worker). */
function tsxApi(from: string): string {
  const pkgFile = createRequire(from).resolve('tsx/package.json');
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as {
    exports: Record<string, { import?: string | { default?: string } }>;
  };
  const entry = pkg.exports['./esm/api']?.import;
  const rel = typeof entry === 'string' ? entry : (entry?.default ?? './dist/esm/api/index.mjs');
  return pathToFileURL(path.join(path.dirname(pkgFile), rel)).href;
}

/**
 * The process's execArgv minus what a worker must not get: `--import tsx` / `--loader tsx` / `--require tsx` (in any
 * spelling; the worker registers tsx itself) and V8 heap sizes, which a worker refuses (it has resourceLimits; an
 * import child runs with --max-old-space-size).
 */
function workerExecArgv(args: readonly string[], fromSource: boolean): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (/^--max-(old|semi)-space-size/.test(a)) continue;
    if (!fromSource) out.push(a);
    else if (/^--(import|loader|experimental-loader|require)$/.test(a) && args[i + 1]?.includes('tsx')) i++;
    else if (!(a.startsWith('--') && a.includes('=') && a.includes('tsx'))) out.push(a);
  }
  return out;
}

function startThread(): Worker {
  const self = import.meta.url;
  if (self.endsWith('.ts')) {
    // Running from source (tsx, vitest): the worker registers tsx itself, then loads the TypeScript file. A tsx
    // given to the parent with `--import tsx` is not passed on: one registration (and loader thread) is enough.
    const tsx = tsxApi(self);
    const entry = new URL('./csv-worker.ts', self).href;
    const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
    return new Worker(code, {
      eval: true,
      execArgv: workerExecArgv(process.execArgv, true),
      resourceLimits: LIMITS,
    });
  }
  return new Worker(new URL('./csv-worker.js', self), {
    execArgv: workerExecArgv(process.execArgv, false),
    resourceLimits: LIMITS,
  });
}

export class CsvWorkerPool {
  private idle: CsvWorker | null = null;
  /** Every worker not yet exited: the idle one, those of running imports, those being terminated. */
  private readonly live = new Set<CsvWorker>();
  private started = 0;
  /** Set by warm(): keep an idle worker at all times (replace one that was terminated). */
  private keepWarm = false;

  /** A worker for one import: the idle one when there is one, else a new one. Give it back with release/discard. */
  acquire(): CsvWorker {
    const w = this.idle ?? this.spawn();
    this.idle = null;
    w.thread.ref();
    return w;
  }

  /** After an import that ended cleanly: the worker becomes the idle one (or ends, if there already is one). */
  release(w: CsvWorker): void {
    if (w.exited) return;
    if (this.idle === null) {
      w.thread.unref();
      this.idle = w;
    } else void this.discard(w);
  }

  /**
   * Terminates a worker. Terminating a worker while tsx's loader (running from source) holds it in a synchronous
   * wait can hang, so a worker still loading is terminated as soon as it has loaded; the promise resolves then.
   */
  discard(w: CsvWorker): Promise<void> {
    if (this.idle === w) this.idle = null;
    else if (this.keepWarm && this.idle === null) void this.warm();
    return w.ready
      .then(() => w.thread.terminate())
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => this.live.delete(w));
  }

  /** Starts the idle worker now, if there is none, and keeps one from now on; resolves once it is ready. */
  warm(): Promise<void> {
    this.keepWarm = true;
    if (this.idle === null) {
      const w = this.spawn();
      this.idle = w;
      // Referenced until ready, so that awaiting this keeps the process alive; idle from then on.
      void w.ready.then(() => {
        if (this.idle === w) w.thread.unref();
      });
    }
    return this.idle.ready;
  }

  /** Ends the idle worker and stops keeping one (imports still running keep theirs until they end). */
  async close(): Promise<void> {
    this.keepWarm = false;
    if (this.idle) await this.discard(this.idle);
  }

  /** Workers in use by imports or being terminated (not the idle one), and workers started so far. */
  stats(): { busy: number; idle: number; started: number } {
    const idle = this.idle ? 1 : 0;
    return { busy: this.live.size - idle, idle, started: this.started };
  }

  private spawn(): CsvWorker {
    const thread = startThread();
    this.started++;
    let loaded!: () => void;
    const ready = new Promise<void>((resolve) => {
      loaded = resolve;
    });
    const w: CsvWorker = { thread, ready, loaded: false, exited: false };
    thread.on('message', (m: FromWorker) => {
      if (m.t !== 'ready') return;
      w.loaded = true;
      loaded();
    });
    // The import using the worker reports its errors; an idle worker that fails just exits (handled below).
    thread.on('error', () => undefined);
    thread.once('exit', () => {
      w.exited = true;
      loaded();
      this.live.delete(w);
      if (this.idle === w) this.idle = null;
    });
    this.live.add(w);
    return w;
  }
}

/** The process's pool (imports of every session share it). */
export const csvWorkers = new CsvWorkerPool();
