/**
 * The CSV worker thread (src/data/csv-worker.ts). Every test of import.test.ts runs again here with the worker
 * forced on, so each CSV behaviour (types, warnings, bad input, quota, abort) is checked on both paths; the tests
 * below check what only the worker has: no thread outlives its import (but the one kept for the next import), a
 * worker is handed on only after a clean import, and both paths give the same tables.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { csvWorkers } from '../../src/data/csv-worker-pool.js';
import { csvWorkerMode } from '../../src/data/import-csv.js';
import { importFile, readCatalog } from '../../src/data/index.js';
import { chunked, expectFailure, load, newSession, query, removeSessions, snapshot } from './helpers.js';

beforeAll(() => {
  csvWorkerMode.mode = 'always';
});
afterAll(async () => {
  csvWorkerMode.mode = 'auto';
  await csvWorkers.close();
});
afterEach(removeSessions);

/**
 * No worker outlives its import but the one kept idle. A worker that fails while still loading (only under
 * tsx/vitest, where loading takes a few hundred ms) is terminated right after it has loaded, so allow for that.
 */
async function noLiveWorkers(): Promise<void> {
  // A deadline, not a number of tries: a loaded machine can take seconds to load (and then end) a worker.
  const deadline = Date.now() + 15_000;
  const busy = () => csvWorkers.stats().busy;
  while (busy() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(busy()).toBe(0);
}

// The whole import suite, CSV through the worker; and the real-table rules (units, summary rows, row order).
await import('./import.test.js');
await import('./real-tables.test.js');

function bigCsv(rows: number): string {
  const lines = ['id;valor;dia;nome;flag'];
  for (let i = 0; i < rows; i++) {
    lines.push(
      `${i};${(i * 1.25).toFixed(2).replace('.', ',')};${String((i % 28) + 1).padStart(2, '0')}/01/2023;nome ${i % 37};${i % 2 ? 'sim' : 'não'}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

type Imported = [ReturnType<typeof newSession>, Awaited<ReturnType<typeof load>>];

/** Two imports of table `v` gave the same tables, warnings, catalog and rows. */
function expectSameImport([a, ra]: Imported, [b, rb]: Imported): void {
  expect(rb.tables).toEqual(ra.tables);
  expect(rb.warnings).toEqual(ra.warnings);
  const strip = (c: ReturnType<typeof readCatalog>) => c.map((t) => ({ ...t, created_at: 0 }));
  expect(strip(readCatalog(b.dbPath))).toEqual(strip(readCatalog(a.dbPath)));
  const all = 'SELECT * FROM v ORDER BY rowid';
  expect(query(b, all)).toEqual(query(a, all));
}

describe('CSV worker thread', () => {
  it('gives the same table, types, values and catalog as the in-process path', async () => {
    const content = bigCsv(30_000);
    const a = newSession();
    const b = newSession();
    csvWorkerMode.mode = 'never';
    const ra = await load(a, 'v.csv', content);
    csvWorkerMode.mode = 'always';
    const rb = await load(b, 'v.csv', content);
    expect(ra.tables[0]!.columns.map((c) => c.type)).toEqual(['integer', 'real', 'date', 'text', 'boolean']);
    expectSameImport([a, ra], [b, rb]);
    await noLiveWorkers();
  });

  it('gives the same table when big source chunks are cut into messages anywhere in a row', async () => {
    const content = bigCsv(30_000);
    const a = newSession();
    const ra = await load(a, 'v.csv', content);
    const b = newSession();
    const rb = await importFile({
      dbPath: b.dbPath,
      tempDir: b.tempDir,
      source: chunked(Buffer.from(content), 300_007),
      fileName: 'v.csv',
      quota: { limitBytes: 1e9, usedBytes: () => 0 },
    });
    expect(rb.tables[0]!.rows).toBe(30_000);
    expectSameImport([a, ra], [b, rb]);
  });

  it('hands a worker on to the next import after a clean one, never after a failed one', async () => {
    const content = bigCsv(20_000);
    // Another file first (`,`, en numbers, characters above U+FFFF): none of its state may reach the next import.
    await load(newSession(), 'other.csv', `x,y\n${'😀 a,1.5\nb,2.25\n'.repeat(5000)}`);
    const warm = csvWorkers.stats();
    expect(warm).toMatchObject({ busy: 0, idle: 1 });
    const a = newSession();
    const ra = await load(a, 'v.csv', content);
    expect(csvWorkers.stats().started).toBe(warm.started);

    const failed = await expectFailure(
      load(newSession(), 'q.csv', `a,b\n${'1,2\n'.repeat(20_000)}3,"open\n`),
    );
    expect(failed.code).toBe('unprocessable_file');
    await noLiveWorkers();
    expect(csvWorkers.stats()).toMatchObject({ busy: 0, idle: 0, started: warm.started });

    // A fresh worker, the same table as the reused one made.
    const b = newSession();
    const rb = await load(b, 'v.csv', content);
    expect(csvWorkers.stats()).toMatchObject({ busy: 0, idle: 1, started: warm.started + 1 });
    expectSameImport([a, ra], [b, rb]);
  });

  it('gives imports running at once a worker each, and keeps one of them idle afterwards', async () => {
    const content = bigCsv(20_000);
    await load(newSession(), 'warm.csv', content);
    const before = csvWorkers.stats();
    const sessions = [newSession(), newSession(), newSession()];
    const results = await Promise.all(sessions.map((s) => load(s, 'v.csv', content)));
    for (const r of results) expect(r.tables[0]!.rows).toBe(20_000);
    expectSameImport([sessions[0]!, results[0]!], [sessions[2]!, results[2]!]);
    await noLiveWorkers();
    // The idle worker served one import; two more were started, and ended once the idle place was taken again.
    expect(csvWorkers.stats()).toMatchObject({ busy: 0, idle: 1, started: before.started + 2 });
  });

  it('terminates the worker on abort, on an error inside it, and on a quota breach', async () => {
    // Abort while the worker is busy.
    const s = newSession();
    await load(s, 'before.csv', 'a\n1\n');
    const before = snapshot(s);
    const controller = new AbortController();
    let n = 0;
    async function* slow(): AsyncGenerator<Buffer> {
      yield Buffer.from('a,b\n');
      for (;;) {
        yield Buffer.from(`${n},${n}\n`.repeat(5000));
        if (++n === 30) controller.abort();
        if (n > 1000) throw new Error('not aborted');
      }
    }
    const aborted = await expectFailure(
      importFile({
        dbPath: s.dbPath,
        tempDir: s.tempDir,
        source: slow(),
        fileName: 'slow.csv',
        quota: { limitBytes: 1e9, usedBytes: () => 0 },
        signal: controller.signal,
      }),
    );
    expect(aborted.code).toBe('bad_input');
    await noLiveWorkers();
    expect(snapshot(s)).toBe(before);

    // An AppError raised inside the worker comes back as the same AppError (code, params, both languages).
    const unclosed = await expectFailure(load(s, 'q.csv', `a,b\n${'1,2\n'.repeat(50_000)}3,"never closed\n`));
    expect(unclosed.code).toBe('unprocessable_file');
    expect(unclosed.message).toMatch(/row 50002 has a quoted field that is never closed/);
    expect(unclosed.localized('pt')).toMatch(/50002/);
    await noLiveWorkers();

    // Quota crossed by the inserts the main thread makes from the worker's rows.
    const quota = await expectFailure(
      load(s, 'big.csv', bigCsv(200_000), { quota: { limitBytes: 3 * 1024 * 1024, usedBytes: () => 0 } }),
    );
    expect(quota.code).toBe('quota_exceeded');
    await noLiveWorkers();
    expect(snapshot(s)).toBe(before);
  });

  it('stops at once when the signal fires after the last byte was read', async () => {
    const s = newSession();
    const controller = new AbortController();
    async function* source(): AsyncGenerator<Buffer> {
      yield* chunked(Buffer.from(bigCsv(100_000)), 64 * 1024);
      // Every byte is handed over; the worker is still working on the last chunks.
      setImmediate(() => controller.abort());
    }
    const err = await expectFailure(
      importFile({
        dbPath: s.dbPath,
        tempDir: s.tempDir,
        source: source(),
        fileName: 'late.csv',
        quota: { limitBytes: 1e9, usedBytes: () => 0 },
        signal: controller.signal,
      }),
    );
    expect(err.code).toBe('bad_input');
    await noLiveWorkers();
    expect(readCatalog(s.dbPath)).toEqual([]);
  });

  // Last: from warm() on, the pool keeps a worker ready (serve's mode) until close().
  it('once warmed, replaces a worker whose import failed at once', async () => {
    await csvWorkers.warm();
    const warm = csvWorkers.stats();
    expect(warm).toMatchObject({ busy: 0, idle: 1 });
    const failed = await expectFailure(
      load(newSession(), 'q.csv', `a,b\n${'1,2\n'.repeat(20_000)}3,"open\n`),
    );
    expect(failed.code).toBe('unprocessable_file');
    await noLiveWorkers();
    expect(csvWorkers.stats()).toMatchObject({ busy: 0, idle: 1, started: warm.started + 1 });
    // The next import takes the replacement: nothing more is started.
    const r = await load(newSession(), 'v.csv', bigCsv(5_000));
    expect(r.tables[0]!.rows).toBe(5_000);
    expect(csvWorkers.stats()).toMatchObject({ busy: 0, idle: 1, started: warm.started + 1 });
    await csvWorkers.close();
    expect(csvWorkers.stats()).toMatchObject({ busy: 0, idle: 0 });
  });
});
