/**
 * XLSX reading with yauzl (ZIP, random access, maintained) and saxes (streaming XML): sheets are streamed row by
 * row, never loaded whole. Shared strings are held in memory (the file format makes every sheet index into them),
 * bounded by the upload size, which the quota bounds.
 *
 * Cells become the same raw text a CSV would have (numbers as written by Excel, dates as ISO text, booleans as
 * true/false), so one type inference serves every format.
 */
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import yauzl from 'yauzl';
import { AppError } from '../errors.js';

export interface SheetSink {
  row(cells: Array<string | null>): void;
  /** Returns whether the sheet produced a table. */
  end(): boolean;
}

export interface XlsxHandlers {
  /** `multi`: more than one sheet is being imported (tables get the sheet name in theirs). */
  onSheet(name: string, multi: boolean): SheetSink;
}

function corrupt(detail: string, cause?: unknown): AppError {
  return new AppError(
    'unprocessable_file',
    { detail: `the XLSX file is damaged or not a workbook: ${detail}` },
    { cause },
  );
}

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: false }, (err, zip) => {
      if (err || !zip) reject(corrupt(err?.message ?? 'cannot open', err));
      else resolve(zip);
    });
  });
}

function listEntries(zip: yauzl.ZipFile): Promise<Map<string, yauzl.Entry>> {
  return new Promise((resolve, reject) => {
    const entries = new Map<string, yauzl.Entry>();
    zip.on('entry', (entry: yauzl.Entry) => {
      entries.set(entry.fileName, entry);
      zip.readEntry();
    });
    zip.once('end', () => resolve(entries));
    zip.once('error', (e: Error) => reject(corrupt(e.message, e)));
    zip.readEntry();
  });
}

/** Streams one ZIP entry as text into a SAX parser. */
function parseEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, setup: (p: SaxesParser) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err || !stream) {
        reject(corrupt(err?.message ?? entry.fileName, err));
        return;
      }
      const parser = new SaxesParser();
      let failed = false;
      const fail = (e: unknown) => {
        if (failed) return;
        failed = true;
        stream.destroy();
        reject(e instanceof AppError ? e : corrupt(`${entry.fileName}: ${(e as Error).message}`, e));
      };
      parser.on('error', fail);
      setup(parser);
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        if (failed) return;
        try {
          parser.write(chunk);
        } catch (e) {
          fail(e);
        }
      });
      stream.on('error', fail);
      stream.on('end', () => {
        if (failed) return;
        try {
          parser.close();
          resolve();
        } catch (e) {
          fail(e);
        }
      });
    });
  });
}

async function readXml(zip: yauzl.ZipFile, entry: yauzl.Entry | undefined, setup: (p: SaxesParser) => void) {
  if (entry) await parseEntry(zip, entry, setup);
}

const BUILTIN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 30, 36, 45, 46, 47, 50, 57]);

/** 'date' / 'datetime' / 'time' when a number format shows dates or times, else null. */
function formatKind(id: number, code: string | undefined): 'date' | 'time' | null {
  if (code === undefined) {
    if (BUILTIN_DATE_FORMATS.has(id))
      return id >= 18 && id <= 21 ? 'time' : id === 45 || id === 46 || id === 47 ? 'time' : 'date';
    return null;
  }
  const bare = code
    .replace(/"[^"]*"/g, '')
    .replace(/\\./g, '')
    .replace(/\[[^\]]*\]/g, '')
    .toLowerCase();
  if (/[dy]/.test(bare)) return 'date';
  if (/[hs]/.test(bare)) return 'time';
  return null;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/** Excel serial day number → ISO date or date-time (1900 system with its leap-year bug, or 1904). */
export function excelSerialToIso(serial: number, date1904: boolean): string {
  const days = date1904 ? serial + 1462 : serial;
  const ms = Math.round((days - 25569) * 86400) * 1000;
  const d = new Date(ms);
  const date = `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
  if (ms % 86400000 === 0) return date;
  return `${date} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
}

function columnIndex(ref: string): number {
  let n = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c < 65 || c > 90) break;
    n = n * 26 + (c - 64);
  }
  return n - 1;
}

function resolveTarget(target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  const parts = `xl/${target}`.split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '..') out.pop();
    else if (p !== '.' && p !== '') out.push(p);
  }
  return out.join('/');
}

/** Reads the workbook; returns how many sheets produced a table. */
export async function readXlsx(
  file: string,
  which: 'first' | 'all',
  handlers: XlsxHandlers,
): Promise<number> {
  const zip = await openZip(file);
  try {
    const entries = await listEntries(zip);
    const workbook = entries.get('xl/workbook.xml');
    if (!workbook) throw corrupt('xl/workbook.xml is missing (is this an .ods or .docx file?)');

    // Sheets in workbook order, and the 1904 date system flag.
    const sheets: Array<{ name: string; rid: string }> = [];
    let date1904 = false;
    await readXml(zip, workbook, (p) => {
      p.on('opentag', (tag: SaxesTagPlain) => {
        if (tag.name === 'sheet') {
          sheets.push({ name: String(tag.attributes.name ?? ''), rid: String(tag.attributes['r:id'] ?? '') });
        } else if (tag.name === 'workbookPr') {
          const v = String(tag.attributes.date1904 ?? '');
          date1904 = v === '1' || v === 'true';
        }
      });
    });
    const rels = new Map<string, string>();
    await readXml(zip, entries.get('xl/_rels/workbook.xml.rels'), (p) => {
      p.on('opentag', (tag: SaxesTagPlain) => {
        if (tag.name === 'Relationship') {
          rels.set(String(tag.attributes.Id), resolveTarget(String(tag.attributes.Target)));
        }
      });
    });

    // Number formats: which cell styles show dates.
    const customFormats = new Map<number, string>();
    const xfFormats: number[] = [];
    let inCellXfs = false;
    await readXml(zip, entries.get('xl/styles.xml'), (p) => {
      p.on('opentag', (tag: SaxesTagPlain) => {
        if (tag.name === 'numFmt') {
          customFormats.set(Number(tag.attributes.numFmtId), String(tag.attributes.formatCode ?? ''));
        } else if (tag.name === 'cellXfs') inCellXfs = true;
        else if (tag.name === 'xf' && inCellXfs) xfFormats.push(Number(tag.attributes.numFmtId ?? 0));
      });
      p.on('closetag', (tag) => {
        if (tag.name === 'cellXfs') inCellXfs = false;
      });
    });
    const styleKind = xfFormats.map((id) => formatKind(id, customFormats.get(id)));

    const shared: string[] = [];
    {
      let inSi = false;
      let inT = false;
      let inPhonetic = false;
      let text = '';
      await readXml(zip, entries.get('xl/sharedStrings.xml'), (p) => {
        p.on('opentag', (tag: SaxesTagPlain) => {
          if (tag.name === 'si') {
            inSi = true;
            text = '';
          } else if (tag.name === 't' && inSi && !inPhonetic) inT = true;
          else if (tag.name === 'rPh') inPhonetic = true;
        });
        p.on('text', (t: string) => {
          if (inT) text += t;
        });
        p.on('closetag', (tag) => {
          if (tag.name === 't') inT = false;
          else if (tag.name === 'rPh') inPhonetic = false;
          else if (tag.name === 'si') {
            shared.push(text);
            inSi = false;
          }
        });
      });
    }

    const chosen = which === 'first' ? sheets.slice(0, 1) : sheets;
    let produced = 0;
    for (const sheet of chosen) {
      const target = rels.get(sheet.rid);
      const entry = target ? entries.get(target) : undefined;
      if (!entry) throw corrupt(`sheet "${sheet.name}" is missing`);
      const sink = handlers.onSheet(sheet.name, chosen.length > 1);
      let row: Array<string | null> = [];
      let cellIndex = 0;
      let cellType = 'n';
      let cellStyle = 0;
      let value = '';
      let inValue = false;
      let inInline = false;
      await parseEntry(zip, entry, (p) => {
        p.on('opentag', (tag: SaxesTagPlain) => {
          switch (tag.name) {
            case 'row':
              row = [];
              break;
            case 'c': {
              const ref = tag.attributes.r;
              cellIndex = ref ? columnIndex(String(ref)) : row.length;
              cellType = String(tag.attributes.t ?? 'n');
              cellStyle = Number(tag.attributes.s ?? 0);
              value = '';
              break;
            }
            case 'v':
              inValue = true;
              break;
            case 'is':
              inInline = true;
              break;
            case 't':
              if (inInline) inValue = true;
              break;
          }
        });
        p.on('text', (t: string) => {
          if (inValue) value += t;
        });
        p.on('closetag', (tag) => {
          switch (tag.name) {
            case 'v':
            case 't':
              inValue = false;
              break;
            case 'is':
              inInline = false;
              break;
            case 'c': {
              let cell: string | null;
              if (cellType === 's') cell = shared[Number(value)] ?? null;
              else if (cellType === 'b') cell = value === '1' ? 'true' : value === '0' ? 'false' : null;
              else if (cellType === 'e') cell = null;
              else if (cellType === 'n' && value !== '') {
                const kind = styleKind[cellStyle];
                const n = Number(value);
                if (kind === 'date' && Number.isFinite(n)) cell = excelSerialToIso(n, date1904);
                else if (kind === 'time' && Number.isFinite(n) && n < 1) {
                  cell = excelSerialToIso(n + 25569, false).slice(11) || '00:00:00';
                } else cell = value;
              } else cell = value === '' ? null : value;
              while (row.length < cellIndex) row.push(null);
              row[cellIndex] = cell;
              break;
            }
            case 'row':
              sink.row(row);
              break;
          }
        });
      });
      if (sink.end()) produced++;
    }
    return produced;
  } finally {
    zip.close();
  }
}
