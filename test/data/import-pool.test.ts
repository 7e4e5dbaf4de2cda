/**
 * The import pool (issue 12): every upload is parsed in a child process with bounds on what a file can make it hold
 * or do, and limits on memory, CPU and time. Each hostile file here once cost the API process its life, gigabytes of
 * memory or tens of seconds of CPU; now it must cost one child at most, answer with a clear code, and leave the
 * session exactly as it was.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ImportPool } from '../../src/data/import-pool.js';
import { readCatalog } from '../../src/data/index.js';
import { SPOOL_PREFIX } from '../../src/data/spool.js';
import { AppError } from '../../src/errors.js';
import { sleep } from '../helpers/services.js';
import { gzip, load, newSession, removeSessions, type Session, snapshot, xlsxRaw } from './helpers.js';

const MB = 1024 * 1024;
const pools: ImportPool[] = [];

function pool(options: Partial<ConstructorParameters<typeof ImportPool>[0]> = {}): ImportPool {
  const p = new ImportPool({ size: 1, timeoutMs: 60_000, memoryBytes: 512 * MB, ...options });
  pools.push(p);
  return p;
}

afterEach(() => removeSessions());
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

/** The upload as the API leaves it: spooled into temp/. */
function spool(s: Session, content: Buffer | string): { sourcePath: string; sourceBytes: number } {
  const sourcePath = path.join(s.tempDir, `${SPOOL_PREFIX}test-${Math.random().toString(36).slice(2)}`);
  fs.writeFileSync(sourcePath, content);
  return { sourcePath, sourceBytes: fs.statSync(sourcePath).size };
}

function request(s: Session, content: Buffer | string, fileName: string, limitBytes = 200 * MB) {
  return {
    type: 'import' as const,
    dbPath: s.dbPath,
    tempDir: s.tempDir,
    ...spool(s, content),
    keepAs: path.join(s.uploads, fileName),
    fileName,
    limitBytes,
    usedBytes: 0,
  };
}

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected the import to be refused');
}

/** A session with one table already, and what must not change. */
async function sessionWithTable(): Promise<{ s: Session; before: string; catalog: unknown }> {
  const s = newSession();
  await load(s, 'keep.csv', 'a,b\n1,x\n2,y\n');
  // The spooled file of the hostile upload lands in temp/ after the snapshot; leave temp/ out of the comparison.
  return { s, before: snapshot(s), catalog: readCatalog(s.dbPath) };
}

function withoutSpool(s: Session): void {
  for (const f of fs.readdirSync(s.tempDir))
    if (f.startsWith(SPOOL_PREFIX)) fs.rmSync(path.join(s.tempDir, f));
}

describe('bounds on what a file can make an import hold or do', () => {
  const p = pool();

  it.each([
    [
      'a cell beyond the last column (ZZZZZZZ1)',
      () => xlsxRaw('<row r="1"><c r="ZZZZZZZ1"><v>1</v></c></row>'),
      /XFD/,
    ],
    [
      'more rows than Excel allows (2,000,000 empty <row/>)',
      () => xlsxRaw(Buffer.from('<row/>'.repeat(2_000_000))),
      /1048576 rows/,
    ],
    [
      'shared strings beyond the bound (40 strings of 1 MB, 16 MB quota)',
      () =>
        xlsxRaw(
          '<row r="1"><c r="A1" t="s"><v>0</v></c></row>',
          `<si><t>${'x'.repeat(MB - 10)}</t></si>`.repeat(40),
        ),
      /shared strings/,
    ],
    [
      'a cell longer than 1 M characters',
      () => xlsxRaw(`<row r="1"><c r="A1" t="inlineStr"><is><t>${'y'.repeat(1.1 * MB)}</t></is></c></row>`),
      /cell is longer/,
    ],
    [
      'a sheet inflating beyond 8× the quota (200 MB of blanks)',
      () => xlsxRaw(Buffer.alloc(200 * MB, 0x20)),
      /inflates to more than/,
    ],
  ])('XLSX: %s → 422, the session unchanged', async (_name, make, message) => {
    const { s, before, catalog } = await sessionWithTable();
    const error = await refusal(p.import(request(s, make(), 'bomb.xlsx', 16 * MB)));
    expect(error.code).toBe('unprocessable_file');
    expect(error.status).toBe(422);
    expect(error.message).toMatch(message);
    withoutSpool(s);
    expect(snapshot(s)).toBe(before);
    expect(readCatalog(s.dbPath)).toEqual(catalog);
    expect(p.stats().crashes).toBe(0);
  });

  it('JSON nested 100,000 deep → 422 (was a stack overflow and a 500)', async () => {
    const { s, before } = await sessionWithTable();
    const deep = `[{"a": ${'['.repeat(100_000)}${']'.repeat(100_000)}}]`;
    const error = await refusal(p.import(request(s, deep, 'deep.json')));
    expect(error.code).toBe('unprocessable_file');
    expect(error.message).toMatch(/nested more than 64 levels/);
    const ndjson = `{"a": 1}\n{"b": ${'{"c":'.repeat(100_000)}1${'}'.repeat(100_000)}}\n`;
    expect((await refusal(p.import(request(s, ndjson, 'deep.ndjson')))).message).toMatch(/line 2 is nested/);
    withoutSpool(s);
    expect(snapshot(s)).toBe(before);
  });

  it('a gzip that inflates beyond twice the quota → 413 quota_exceeded', async () => {
    const { s, before } = await sessionWithTable();
    const bomb = gzip(Buffer.alloc(40 * MB, 0x0a)); // 40 MB of newlines, ~40 KB compressed
    const error = await refusal(p.import(request(s, bomb, 'lines.csv.gz', 16 * MB)));
    expect(error.code).toBe('quota_exceeded');
    expect(error.status).toBe(413);
    withoutSpool(s);
    expect(snapshot(s)).toBe(before);
  });
});

describe('limits of an import process', () => {
  /** ~1,000,000 rows, ~35 MB: seconds of work, far more than the limits below allow. */
  const bigCsv = (() => {
    const lines = ['n,label,amount'];
    for (let i = 0; i < 1_000_000; i++) lines.push(`${i},row number ${i},${(i * 1.5).toFixed(1)}`);
    return `${lines.join('\n')}\n`;
  })();

  it('a time limit stops the import: import_limit, the session as before, and the next import works', async () => {
    const p = pool({ timeoutMs: 300 });
    const { s, before, catalog } = await sessionWithTable();
    const error = await refusal(p.import(request(s, bigCsv, 'big.csv')));
    expect(error.code).toBe('import_limit');
    expect(error.message).toMatch(/longer than 0.3 s/);
    expect(fs.existsSync(`${s.dbPath}-journal`)).toBe(false);
    withoutSpool(s);
    expect(snapshot(s)).toBe(before);
    expect(readCatalog(s.dbPath)).toEqual(catalog);
    // Its wall clock or its CPU budget (the same figure; two threads can spend it faster) stopped it.
    expect(p.stats().timeouts + p.stats().overruns).toBe(1);
    const ok = await p.import(request(s, 'x\n1\n', 'small.csv'));
    expect(ok.all.map((t) => t.name)).toEqual(['keep', 'small']);
  });

  it('a memory ceiling stops the import that needs more: import_limit, the session as before', async () => {
    // 100 distinct shared strings of 1 MB: within the bounds for a 200 MB session, far beyond 160 MB of memory (an idle child from source takes ~120).
    const strings = Array.from(
      { length: 100 },
      (_, i) => `<si><t>${String(i).padStart(4, '0')}${'z'.repeat(MB - 10)}</t></si>`,
    );
    const book = xlsxRaw('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', strings.join(''));
    const p = pool({ memoryBytes: 160 * MB });
    const { s, before } = await sessionWithTable();
    const error = await refusal(p.import(request(s, book, 'wide.xlsx')));
    expect(error.code).toBe('import_limit');
    expect(error.message).toMatch(/memory/);
    withoutSpool(s);
    expect(snapshot(s)).toBe(before);
    expect((await p.import(request(s, 'x\n1\n', 'small.csv'))).tables[0]!.rows).toBe(1);
  });

  it('kill -9 of the import process mid-transaction: rolled back before the caller hears, the session usable', async () => {
    const p = pool();
    await p.warm();
    const { s, before, catalog } = await sessionWithTable();
    const [pid] = p.stats().pids;
    const running = refusal(p.import(request(s, bigCsv, 'big.csv')));
    // Kill it once it is surely writing: its rollback journal exists.
    const deadline = Date.now() + 30_000;
    while (!fs.existsSync(`${s.dbPath}-journal`) && Date.now() < deadline) await sleep(5);
    await sleep(100);
    process.kill(pid!, 'SIGKILL');
    const error = await running;
    expect(error.code).toBe('import_limit');
    expect(fs.existsSync(`${s.dbPath}-journal`)).toBe(false);
    withoutSpool(s);
    expect(snapshot(s)).toBe(before);
    expect(readCatalog(s.dbPath)).toEqual(catalog);
    expect(p.stats().crashes).toBe(1);
    expect((await p.import(request(s, 'x\n1\n', 'small.csv'))).all.map((t) => t.name)).toEqual([
      'keep',
      'small',
    ]);
  });
});
