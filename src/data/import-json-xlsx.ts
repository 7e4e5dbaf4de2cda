/**
 * JSON / NDJSON and XLSX imports (main thread): records or sheet rows → RowBuilder → TableWriter.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../errors.js';
import type { StreamDecoder } from './encoding.js';
import { HeaderSampler, isBlank } from './header.js';
import {
  type Chunk,
  type ImportContext,
  type ImportTarget,
  newTable,
  SPILL_PREFIX,
  type TableEntry,
} from './import-context.js';
import { JsonArrayParser, type JsonRecord, jsonCell, NdjsonParser } from './json.js';
import { RowBuilder } from './row-builder.js';
import { readXlsx, xlsxLimits } from './xlsx.js';

/** A table and the builder feeding it, rows inserted as soon as a segment is ready. */
function startTable(
  t: ImportTarget,
  ctx: ImportContext,
  labels: string[],
  tableLabel: string,
  sheet?: string,
): { entry: TableEntry; builder: RowBuilder } {
  const entry = newTable(t, ctx, labels, tableLabel, sheet);
  const builder = new RowBuilder(labels, t.evidence, (seg) => entry.writer.write(seg));
  return { entry, builder };
}

export async function importJson(
  ctx: ImportContext,
  t: ImportTarget,
  bytes: AsyncIterable<Chunk>,
  headText: string,
  decoder: StreamDecoder,
  format: 'json' | 'ndjson',
): Promise<void> {
  const pending: JsonRecord[] = [];
  const keyIndex = new Map<string, number>();
  let table: { entry: TableEntry; builder: RowBuilder } | null = null;
  const toRow = (b: RowBuilder, rec: JsonRecord) => {
    const row: Array<string | null> = new Array(b.width).fill(null);
    for (const key of Object.keys(rec)) {
      let idx = keyIndex.get(key);
      if (idx === undefined) {
        idx = b.addColumn(key);
        keyIndex.set(key, idx);
        row.push(null);
      }
      row[idx] = jsonCell(rec[key], key);
    }
    b.writeRow(row, false);
  };
  const start = () => {
    // Columns from the keys of the first records (first-seen order); later keys are added as they appear.
    const labels: string[] = [];
    for (const rec of pending) {
      for (const key of Object.keys(rec)) {
        if (!keyIndex.has(key)) {
          keyIndex.set(key, labels.length);
          labels.push(key);
        }
      }
    }
    if (labels.length === 0)
      throw new AppError('unprocessable_file', { detail: 'the JSON objects have no fields' });
    table = startTable(t, ctx, labels, path.basename(ctx.opts.fileName));
    for (const rec of pending) toRow(table.builder, rec);
    pending.length = 0;
  };
  const onRecord = (rec: JsonRecord) => {
    if (table) toRow(table.builder, rec);
    else {
      pending.push(rec);
      if (pending.length >= 1000) start();
    }
  };
  const parser = format === 'json' ? new JsonArrayParser(onRecord) : new NdjsonParser(onRecord);
  parser.feed(headText);
  for await (const chunk of bytes) {
    parser.feed(decoder.decode(chunk));
    ctx.checkQuota();
  }
  parser.feed(decoder.end());
  parser.end();
  if (!table) {
    if (pending.length === 0) {
      throw new AppError('unprocessable_file', { detail: 'the JSON has no records' });
    }
    start();
  }
  const done = table as unknown as { entry: TableEntry; builder: RowBuilder };
  done.entry.summary = done.builder.finish();
}

/**
 * ZIP needs random access (its directory is at the end): the workbook is read in place when the upload is already a
 * file (`inPlace`, the API's spool), else spilled to temp/, counted against the quota.
 */
async function workbookFile(
  ctx: ImportContext,
  bytes: AsyncIterable<Chunk>,
  inPlace?: string,
): Promise<string> {
  if (inPlace) return inPlace;
  const spill = path.join(ctx.opts.tempDir, `${SPILL_PREFIX}${randomUUID()}.xlsx`);
  fs.mkdirSync(ctx.opts.tempDir, { recursive: true });
  ctx.spillFiles.push(spill);
  const out = fs.createWriteStream(spill);
  const counted = async function* () {
    for await (const chunk of bytes) {
      ctx.spillBytes += chunk.length;
      ctx.checkQuota();
      yield chunk;
    }
  };
  await pipeline(Readable.from(counted()), out);
  return spill;
}

export async function importXlsx(
  ctx: ImportContext,
  t: ImportTarget,
  bytes: AsyncIterable<Chunk>,
  inPlace?: string,
): Promise<void> {
  const file = await workbookFile(ctx, bytes, inPlace);
  let rowsSinceCheck = 0;
  const limits = xlsxLimits(ctx.opts.quota.limitBytes);
  const sheetsDone = await readXlsx(file, ctx.opts.sheets ?? 'first', limits, {
    onSheet: (sheetName, multi) => {
      let table: { entry: TableEntry; builder: RowBuilder } | null = null;
      const sampler = new HeaderSampler((labels, header) => {
        const tableLabel = `${path.basename(ctx.opts.fileName)} [${sheetName}]`;
        const started = startTable(t, ctx, labels, tableLabel, multi ? sheetName : undefined);
        table = started;
        if (!header) ctx.warnings.push(`sheet "${sheetName}": no header row was detected`);
        return (row) => started.builder.writeRow(row);
      });
      return {
        row: (cells: Array<string | null>) => {
          if (++rowsSinceCheck >= 2000) {
            rowsSinceCheck = 0;
            ctx.checkAbort();
            ctx.checkQuota();
          }
          const fields = cells.map((c) => c ?? '');
          if (!isBlank(fields)) sampler.push(fields);
        },
        end: () => {
          if (!sampler.started) {
            if (sampler.sampled === 0) {
              ctx.warnings.push(`sheet "${sheetName}" is empty and was skipped`);
              return false;
            }
            if (sampler.sampled === 1) {
              ctx.warnings.push(`sheet "${sheetName}" has a header row but no data rows and was skipped`);
              return false;
            }
            sampler.decide();
          }
          const done = table as unknown as { entry: TableEntry; builder: RowBuilder };
          done.entry.summary = done.builder.finish();
          return true;
        },
      };
    },
  });
  if (sheetsDone === 0) {
    throw new AppError('unprocessable_file', { detail: 'the workbook has no sheet with data' });
  }
}
