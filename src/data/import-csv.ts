/**
 * CSV/TSV import, main-thread side. Files bigger than the sniffed head are parsed in a worker thread
 * (csv-worker.ts): it decodes, parses and classifies chunk k+1 while this thread inserts the rows of chunk k, so
 * the two halves of the work overlap on two cores. Small files run the same CsvRows code in-process (a worker's
 * start-up would cost more than it saves).
 *
 * Flow control: at most MAX_IN_FLIGHT chunks are handed to the worker and not yet inserted, so memory stays
 * bounded whatever the file size. The quota is checked per chunk read and per chunk inserted; an abort signal,
 * a quota breach or an error on either side terminates the worker before the error propagates (no thread
 * outlives its import), and errors raised in the worker come back as the same AppError.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type CsvOutcome, CsvRows } from './csv-rows.js';
import {
  type Chunk,
  type ImportContext,
  type ImportTarget,
  interrupted,
  newTable,
  type TableEntry,
} from './import-context.js';
import type { Segment } from './row-builder.js';
import { deserializeError, type FromWorker } from './worker-protocol.js';

/** Bytes per message to the worker (upload chunks are coalesced up to this). */
const POST_BYTES = 64 * 1024;
/**
 * Chunks handed to the worker whose rows are not inserted yet (4 MB): bounds memory. This thread posts only between
 * inserts, so too few leave the worker waiting for input: 8 cost ~150 ms per 1,000,000 rows; 16 measured even with
 * 64 on 2026-11-24 but 5–6 % slower on 2026-11-29 (docs/benchmarks-ingest.md); 128 gained nothing more.
 */
const MAX_IN_FLIGHT = 64;
/** … while the worker is still starting (slow under tsx): the upload is read on, so a client gone is noticed. */
const MAX_IN_FLIGHT_STARTING = 128;

/** For tests: force the worker on or off ('auto': only for input bigger than the sniffed head). */
export const csvWorkerMode: { mode: 'auto' | 'always' | 'never' } = { mode: 'auto' };

/** A small young generation keeps the worker's share of the peak RSS low (its garbage is short-lived). */
const LIMITS = { maxYoungGenerationSizeMb: 8 };

const liveWorkers = new Set<Worker>();

/** Worker threads of CSV imports currently alive in this process (tests check that none leaks). */
export function liveCsvWorkers(): number {
  return liveWorkers.size;
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

/** execArgv without `--import tsx` / `--loader tsx` / `--require tsx` (in any spelling). */
function withoutTsx(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (/^--(import|loader|experimental-loader|require)$/.test(a) && args[i + 1]?.includes('tsx')) i++;
    else if (!(a.startsWith('--') && a.includes('=') && a.includes('tsx'))) out.push(a);
  }
  return out;
}

function spawnWorker(fileName: string): Worker {
  const self = import.meta.url;
  let worker: Worker;
  if (self.endsWith('.ts')) {
    // Running from source (tsx, vitest): the worker registers tsx itself, then loads the TypeScript file. A tsx
    // given to the parent with `--import tsx` is not passed on: one registration (and loader thread) is enough.
    const tsx = tsxApi(self);
    const entry = new URL('./csv-worker.ts', self).href;
    const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
    worker = new Worker(code, {
      eval: true,
      workerData: { fileName },
      execArgv: withoutTsx(process.execArgv),
      resourceLimits: LIMITS,
    });
  } else {
    worker = new Worker(new URL('./csv-worker.js', self), {
      workerData: { fileName },
      resourceLimits: LIMITS,
    });
  }
  liveWorkers.add(worker);
  return worker;
}

export interface CsvImported {
  outcome: CsvOutcome;
  table: TableEntry;
}

export function importCsv(
  ctx: ImportContext,
  t: ImportTarget,
  bytes: AsyncIterable<Chunk>,
  small: boolean,
): Promise<CsvImported> {
  const threaded = csvWorkerMode.mode === 'always' || (csvWorkerMode.mode === 'auto' && !small);
  return threaded ? importThreaded(ctx, t, bytes) : importInProcess(ctx, t, bytes);
}

function label(ctx: ImportContext): string {
  return path.basename(ctx.opts.fileName);
}

async function importInProcess(
  ctx: ImportContext,
  t: ImportTarget,
  bytes: AsyncIterable<Chunk>,
): Promise<CsvImported> {
  let table: TableEntry | null = null;
  const rows = new CsvRows(ctx.opts.fileName, {
    start: (labels) => {
      table = newTable(t, ctx, labels, label(ctx));
    },
    segment: (seg) => table!.writer.write(seg),
  });
  for await (const chunk of bytes) {
    rows.feed(chunk);
    ctx.checkQuota();
  }
  const outcome = rows.end();
  return { outcome, table: table! };
}

async function importThreaded(
  ctx: ImportContext,
  t: ImportTarget,
  bytes: AsyncIterable<Chunk>,
): Promise<CsvImported> {
  const worker = spawnWorker(ctx.opts.fileName);
  const st: {
    table: TableEntry | null;
    outcome: CsvOutcome | null;
    failure: { error: unknown } | null;
    inFlight: number;
    wake: (() => void) | null;
  } = { table: null, outcome: null, failure: null, inFlight: 0, wake: null };
  const notify = () => {
    const w = st.wake;
    st.wake = null;
    w?.();
  };
  const fail = (error: unknown) => {
    st.failure ??= { error };
    notify();
  };
  const insert = (segments: Segment[]) => {
    for (const seg of segments) st.table!.writer.write(seg);
    ctx.checkQuota();
  };
  let isLoaded = false;
  let loaded!: () => void;
  const ready = new Promise<void>((resolve) => {
    loaded = () => {
      isLoaded = true;
      resolve();
    };
  });
  worker.on('message', (m: FromWorker) => {
    if (m.t === 'ready') return loaded();
    if (st.failure) return;
    try {
      if (m.t === 'start') st.table = newTable(t, ctx, m.labels, label(ctx));
      else if (m.t === 'rows') {
        insert(m.segments);
        st.inFlight--;
      } else if (m.t === 'end') {
        insert(m.segments);
        st.outcome = m.outcome;
      } else throw deserializeError(m.error);
    } catch (error) {
      fail(error);
      return;
    }
    notify();
  });
  worker.on('error', (error) => {
    loaded();
    fail(error);
  });
  worker.on('exit', () => {
    loaded();
    if (!st.outcome) fail(new Error('the CSV worker thread exited before the end of the file'));
  });
  const onAbort = () => fail(interrupted());
  ctx.opts.signal?.addEventListener('abort', onAbort, { once: true });
  const waitUntil = async (done: () => boolean) => {
    while (!st.failure && !done()) {
      await new Promise<void>((resolve) => {
        st.wake = resolve;
      });
    }
    if (st.failure) throw st.failure.error;
  };
  try {
    let pending: Chunk[] = [];
    let size = 0;
    const post = () => {
      // A copy of exactly these bytes, transferred (a chunk may be a view of a much larger buffer).
      const copy = new Uint8Array(size);
      let off = 0;
      for (const c of pending) {
        copy.set(c, off);
        off += c.length;
      }
      pending = [];
      size = 0;
      st.inFlight++;
      worker.postMessage({ t: 'chunk', bytes: copy }, [copy.buffer]);
    };
    for await (const chunk of bytes) {
      if (st.failure) throw st.failure.error;
      pending.push(chunk);
      size += chunk.length;
      if (size >= POST_BYTES) {
        post();
        await waitUntil(() => st.inFlight < (isLoaded ? MAX_IN_FLIGHT : MAX_IN_FLIGHT_STARTING));
      }
    }
    if (size > 0) post();
    worker.postMessage({ t: 'end' });
    await waitUntil(() => st.outcome !== null);
    return { outcome: st.outcome!, table: st.table! };
  } finally {
    ctx.opts.signal?.removeEventListener('abort', onAbort);
    // Terminating a worker while tsx's loader (running from source) holds it in a synchronous wait can hang, so
    // a worker still loading is terminated as soon as it is loaded; the import's error does not wait for that.
    const stop = ready
      .then(() => worker.terminate())
      .catch(() => undefined)
      .finally(() => liveWorkers.delete(worker));
    if (st.outcome || isLoaded) await stop;
  }
}
