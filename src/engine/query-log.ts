/**
 * QueryLog: a session's finished questions, kept in its own folder so they end with the session and every process
 * sharing DATA_DIR sees them:
 *   cache/results.log     the full result objects, one line each, appended: `{query_id}\t{result as JSON}`
 *                         (rows capped by MAX_RESULT_ROWS)
 *   cache/history.jsonl   one line per finished question, oldest first, with where its result line starts
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
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { SessionPaths } from '../sessions/paths.js';
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
/** How much of the history's end is searched for a result before reading the whole file. */
const RECENT_BYTES = 256 * 1024;

export class QueryLog {
  constructor(private readonly paths: SessionPaths) {}

  private file(sessionId: string, name: string): string {
    return join(this.paths.subdir(sessionId, 'cache'), name);
  }

  /**
   * Appends the result line, then the history line that points at it.
   * Returns the bytes added to the session folder, so the caller can keep the session's size without a walk.
   * A session whose folder is gone (it ended meanwhile) fails with ENOENT and gets nothing recreated.
   */
  async save(result: QueryResult): Promise<number> {
    const written = appendLine(
      this.file(result.session_id, RESULTS),
      `${result.query_id}\t${JSON.stringify(result)}`,
    );
    const entry: StoredEntry = {
      query_id: result.query_id,
      question: result.question,
      status: result.status,
      answer: result.answer,
      sql: result.sql,
      model: result.model,
      row_count: result.row_count,
      created_at: result.created_at,
      finished_at: result.finished_at,
      ...(result.unsupported ? { unsupported: true } : {}),
      result_at: written.at,
      result_bytes: written.bytes,
    };
    return written.bytes + appendLine(this.file(result.session_id, HISTORY), JSON.stringify(entry)).bytes;
  }

  async load(sessionId: string, queryId: string): Promise<QueryResult | null> {
    if (!QUERY_ID.test(queryId)) return null;
    const entry = this.find(sessionId, queryId);
    if (entry?.result_at === undefined || entry.result_bytes === undefined) return null;
    return readResult(this.file(sessionId, RESULTS), queryId, entry.result_at, entry.result_bytes);
  }

  /** The stored history line of one question: searched from the end, where recent questions are. */
  private find(sessionId: string, queryId: string): StoredEntry | null {
    const path = this.file(sessionId, HISTORY);
    const prefix = `{"query_id":"${queryId}"`;
    for (const bytes of [RECENT_BYTES, Number.POSITIVE_INFINITY]) {
      const tail = readTail(path, bytes);
      if (tail === null) return null;
      const lines = tail.text.split('\n');
      for (let i = lines.length - 1; i >= 0; i--) {
        if (lines[i]!.startsWith(prefix)) return parseLine<StoredEntry>(lines[i]!);
      }
      if (tail.whole) return null;
    }
    return null;
  }

  /**
   * Newest first. Reads only the end of the file (enough for `limit` lines), so the cost of a question's
   * follow-up lookup does not grow with the session's history.
   */
  async history(sessionId: string, limit = 100): Promise<HistoryEntry[]> {
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

  /** The last answered questions with their SQL, oldest first: what a follow-up is read against. */
  async turns(sessionId: string, limit = 3): Promise<Turn[]> {
    const answered = (await this.history(sessionId, 20)).filter(
      (entry): entry is HistoryEntry & { sql: string } => entry.status === 'done' && entry.sql !== null,
    );
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
 * before it (readers then look further on); `bytes` is what was written.
 */
function appendLine(path: string, text: string): { at: number; bytes: number } {
  const fd = openSync(path, 'a+');
  try {
    let at = fstatSync(fd).size;
    let line = `${text}\n`;
    if (at > 0) {
      const last = Buffer.alloc(1);
      readSync(fd, last, 0, 1, at - 1);
      if (last[0] !== 0x0a) {
        line = `\n${line}`;
        at += 1;
      }
    }
    const body = Buffer.from(line);
    writeSync(fd, body);
    return { at, bytes: body.length };
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
 * The result line of `queryId`, which starts at `at` (or further on, when another process appended between
 * save()'s size check and its write).
 */
function readResult(path: string, queryId: string, at: number, bytes: number): QueryResult | null {
  const prefix = `${queryId}\t`;
  const fd = openOrNull(path);
  if (fd === null) return null;
  try {
    const exact = readAt(fd, at, bytes);
    if (exact.startsWith(prefix) && exact.endsWith('\n')) return parseLine(exact.slice(prefix.length));
    const rest = `\n${readAt(fd, at, fstatSync(fd).size - at)}`;
    const found = rest.indexOf(`\n${prefix}`);
    if (found === -1) return null;
    const from = found + 1 + prefix.length;
    const end = rest.indexOf('\n', from);
    return parseLine(rest.slice(from, end === -1 ? undefined : end));
  } finally {
    closeSync(fd);
  }
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
