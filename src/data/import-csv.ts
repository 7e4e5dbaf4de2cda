/**
 * CSV/TSV import, main-thread side. Files bigger than the sniffed head are parsed in a worker thread
 * (csv-worker.ts): it decodes, parses and classifies chunk k+1 while this thread inserts the rows of chunk k, so
 * the two halves of the work overlap on two cores. Small files run the same CsvRows code in-process (a worker's
 * start-up would cost more than it saves).
 *
 * Flow control: at most MAX_IN_FLIGHT chunks are handed to the worker and not yet inserted, so memory stays
 * bounded whatever the file size. The quota is checked per chunk read and per chunk inserted; an abort signal,
 * a quota breach or an error on either side terminates the worker (one still loading, as soon as it has loaded),
 * and errors raised in the worker come back as the same AppError. A worker whose import ended cleanly goes back to the pool
 * (csv-worker-pool.ts) for the next import.
 */
import path from 'node:path';
import { type CsvOutcome, CsvRows } from './csv-rows.js';
import { csvWorkers } from './csv-worker-pool.js';
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

/**
 * Bytes per message to the worker (smaller upload chunks are gathered up to this). Bigger messages measured slower, even
 * when the worker parsed them 64 KB at a time: the worker's CPU time for the 1× benchmark file grew from ~1.1 s to
 * ~1.5 s at 256 KB and ~2.3 s at 1 MB (2026-11-29). Smaller ones (16–32 KB) parse as fast but double the messages.
 * A source's bigger chunks (a file read 1 MB at a time) are therefore cut to this size.
 */
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
  const lease = csvWorkers.acquire();
  const worker = lease.thread;
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
  const onMessage = (m: FromWorker) => {
    if (m.t === 'ready' || st.failure) return;
    try {
      if (m.t === 'start') st.table = newTable(t, ctx, m.labels, label(ctx));
      else if (m.t === 'rows') {
        insert(m.segments);
        st.inFlight -= m.chunks;
      } else if (m.t === 'end') {
        insert(m.segments);
        st.outcome = m.outcome;
      } else throw deserializeError(m.error);
    } catch (error) {
      fail(error);
      return;
    }
    notify();
  };
  const onError = (error: unknown) => fail(error);
  const onExit = () => {
    if (!st.outcome) fail(new Error('the CSV worker thread exited before the end of the file'));
  };
  worker.on('message', onMessage);
  worker.on('error', onError);
  worker.on('exit', onExit);
  worker.postMessage({ t: 'begin', fileName: ctx.opts.fileName });
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
      // Messages of exactly POST_BYTES: small chunks are gathered, big ones cut.
      let rest = chunk;
      while (size + rest.length >= POST_BYTES) {
        const take = POST_BYTES - size;
        pending.push(rest.subarray(0, take));
        size = POST_BYTES;
        rest = rest.subarray(take);
        post();
        await waitUntil(() => st.inFlight < (lease.loaded ? MAX_IN_FLIGHT : MAX_IN_FLIGHT_STARTING));
      }
      if (rest.length > 0) {
        pending.push(rest);
        size += rest.length;
      }
    }
    if (size > 0) post();
    worker.postMessage({ t: 'end' });
    await waitUntil(() => st.outcome !== null);
    return { outcome: st.outcome!, table: st.table! };
  } finally {
    ctx.opts.signal?.removeEventListener('abort', onAbort);
    worker.off('message', onMessage);
    worker.off('error', onError);
    worker.off('exit', onExit);
    if (st.outcome && !st.failure) csvWorkers.release(lease);
    else {
      // A worker that failed or was stopped mid-file is never reused. One still loading is terminated once it has
      // loaded (see CsvWorkerPool.discard); the import's error does not wait for that.
      const stop = csvWorkers.discard(lease);
      if (lease.loaded) await stop;
    }
  }
}
