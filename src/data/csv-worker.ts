/**
 * The CSV worker thread: decoding, parsing, type classification and statistics (CsvRows) run here, so the main
 * thread only inserts the typed rows it receives (import-csv.ts). A worker serves one import after another
 * (csv-worker-pool.ts). Protocol, per import:
 *   in:  {t: 'begin', fileName}, {t: 'chunk', bytes}…, {t: 'end'}
 *   out: {t: 'start', labels}, {t: 'rows', segments, chunks}…, {t: 'end', outcome, segments},
 *        or {t: 'error', error} (after which the worker ignores its input until it is terminated).
 * Once, when loaded: {t: 'ready'}.
 */
import { parentPort } from 'node:worker_threads';
import { type CsvOutcome, CsvRows } from './csv-rows.js';
import { type Segment, segmentBuffers } from './row-builder.js';
import { serializeError, type ToWorker } from './worker-protocol.js';

/**
 * Chunks parsed before their rows are posted anyway, even when they made no full segment yet. Posting only with
 * rows (about every other chunk on the benchmark file) halves the messages both threads handle; the bound keeps
 * the host's count of chunks in flight moving when chunks yield no rows (blank lines, very wide rows).
 */
const ACK_CHUNKS = 8;

const port = parentPort!;
let rows: CsvRows | null = null;
let segments: Segment[] = [];
let chunks = 0;
let failed = false;

function post(m: { t: 'rows'; chunks: number } | { t: 'end'; outcome: CsvOutcome }): void {
  port.postMessage({ ...m, segments }, segments.flatMap(segmentBuffers));
  segments = [];
  chunks = 0;
}

// Loaded: from now on terminate() is safe (not while a module loader may hold this thread in a synchronous wait).
port.postMessage({ t: 'ready' });

port.on('message', (m: ToWorker) => {
  if (m.t === 'begin') {
    rows = new CsvRows(m.fileName, {
      start: (labels) => port.postMessage({ t: 'start', labels }),
      segment: (seg) => {
        segments.push(seg);
      },
    });
    segments = [];
    chunks = 0;
    failed = false;
    return;
  }
  if (failed || !rows) return;
  try {
    if (m.t === 'chunk') {
      rows.feed(m.bytes);
      chunks++;
      if (segments.length > 0 || chunks >= ACK_CHUNKS) post({ t: 'rows', chunks });
    } else {
      const outcome = rows.end();
      rows = null;
      post({ t: 'end', outcome });
    }
  } catch (error) {
    failed = true;
    port.postMessage({ t: 'error', error: serializeError(error) });
  }
});
