/**
 * QueryLog: a session's finished questions, kept in its own folder so they end with the session and every process
 * sharing DATA_DIR sees them:
 *   cache/results.log     the result objects, one line each, appended: `{query_id}\t{result as JSON}`
 *                         (rows capped by MAX_RESULT_ROWS, and cut further when the line would pass
 *                         MAX_KEPT_RESULT_BYTES: see kept-result.ts)
 *   cache/history.jsonl   one line per finished question, oldest first, with where its result line starts
 *                         (its answer clipped to a few KB: the full one is in the result)
 * The history is also the conversation memory (thread id = session id): a follow-up ("and by year?") is read
 * against the last answered question and its SQL.
 *
 * Why appends and not a file per result: creating a file cost 0.03–1 ms on this project's machine (and is a round
 * trip on network storage), an append a few microseconds. Each write is one O_APPEND write of a whole line, so
 * processes answering questions of the same session at once cannot interleave. The history line is written after
 * the result line: whoever finds the one finds the other.
 *
 * File access is synchronous on purpose: small reads and writes a few times per question, where a synchronous call
 * costs microseconds and each fs/promises call is a round trip through libuv's thread pool (about 1 ms per question
 * in all, docs/benchmarks.md). The session's db.db and the control database are read synchronously too.
 */
import { closeSync, fstatSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { SessionPaths } from '../sessions/paths.js';
import { clipAnswer, type KeptResult } from './kept-result.js';
import type { QueryResult, QueryStatus } from './types.js';

export interface HistoryEntry {
  query_id: string;
  question: string;
  status: QueryStatus;
  answer: string | null;
  sql: string | null;
  model: string;
  row_count: number;
  unsupported?: boolean;
  created_at: number;
  finished_at: number | null;
}

/** A history line as stored: the public entry plus where its result line starts in results.log and its length. */
interface StoredEntry extends HistoryEntry {
  result_at?: number;
  result_bytes?: number;
}

export interface Turn {
  question: string;
  sql: string;
}

const QUERY_ID = /^[0-9a-f-]{36}$/;
const RESULTS = 'results.log';
const HISTORY = 'history.jsonl';
/** Sessions whose result index (see locate()) is kept in memory, least recently used dropped first. */
const INDEXED_SESSIONS = 256;
/** Enough of a history line's start to hold its query id (`{"query_id":"<36 chars>"`). */
const HEAD_BYTES = 64;
/** Read size when looking for a result line that landed after the position its history line gives. */
const SCAN_CHUNK = 1024 * 1024;

/** Where a recorded result's line is in results.log: its start and its length (newline included). */
interface Spot {
  at: number;
  bytes: number;
}

/**
 * What locate() knows of a session's history.jsonl: which file it read (its first bytes, which hold the first
 * question's unique id: a history cleared and written again is told apart even when it regrew past `size` and
 * reuses the inode), the bytes read so far (whole lines) and the spots in them.
 */
interface ResultIndex {
  head: string;
  size: number;
  spots: Map<string, Spot>;
}

export class QueryLog {
  private readonly indexes = new Map<string, ResultIndex>();
  /** Per session, the last of its writes still under way (see writeSoon): its reads wait for it. */
  private readonly writing = new Map<string, Promise<void>>();

  constructor(private readonly paths: SessionPaths) {}

  private file(sessionId: string, name: string): string {
    return join(this.paths.subdir(sessionId, 'cache'), name);
  }

  /**
   * Appends the result line, then the history line that points at it.
   * Returns the bytes added to the session folder, so the caller can keep the session's size without a walk.
   * A session whose folder is gone (it ended meanwhile) fails with ENOENT and gets nothing recreated.
   */
  async save(kept: KeptResult): Promise<number> {
    const { result } = kept;
    const written = appendLine(this.file(result.session_id, RESULTS), `${result.query_id}\t${kept.json}`);
    const entry: StoredEntry = {
      query_id: result.query_id,
      question: result.question,
      status: result.status,
      answer: clipAnswer(result.answer),
      sql: result.sql,
      model: result.model,
      row_count: result.row_count,
      created_at: result.created_at,
      finished_at: result.finished_at,
      ...(result.unsupported ? { unsupported: true } : {}),
      result_at: written.at,
      result_bytes: written.length,
    };
    return written.bytes + appendLine(this.file(result.session_id, HISTORY), JSON.stringify(entry)).bytes;
  }

  /**
   * Runs `write` (a save, and whatever goes with it) after the current turn of the event loop, after the session's
   * earlier such writes; until it has run, the session's reads (load, history, turns, clear) wait for it. The
   * Answerer uses it in embedded mode to answer first and write after (issue 14): nothing reads a stale log.
   */
  writeSoon(sessionId: string, write: () => Promise<void>): Promise<void> {
    const previous = this.writing.get(sessionId) ?? Promise.resolve();
    const mine = previous
      .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
      .then(write)
      .catch(() => undefined); // the writer reports its own failures
    this.writing.set(sessionId, mine);
    void mine.then(() => {
      if (this.writing.get(sessionId) === mine) this.writing.delete(sessionId);
    });
    return mine;
  }

  /** Resolves once the session's writes still under way (writeSoon) are done. */
  private async settled(sessionId: string): Promise<void> {
    await this.writing.get(sessionId);
  }

  async load(sessionId: string, queryId: string): Promise<QueryResult | null> {
    if (!QUERY_ID.test(queryId)) return null;
    await this.settled(sessionId);
    const spot = this.locate(sessionId, queryId);
    return spot ? readResult(this.file(sessionId, RESULTS), queryId, spot) : null;
  }

  /**
   * Where the result of `queryId` is, from an index of history.jsonl kept per session and extended by reading only
   * the lines appended since (by any process): a lookup costs an open and a stat, however long the history and
   * whether or not the question has finished (SSE subscribers ask every 2 s while it runs).
   */
  private locate(sessionId: string, queryId: string): Spot | null {
    const fd = openOrNull(this.file(sessionId, HISTORY));
    if (fd === null) {
      this.indexes.delete(sessionId);
      return null;
    }
    try {
      const { size } = fstatSync(fd);
      const head = readAt(fd, 0, HEAD_BYTES);
      let index = this.indexes.get(sessionId);
      if (!index || size < index.size || head !== index.head) index = { head, size: 0, spots: new Map() };
      this.indexes.delete(sessionId);
      this.indexes.set(sessionId, index);
      if (this.indexes.size > INDEXED_SESSIONS) this.indexes.delete(this.indexes.keys().next().value!);
      if (size > index.size) {
        const fresh = Buffer.alloc(size - index.size);
        const read = readSync(fd, fresh, 0, fresh.length, index.size);
        // Whole lines only: a line still being written (or cut by a crash) is read again next time.
        const end = fresh.subarray(0, read).lastIndexOf(0x0a) + 1;
        for (const line of fresh.toString('utf8', 0, end).split('\n')) {
          const entry = parseLine<StoredEntry>(line);
          if (entry?.result_at !== undefined && entry.result_bytes !== undefined) {
            index.spots.set(entry.query_id, { at: entry.result_at, bytes: entry.result_bytes });
          }
        }
        index.size += end;
      }
      return index.spots.get(queryId) ?? null;
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Newest first. Reads only the end of the file (enough for `limit` lines), so the cost of a question's
   * follow-up lookup does not grow with the session's history.
   */
  async history(sessionId: string, limit = 100): Promise<HistoryEntry[]> {
    await this.settled(sessionId);
    const tail = readTail(this.file(sessionId, HISTORY), limit * 4096);
    if (tail === null) return [];
    const entries: HistoryEntry[] = [];
    const lines = tail.text.split('\n');
    if (!tail.whole) lines.shift(); // the tail began mid-line
    for (let i = lines.length - 1; i >= 0 && entries.length < limit; i--) {
      const stored = parseLine<StoredEntry>(lines[i]!);
      if (!stored) continue;
      const { result_at: _at, result_bytes: _bytes, ...entry } = stored;
      entries.push(entry);
    }
    return entries;
  }

  /**
   * Forgets the session's past questions and results (DELETE /api/session/history): the way to give their space
   * back without ending the session. A question finishing meanwhile starts the files afresh.
   */
  async clear(sessionId: string): Promise<void> {
    await this.settled(sessionId);
    for (const name of [HISTORY, RESULTS]) rmSync(this.file(sessionId, name), { force: true });
    this.indexes.delete(sessionId);
  }

  /**
   * The last answered questions with their SQL, oldest first: what a follow-up is read against. Looks at the 20
   * newest entries at most, reading the last 4 first (every question reads this: a 16 KB read instead of 80 KB).
   */
  async turns(sessionId: string, limit = 3): Promise<Turn[]> {
    let answered: Array<HistoryEntry & { sql: string }> = [];
    for (const newest of [Math.max(limit, 4), 20]) {
      const entries = await this.history(sessionId, newest);
      answered = entries.filter(
        (entry): entry is HistoryEntry & { sql: string } => entry.status === 'done' && entry.sql !== null,
      );
      if (answered.length >= limit || entries.length < newest) break;
    }
    return answered
      .slice(0, limit)
      .reverse()
      .map(({ question, sql }) => ({ question, sql }));
  }
}

/**
 * Appends `text` as one line in one O_APPEND write, so concurrent writers never interleave. A file whose last line
 * was cut short (a crash mid-write) first gets its newline, so the cut line cannot swallow this one.
 * `at` is where the line starts — or, if another process appended between the size check and the write, a point
 * before it (readers then look further on); `length` is the line's own length, newline included; `bytes` is all
 * that was written.
 */
function appendLine(path: string, text: string): { at: number; length: number; bytes: number } {
  const fd = openSync(path, 'a+');
  try {
    let at = fstatSync(fd).size;
    const line = Buffer.from(`${text}\n`);
    let body = line;
    if (at > 0) {
      const last = Buffer.alloc(1);
      readSync(fd, last, 0, 1, at - 1);
      if (last[0] !== 0x0a) {
        body = Buffer.concat([Buffer.from('\n'), line]);
        at += 1;
      }
    }
    writeSync(fd, body);
    return { at, length: line.length, bytes: body.length };
  } finally {
    closeSync(fd);
  }
}

/** One JSON line, or null for a blank line or one cut short by a crash mid-write. */
function parseLine<T>(line: string): T | null {
  if (!line.trim()) return null;
  try {
    return JSON.parse(line) as T;
  } catch {
    return null;
  }
}

/**
 * The result line of `queryId`: at `spot.at`, or further on when another process appended between save()'s size
 * check and its write — then found by reading forward in chunks (memory stays bounded whatever the file's size).
 */
function readResult(path: string, queryId: string, spot: Spot): QueryResult | null {
  const prefix = `${queryId}\t`;
  const fd = openOrNull(path);
  if (fd === null) return null;
  try {
    const line = (at: number) => {
      const text = readAt(fd, at, spot.bytes);
      return text.startsWith(prefix) && text.endsWith('\n')
        ? parseLine<QueryResult>(text.slice(prefix.length))
        : null;
    };
    const exact = line(spot.at);
    if (exact) return exact;
    const start = findLineStart(fd, Buffer.from(`\n${prefix}`), Math.max(0, spot.at - 1));
    return start === -1 ? null : line(start);
  } finally {
    closeSync(fd);
  }
}

/** The position just after the first `marker` (which begins with a newline) at or after `from`, or -1. */
function findLineStart(fd: number, marker: Buffer, from: number): number {
  const size = fstatSync(fd).size;
  for (let position = from; position < size; position += SCAN_CHUNK - marker.length) {
    const chunk = Buffer.alloc(Math.min(SCAN_CHUNK, size - position));
    readSync(fd, chunk, 0, chunk.length, position);
    const found = chunk.indexOf(marker);
    if (found !== -1) return position + found + 1;
    if (position + chunk.length >= size) break;
  }
  return -1;
}

/** A read-only descriptor, or null when the file does not exist (no question recorded yet, or the session ended). */
function openOrNull(path: string): number | null {
  try {
    return openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function readAt(fd: number, position: number, length: number): string {
  const buffer = Buffer.alloc(Math.max(0, length));
  const read = readSync(fd, buffer, 0, buffer.length, position);
  return buffer.toString('utf8', 0, read);
}

/** The last `bytes` bytes of a file as text (`whole` when that is all of it), or null when it does not exist. */
function readTail(path: string, bytes: number): { text: string; whole: boolean } | null {
  const fd = openOrNull(path);
  if (fd === null) return null;
  try {
    const { size } = fstatSync(fd);
    const length = Math.min(size, bytes);
    return { text: readAt(fd, size - length, length), whole: length === size };
  } finally {
    closeSync(fd);
  }
}
