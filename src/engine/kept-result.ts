/**
 * What is kept of a finished question, in the session folder (QueryLog's results.log) and in a queue's memory for
 * polling and SSE replay: the result, whole when its JSON fits MAX_KEPT_RESULT_BYTES, otherwise with its rows cut
 * to the longest prefix that fits (`truncated` and `stored_truncated` say so). Issue 12, finding 4: every answer
 * of "list all notes" on 1,000 rows × 24 KB appended 49 MB to results.log and the API kept it 5 min in memory.
 * The asker's own live response may still carry the whole (MAX_RESULT_ROWS-capped) result once.
 */
import type { QueryResult } from './types.js';

/**
 * 1 MiB: far above what a person reads in a result table (1,000 rows of a few short columns is ~50–100 KB, so
 * ordinary results are never cut), small enough that a 200 MB quota holds hundreds of kept results and that a
 * process retaining 64 of them for SSE replay stays well under its memory budget.
 */
export const MAX_KEPT_RESULT_BYTES = 1024 * 1024;

/**
 * The cap for a session of `quotaBytes`: MAX_KEPT_RESULT_BYTES, or an eighth of a small quota, so one answer can
 * never take a session's last room alone. A question is accepted only while the session has this much left.
 */
export function keptResultCap(quotaBytes: number): number {
  return Math.min(MAX_KEPT_RESULT_BYTES, Math.floor(quotaBytes / 8));
}

/**
 * How much of an answer's text is kept where a bounded copy is needed: in a history line (each is read back with
 * the last 100 others), and in a result that does not fit even without rows. An answer that lists long values
 * (the built-in engine names up to a dozen, whatever their length) would otherwise weigh as much as its rows.
 */
const KEPT_ANSWER_CHARS = 4096;

export function clipAnswer(answer: string | null): string | null {
  return answer && answer.length > KEPT_ANSWER_CHARS ? `${answer.slice(0, KEPT_ANSWER_CHARS)}…` : answer;
}

export interface KeptResult {
  result: QueryResult;
  /** The kept result as JSON: the text results.log stores (serialized once, here). */
  json: string;
  /** Its UTF-8 length: what keeping it costs on disk and in memory. */
  bytes: number;
}

function measured(result: QueryResult): KeptResult {
  const json = JSON.stringify(result);
  return { result, json, bytes: Buffer.byteLength(json) };
}

/** The result as it may be kept: itself when it fits `cap` bytes of JSON, a cut copy otherwise. */
export function keepResult(result: QueryResult, cap = MAX_KEPT_RESULT_BYTES): KeptResult {
  const whole = measured(result);
  if (whole.bytes <= cap) return whole;
  let shell: QueryResult = { ...result, rows: [], truncated: true, stored_truncated: true };
  let base = measured(shell).bytes;
  if (base > cap) {
    // The chart's inline data or a long answer is the bulk: keep the gist, not the payload.
    const { explanation: _explanation, suggestions: _suggestions, ...rest } = shell;
    shell = { ...rest, chart: null, answer: clipAnswer(result.answer) };
    base = measured(shell).bytes;
  }
  // Each row measured once, up to the cap: "[" + rows joined by "," + "]" replaces the empty "[]".
  let room = cap - base;
  let count = 0;
  for (const row of result.rows) {
    const size = Buffer.byteLength(JSON.stringify(row)) + (count > 0 ? 1 : 0);
    if (size > room) break;
    room -= size;
    count += 1;
  }
  return measured({ ...shell, rows: result.rows.slice(0, count) });
}
