/** Shared fixtures for the data/ tests: real SQLite files in a temp dir, generated inputs, a tiny XLSX writer. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crc32, deflateRawSync, gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { type ImportOptions, type ImportResult, importFile } from '../../src/data/index.js';
import { AppError } from '../../src/errors.js';

export interface Session {
  dir: string;
  dbPath: string;
  tempDir: string;
  uploads: string;
}

const roots: string[] = [];

export function newSession(): Session {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentgraph-data-test-'));
  roots.push(dir);
  const dbPath = path.join(dir, 'db.db');
  fs.writeFileSync(dbPath, '');
  const tempDir = path.join(dir, 'temp');
  const uploads = path.join(dir, 'uploads');
  fs.mkdirSync(tempDir);
  fs.mkdirSync(uploads);
  return { dir, dbPath, tempDir, uploads };
}

export function removeSessions(): void {
  for (const d of roots.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

export function bytes(content: string | Buffer): Buffer {
  return typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
}

/** The upload as a stream of small chunks, so chunk boundaries are exercised. */
export async function* chunked(data: Buffer, size = 7): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

export function load(
  s: Session,
  fileName: string,
  content: string | Buffer,
  extra: Partial<ImportOptions> = {},
): Promise<ImportResult> {
  return importFile({
    dbPath: s.dbPath,
    tempDir: s.tempDir,
    source: chunked(bytes(content), 4096),
    fileName,
    quota: { limitBytes: 200 * 1024 * 1024, usedBytes: () => 0 },
    ...extra,
  });
}

export function query<T = Record<string, unknown>>(s: Session, sql: string, ...params: unknown[]): T[] {
  const db = new Database(s.dbPath, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

/** Everything a failed import must leave untouched: db bytes, temp/ and uploads/ listings. */
export function snapshot(s: Session): string {
  const h = createHash('sha256');
  h.update(fs.readFileSync(s.dbPath));
  const list = (d: string) => (fs.existsSync(d) ? fs.readdirSync(d).sort().join('|') : '-');
  h.update(`temp:${list(s.tempDir)} uploads:${list(s.uploads)} dir:${list(s.dir)}`);
  return h.digest('hex');
}

export async function expectFailure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected the import to fail');
}

export function gzip(content: string | Buffer): Buffer {
  return gzipSync(bytes(content));
}

/** Windows-1252 bytes for Latin text (what Excel exports on Brazilian Windows). */
export function cp1252(text: string): Buffer {
  const out = Buffer.alloc(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff) throw new Error('fixture: not latin-1');
    out[i] = c;
  }
  return out;
}

/**
 * A minimal ZIP — enough for an XLSX fixture. Stored by default; `deflate` compresses, which is what makes a
 * bomb (a few KB that inflate to hundreds of MB).
 */
export function zip(files: Record<string, string | Buffer>, options: { deflate?: boolean } = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  const method = options.deflate ? 8 : 0;
  for (const [name, text] of Object.entries(files)) {
    const raw = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
    const data = options.deflate ? deflateRawSync(raw, { level: 9 }) : raw;
    const nameBuf = Buffer.from(name, 'utf8');
    const crc = crc32(raw);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    locals.push(local, nameBuf, data);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(raw.length, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, nameBuf);
    offset += 30 + nameBuf.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

type Cell = string | number | boolean | null | { date: number };

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** An XLSX workbook: strings go to sharedStrings, `{date: serial}` cells get a dd/mm/yyyy style. */
export function xlsx(sheets: Record<string, Cell[][]>): Buffer {
  const shared: string[] = [];
  const files: Record<string, string | Buffer> = {};
  const names = Object.keys(sheets);
  names.forEach((name, k) => {
    const rows = sheets[name]!.map((row, r) => {
      const cells = row
        .map((v, c) => {
          const ref = `${String.fromCharCode(65 + c)}${r + 1}`;
          if (v === null) return '';
          if (typeof v === 'string') {
            shared.push(v);
            return `<c r="${ref}" t="s"><v>${shared.length - 1}</v></c>`;
          }
          if (typeof v === 'boolean') return `<c r="${ref}" t="b"><v>${v ? 1 : 0}</v></c>`;
          if (typeof v === 'number') return `<c r="${ref}"><v>${v}</v></c>`;
          return `<c r="${ref}" s="1"><v>${v.date}</v></c>`;
        })
        .join('');
      return `<row r="${r + 1}">${cells}</row>`;
    });
    files[`xl/worksheets/sheet${k + 1}.xml`] = sheetXml(rows.join(''));
  });
  files['xl/sharedStrings.xml'] =
    `<?xml version="1.0" encoding="UTF-8"?><sst>${shared.map((s) => `<si><t>${esc(s)}</t></si>`).join('')}</sst>`;
  return zip(workbookParts(names, files));
}

/** A worksheet around the XML of its rows. */
export function sheetXml(rows: string | Buffer): string | Buffer {
  const open =
    '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>';
  const close = '</sheetData></worksheet>';
  return typeof rows === 'string'
    ? open + rows + close
    : Buffer.concat([Buffer.from(open), rows, Buffer.from(close)]);
}

/**
 * A hostile workbook for the bounds tests: one sheet whose rows are `rows` (raw XML), shared strings `shared`
 * (raw <si> XML), deflated.
 */
export function xlsxRaw(rows: string | Buffer, shared: string | Buffer = ''): Buffer {
  const sst =
    typeof shared === 'string'
      ? `<?xml version="1.0" encoding="UTF-8"?><sst>${shared}</sst>`
      : Buffer.concat([
          Buffer.from('<?xml version="1.0" encoding="UTF-8"?><sst>'),
          shared,
          Buffer.from('</sst>'),
        ]);
  return zip(
    workbookParts(['S'], { 'xl/worksheets/sheet1.xml': sheetXml(rows), 'xl/sharedStrings.xml': sst }),
    { deflate: true },
  );
}

/** The parts every workbook has around its sheets and shared strings. */
function workbookParts(
  names: string[],
  files: Record<string, string | Buffer>,
): Record<string, string | Buffer> {
  files['[Content_Types].xml'] = '<?xml version="1.0" encoding="UTF-8"?><Types/>';
  files['xl/workbook.xml'] =
    `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>${names
      .map((n, k) => `<sheet name="${esc(n)}" sheetId="${k + 1}" r:id="rId${k + 1}"/>`)
      .join('')}</sheets></workbook>`;
  files['xl/_rels/workbook.xml.rels'] =
    `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${names
      .map(
        (_, k) => `<Relationship Id="rId${k + 1}" Type="worksheet" Target="worksheets/sheet${k + 1}.xml"/>`,
      )
      .join('')}</Relationships>`;
  files['xl/styles.xml'] =
    '<?xml version="1.0" encoding="UTF-8"?><styleSheet><numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164"/></cellXfs></styleSheet>';
  return files;
}
