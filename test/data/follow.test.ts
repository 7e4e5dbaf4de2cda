/**
 * Imports that follow an upload as it arrives (issue 14): the real spool, import pool and import child. A follow
 * must give the same tables as an import of the finished file, must never make another upload wait (it steps back
 * when the client stalls or another import needs the process), and a file that fails while arriving must stop the
 * upload early with its own error and leave the session as it was.
 */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { SPOOL_PREFIX } from '../../src/data/spool.js';
import { AppError } from '../../src/errors.js';
import type { SessionDoc } from '../../src/sessions/session.js';
import { makeServices, sleep, type TestServices } from '../helpers/services.js';
import { load, newSession, removeSessions } from './helpers.js';

const MB = 1024 * 1024;

/** A CSV of about `bytes` bytes: id, a text and an amount with a decimal comma (so types are inferred). */
function csvOf(bytes: number): { text: string; rows: number } {
  const lines = ['id;name;amount'];
  let size = lines[0]!.length + 1;
  let rows = 0;
  while (size < bytes) {
    rows += 1;
    const line = `${rows};item ${rows % 997};${rows % 1000},${String(rows % 100).padStart(2, '0')}`;
    lines.push(line);
    size += line.length + 1;
  }
  return { text: `${lines.join('\n')}\n`, rows };
}

/** The upload in 64 KB pieces; `pause(i)` may wait before piece i (a slow client). */
async function* arriving(text: string, pause: (piece: number) => Promise<void> = async () => {}) {
  const data = Buffer.from(text);
  for (let i = 0, piece = 0; i < data.length; i += 64 * 1024, piece++) {
    await pause(piece);
    yield data.subarray(i, i + 64 * 1024);
  }
}

/** The whole upload in one piece. */
async function* once(data: string | Buffer) {
  yield typeof data === 'string' ? Buffer.from(data) : data;
}

let services: TestServices;
afterEach(async () => {
  removeSessions();
  await services?.dispose();
});

async function setUp(overrides: Record<string, string> = {}) {
  services = makeServices('local', { MAX_SESSIONS_PER_IP: '10', ...overrides });
  // As `serve` does at start-up: a following import needs an import process ready.
  await services.imports.warm();
  return services;
}

async function rowsOf(doc: SessionDoc, table: string): Promise<number> {
  const tables = await services.tables.list((await services.sessions.peek(doc.session_id))!);
  return tables.find((t) => t.name === table)?.rows ?? -1;
}

function spooledLeft(doc: SessionDoc): string[] {
  return fs
    .readdirSync(services.paths.subdir(doc.session_id, 'temp'))
    .filter((f) => f.startsWith(SPOOL_PREFIX));
}

describe('an upload imported while it arrives', () => {
  it('gives the same table as importing the finished file, and keeps the original', async () => {
    await setUp();
    const { text, rows } = csvOf(3 * MB);
    const followed = await services.sessions.create('10.9.0.1');
    const outcome = await services.tables.upload(followed, {
      source: arriving(text),
      fileName: 'vendas.csv',
    });
    expect(services.imports.stats().follows).toMatchObject({ started: 1, imported: 1, abandoned: 0 });
    expect(outcome.tables[0]).toMatchObject({ name: 'vendas', rows });
    expect(outcome.original_kept).toBe(true);

    // The same bytes imported from a finished file, straight through the data layer.
    const plain = await load(newSession(), 'vendas.csv', text);
    expect(outcome.tables).toEqual(plain.tables);
    expect(spooledLeft(followed)).toEqual([]);
    expect(fs.readdirSync(services.paths.subdir(followed.session_id, 'uploads'))).toHaveLength(1);
  });

  it('steps back when the client stalls, and imports the file once it is complete', async () => {
    await setUp();
    const { text, rows } = csvOf(3 * MB);
    const doc = await services.sessions.create('10.9.0.2');
    // 2 MB quickly, then nothing for longer than a follow waits (1 s), then the rest.
    const outcome = await services.tables.upload(doc, {
      source: arriving(text, async (piece) => {
        if (piece === 32) await sleep(1500);
      }),
      fileName: 'slow.csv',
    });
    expect(services.imports.stats().follows).toMatchObject({ started: 1, imported: 0, abandoned: 1 });
    expect(outcome.tables[0]).toMatchObject({ name: 'slow', rows });
    expect(await rowsOf(doc, 'slow')).toBe(rows);
    expect(spooledLeft(doc)).toEqual([]);
  });

  it('steps back as soon as another upload needs the import process', async () => {
    await setUp({ IMPORT_CONCURRENCY: '1' });
    const big = csvOf(4 * MB);
    const small = csvOf(100 * 1024);
    const a = await services.sessions.create('10.9.0.3');
    const b = await services.sessions.create('10.9.0.4');
    let release!: () => void;
    const halfway = new Promise<void>((resolve) => {
      release = resolve;
    });
    // A follows, then pauses briefly (less than a stall) while B arrives and waits for the only process.
    const first = services.tables.upload(a, {
      source: arriving(big.text, async (piece) => {
        if (piece === 24) release();
        if (piece >= 24 && piece < 32) await sleep(100);
      }),
      fileName: 'a.csv',
    });
    await halfway;
    const order: string[] = [];
    const second = services.tables
      .upload(b, { source: once(small.text), fileName: 'b.csv' })
      .finally(() => order.push('b'));
    const [ra, rb] = await Promise.all([first.finally(() => order.push('a')), second]);
    expect(rb.tables[0]).toMatchObject({ name: 'b', rows: small.rows });
    expect(ra.tables[0]).toMatchObject({ name: 'a', rows: big.rows });
    expect(services.imports.stats().follows).toMatchObject({ started: 1, abandoned: 1 });
    // B did not wait for A's upload to finish arriving: had A kept the only process, B would have ended after it.
    expect(order).toEqual(['b', 'a']);
  });

  it('a file that fails while arriving stops the upload with its own error; the session is as before', async () => {
    await setUp();
    const doc = await services.sessions.create('10.9.0.5');
    await services.tables.upload(doc, { source: once('a,b\n1,x\n'), fileName: 'keep.csv' });
    // Binary bytes under a .csv name: refused as soon as the import sniffs them, long before the upload ends.
    const junk = Buffer.alloc(8 * MB);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919) % 251;
    let sent = 0;
    const error = await services.tables
      .upload(doc, {
        source: (async function* () {
          for (let i = 0; i < junk.length; i += 64 * 1024) {
            sent += 64 * 1024;
            yield junk.subarray(i, i + 64 * 1024);
            await sleep(2); // a network's pace: the failure has time to arrive before the last byte
          }
        })(),
        fileName: 'junk.csv',
      })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('unsupported_media_type');
    expect(sent).toBeLessThan(junk.length);
    expect(services.imports.stats().follows).toMatchObject({ started: 1, failed: 1 });
    const tables = await services.tables.list((await services.sessions.peek(doc.session_id))!);
    expect(tables.map((t) => t.name)).toEqual(['keep']);
    expect(spooledLeft(doc)).toEqual([]);
  });

  it('a client that goes away mid-upload: the followed import is rolled back, nothing is left', async () => {
    await setUp();
    const doc = await services.sessions.create('10.9.0.6');
    const controller = new AbortController();
    const { text } = csvOf(4 * MB);
    const error = await services.tables
      .upload(doc, {
        source: arriving(text, async (piece) => {
          if (piece === 40) controller.abort();
          await sleep(1);
        }),
        fileName: 'gone.csv',
        signal: controller.signal,
      })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect((error as AppError).code).toBe('bad_input');
    expect(services.imports.stats().follows.started).toBe(1);
    expect(await services.tables.list((await services.sessions.peek(doc.session_id))!)).toEqual([]);
    expect(spooledLeft(doc)).toEqual([]);
    expect(fs.readdirSync(services.paths.subdir(doc.session_id, 'uploads'))).toEqual([]);
  });
});
