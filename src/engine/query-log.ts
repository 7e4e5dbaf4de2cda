/**
 * QueryLog: a session's finished questions, kept in its own folder so they end with the session and every process
 * sharing DATA_DIR sees them:
 *   cache/queries/{query_id}.json   the full result object (rows capped by MAX_RESULT_ROWS)
 *   cache/history.jsonl             one line per finished question, oldest first
 * The history is also the conversation memory (thread id = session id): a follow-up ("and by year?") is read
 * against the last answered question and its SQL.
 */
import { appendFile, type FileHandle, mkdir, open, readFile, rename, writeFile } from 'node:fs/promises';
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

export interface Turn {
  question: string;
  sql: string;
}

const QUERY_ID = /^[0-9a-f-]{36}$/;

export class QueryLog {
  constructor(private readonly paths: SessionPaths) {}

  private dir(sessionId: string): string {
    return join(this.paths.subdir(sessionId, 'cache'), 'queries');
  }

  /**
   * Writes the result (atomically: readers never see half a file) and appends the history line.
   * Returns the bytes added to the session folder, so the caller can keep the session's size without a walk.
   */
  async save(result: QueryResult): Promise<number> {
    const dir = this.dir(result.session_id);
    // Not recursive: when the session ended meanwhile its folder is gone and must stay gone (ENOENT).
    await mkdir(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    const file = join(dir, `${result.query_id}.json`);
    const body = JSON.stringify(result);
    await writeFile(`${file}.tmp`, body);
    await rename(`${file}.tmp`, file);
    const entry: HistoryEntry = {
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
    };
    const line = `${JSON.stringify(entry)}\n`;
    // O_APPEND writes of one short line do not interleave, so concurrent questions cannot garble the file.
    await appendFile(join(this.paths.subdir(result.session_id, 'cache'), 'history.jsonl'), line);
    return Buffer.byteLength(body) + Buffer.byteLength(line);
  }

  async load(sessionId: string, queryId: string): Promise<QueryResult | null> {
    if (!QUERY_ID.test(queryId)) return null;
    try {
      return JSON.parse(await readFile(join(this.dir(sessionId), `${queryId}.json`), 'utf8')) as QueryResult;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  /**
   * Newest first. Reads only the end of the file (enough for `limit` lines), so the cost of a question's
   * follow-up lookup does not grow with the session's history.
   */
  async history(sessionId: string, limit = 100): Promise<HistoryEntry[]> {
    const tail = await readTail(join(this.paths.subdir(sessionId, 'cache'), 'history.jsonl'), limit * 4096);
    if (tail === null) return [];
    const entries: HistoryEntry[] = [];
    const lines = tail.text.split('\n');
    if (!tail.whole) lines.shift(); // the tail began mid-line
    for (let i = lines.length - 1; i >= 0 && entries.length < limit; i--) {
      const line = lines[i]!.trim();
      if (!line) continue;
      try {
        entries.push(JSON.parse(line) as HistoryEntry);
      } catch {
        // A line cut by a crash mid-write: skip it.
      }
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

/** The last `bytes` bytes of a file as text (`whole` when that is all of it), or null when it does not exist. */
async function readTail(path: string, bytes: number): Promise<{ text: string; whole: boolean } | null> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, bytes);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    return { text: buffer.toString('utf8'), whole: length === size };
  } finally {
    await handle.close();
  }
}
