/**
 * QueryLog on a real session folder: results appended to one file and found again through the history, including
 * when another process's line landed between save()'s size check and its write.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keepResult } from '../../src/engine/kept-result.js';
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
      bytes += await log.save(keepResult(r));
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
    await log.save(keepResult(r));
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
    await log.save(keepResult(first));
    await log.save(keepResult(second));
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
    await log.save(keepResult(first));
    expect(await other.load(sessionId, first.query_id)).toEqual(first);
    // Not found yet (a running question), then written by the other process.
    const second = result('second');
    expect(await other.load(sessionId, second.query_id)).toBeNull();
    await log.save(keepResult(second));
    expect(await other.load(sessionId, second.query_id)).toEqual(second);
    expect(await other.load(sessionId, first.query_id)).toEqual(first);
  });

  it('a line cut short by a crash is skipped, later lines still work', async () => {
    const before = result('before');
    await log.save(keepResult(before));
    const cache = paths.subdir(sessionId, 'cache');
    appendFileSync(join(cache, 'results.log'), `${randomUUID()}\t{"query_id":"cut`);
    appendFileSync(join(cache, 'history.jsonl'), '{"query_id":"cut');
    const after = result('after');
    await log.save(keepResult(after));
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
    await expect(log.save(keepResult(result('late')))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(existsSync(paths.dir(sessionId))).toBe(false);
    expect(await log.load(sessionId, randomUUID())).toBeNull();
    expect(await log.history(sessionId)).toEqual([]);
  });

  it('keeps a result over the cap as the longest prefix of its rows that fits, flagged; one within it unchanged', async () => {
    const small = result('small', [[1, 'a']]);
    expect(keepResult(small, 4096).result).toBe(small);
    const rows = Array.from({ length: 100 }, (_, i) => [i, 'ção'.repeat(100)]);
    const big = result('big', rows);
    const kept = keepResult(big, 8192);
    expect(kept.bytes).toBe(Buffer.byteLength(kept.json));
    expect(kept.bytes).toBeLessThanOrEqual(8192);
    expect(kept.result).toMatchObject({ row_count: 100, truncated: true, stored_truncated: true });
    expect(kept.result.rows).toEqual(rows.slice(0, kept.result.rows.length));
    // The longest prefix: one more row would not fit.
    const oneMore = { ...kept.result, rows: rows.slice(0, kept.result.rows.length + 1) };
    expect(Buffer.byteLength(JSON.stringify(oneMore))).toBeGreaterThan(8192);
    // Stored and read back as kept, with the history's answer clipped.
    big.answer = `Listed: ${'x'.repeat(50_000)}`;
    const keptWithAnswer = keepResult(big, 8192);
    expect(keptWithAnswer.bytes).toBeLessThanOrEqual(8192);
    expect(keptWithAnswer.result.answer!.length).toBeLessThan(5000);
    await log.save(keptWithAnswer);
    expect(await log.load(sessionId, big.query_id)).toEqual(keptWithAnswer.result);
    const [entry] = await log.history(sessionId);
    expect(entry!.answer!.length).toBeLessThan(5000);
  });

  it('writeSoon: the write runs after this turn of the event loop, in order, and reads of the session wait for it', async () => {
    const first = result('first');
    const second = result('second');
    const order: string[] = [];
    const a = log.writeSoon(sessionId, async () => {
      order.push('first');
      await log.save(keepResult(first));
    });
    const b = log.writeSoon(sessionId, async () => {
      order.push('second');
      await log.save(keepResult(second));
    });
    expect(order).toEqual([]);
    // Asked before either write ran: the reads still see both.
    const [history, found] = await Promise.all([
      log.history(sessionId),
      log.load(sessionId, second.query_id),
    ]);
    expect(history.map((h) => h.question)).toEqual(['second', 'first']);
    expect(found).toEqual(second);
    await Promise.all([a, b]);
    expect(order).toEqual(['first', 'second']);
  });

  it('clear() forgets the history and its results; questions saved afterwards are found', async () => {
    const other = new QueryLog(paths);
    const old = result('old');
    await log.save(keepResult(old));
    expect(await other.load(sessionId, old.query_id)).toEqual(old);
    await log.clear(sessionId);
    expect(await log.history(sessionId)).toEqual([]);
    expect(await log.load(sessionId, old.query_id)).toBeNull();
    // A longer history than before, written after the clear: a process that indexed the old file re-reads it.
    const fresh = [result('new 1', [[1], [2], [3]]), result('new 2', [[4], [5], [6]])];
    for (const r of fresh) await log.save(keepResult(r));
    for (const r of fresh) expect(await other.load(sessionId, r.query_id)).toEqual(r);
    expect(await other.load(sessionId, old.query_id)).toBeNull();
    expect((await other.history(sessionId)).map((h) => h.question)).toEqual(['new 2', 'new 1']);
  });
});
