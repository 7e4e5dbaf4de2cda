/**
 * QueryLog on a real session folder: results appended to one file and found again through the history, including
 * when another process's line landed between save()'s size check and its write.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QueryLog } from '../../src/engine/query-log.js';
import { pendingResult, type QueryResult } from '../../src/engine/types.js';
import { SessionPaths } from '../../src/sessions/paths.js';
import { removeDir, tempDir } from '../helpers/services.js';

let dataDir: string;
let paths: SessionPaths;
let log: QueryLog;
let sessionId: string;

function result(question: string, rows: unknown[][] = [[1]]): QueryResult {
  const r = pendingResult(
    { query_id: randomUUID(), session_id: sessionId, question, submitted_at: Date.now() / 1000 },
    'done',
    'en',
    'builtin',
  );
  r.sql = `SELECT ${rows.length}`;
  r.columns = ['n'];
  r.rows = rows;
  r.row_count = rows.length;
  r.answer = `Answer to ${question}`;
  r.finished_at = Date.now() / 1000;
  return r;
}

beforeEach(async () => {
  dataDir = tempDir('agentgraph-query-log');
  paths = new SessionPaths(dataDir);
  log = new QueryLog(paths);
  sessionId = randomUUID();
  await paths.createLayout(sessionId);
});

afterEach(() => removeDir(dataDir));

describe('QueryLog', () => {
  it('keeps every result and finds each again; history is newest first without internal fields', async () => {
    const saved: QueryResult[] = [];
    let bytes = 0;
    for (let i = 0; i < 30; i++) {
      const r = result(
        `question ${i} – região`,
        Array.from({ length: i }, (_, k) => [k, `ção ${k}`]),
      );
      bytes += await log.save(r);
      saved.push(r);
    }
    const cache = paths.subdir(sessionId, 'cache');
    expect(statSync(join(cache, 'results.log')).size + statSync(join(cache, 'history.jsonl')).size).toBe(
      bytes,
    );
    for (const r of saved) expect(await log.load(sessionId, r.query_id)).toEqual(r);
    const history = await log.history(sessionId, 5);
    expect(history.map((h) => h.question)).toEqual([29, 28, 27, 26, 25].map((i) => `question ${i} – região`));
    expect(Object.keys(history[0]!)).not.toContain('result_at');
    expect(await log.turns(sessionId, 2)).toEqual([
      { question: 'question 28 – região', sql: 'SELECT 28' },
      { question: 'question 29 – região', sql: 'SELECT 29' },
    ]);
  });

  it('unknown ids, foreign sessions and malformed ids give null', async () => {
    const r = result('only one');
    await log.save(r);
    expect(await log.load(sessionId, randomUUID())).toBeNull();
    expect(await log.load(sessionId, '../../etc/passwd')).toBeNull();
    const other = randomUUID();
    await paths.createLayout(other);
    expect(await log.load(other, r.query_id)).toBeNull();
    expect(await log.history(other)).toEqual([]);
  });

  it('finds a result whose line landed after another process appended in between', async () => {
    const first = result('first');
    const second = result('second', [[2], [3]]);
    await log.save(first);
    await log.save(second);
    // Make the second history line point where the first result starts, as when save()'s size check ran before
    // another process's append.
    const history = join(paths.subdir(sessionId, 'cache'), 'history.jsonl');
    const lines = readFileSync(history, 'utf8').trimEnd().split('\n');
    const firstAt = JSON.parse(lines[0]!).result_at as number;
    const moved = { ...JSON.parse(lines[1]!), result_at: firstAt };
    writeFileSync(history, `${lines[0]}\n${JSON.stringify(moved)}\n`);
    expect(await log.load(sessionId, second.query_id)).toEqual(second);
    expect(await log.load(sessionId, first.query_id)).toEqual(first);
  });

  it('another process appending is seen at once: each process indexes only what was added', async () => {
    const other = new QueryLog(paths);
    const first = result('first');
    await log.save(first);
    expect(await other.load(sessionId, first.query_id)).toEqual(first);
    // Not found yet (a running question), then written by the other process.
    const second = result('second');
    expect(await other.load(sessionId, second.query_id)).toBeNull();
    await log.save(second);
    expect(await other.load(sessionId, second.query_id)).toEqual(second);
    expect(await other.load(sessionId, first.query_id)).toEqual(first);
  });

  it('a line cut short by a crash is skipped, later lines still work', async () => {
    const before = result('before');
    await log.save(before);
    const cache = paths.subdir(sessionId, 'cache');
    appendFileSync(join(cache, 'results.log'), `${randomUUID()}\t{"query_id":"cut`);
    appendFileSync(join(cache, 'history.jsonl'), '{"query_id":"cut');
    const after = result('after');
    await log.save(after);
    // The history line frames the result line exactly (the newline put after the cut line is not part of it).
    const stored = readFileSync(join(cache, 'history.jsonl'), 'utf8').trimEnd().split('\n').at(-1)!;
    const { result_at, result_bytes } = JSON.parse(stored) as { result_at: number; result_bytes: number };
    const line = readFileSync(join(cache, 'results.log')).subarray(result_at, result_at + result_bytes);
    expect(line.toString('utf8')).toBe(`${after.query_id}\t${JSON.stringify(after)}\n`);
    expect(await log.load(sessionId, before.query_id)).toEqual(before);
    expect(await log.load(sessionId, after.query_id)).toEqual(after);
    expect((await log.history(sessionId)).map((h) => h.question)).toEqual(['after', 'before']);
  });

  it('a session whose folder is gone gets nothing recreated', async () => {
    rmSync(paths.dir(sessionId), { recursive: true });
    await expect(log.save(result('late'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(existsSync(paths.dir(sessionId))).toBe(false);
    expect(await log.load(sessionId, randomUUID())).toBeNull();
    expect(await log.history(sessionId)).toEqual([]);
  });
});
