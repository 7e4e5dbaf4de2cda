/**
 * The CSV worker thread: decoding, parsing, type classification and statistics (CsvRows) run here, so the main
 * thread only inserts the typed rows it receives (csv-host.ts). Protocol:
 *   in:  {t: 'chunk', bytes: Uint8Array}…, {t: 'end'}
 *   out: {t: 'ready'} once loaded, {t: 'start', labels}, {t: 'rows', segments, chunks} per chunk processed, {t: 'end', outcome, segments},
 *        or {t: 'error', error} (after which the worker ignores its input until it is terminated).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CsvRows } from './csv-rows.js';
import { type Segment, segmentBuffers } from './row-builder.js';
import { serializeError, type ToWorker } from './worker-protocol.js';

const port = parentPort!;
const { fileName } = workerData as { fileName: string };
let segments: Segment[] = [];
const rows = new CsvRows(fileName, {
  start: (labels) => port.postMessage({ t: 'start', labels }),
  segment: (seg) => {
    segments.push(seg);
  },
});
let failed = false;

// Loaded: from now on terminate() is safe (not while a module loader may hold this thread in a synchronous wait).
port.postMessage({ t: 'ready' });

port.on('message', (m: ToWorker) => {
  if (failed) return;
  try {
    if (m.t === 'chunk') {
      rows.feed(m.bytes);
      port.postMessage({ t: 'rows', segments }, segments.flatMap(segmentBuffers));
      segments = [];
    } else {
      const outcome = rows.end();
      port.postMessage({ t: 'end', outcome, segments }, segments.flatMap(segmentBuffers));
      segments = [];
    }
  } catch (error) {
    failed = true;
    port.postMessage({ t: 'error', error: serializeError(error) });
  }
});
