/**
 * XLSX reading with yauzl (ZIP, random access, maintained) and saxes (streaming XML): sheets are streamed row by
 * row, never loaded whole. Shared strings are held in memory (the file format makes every sheet index into them).
 *
 * A workbook is a ZIP: a few KB can inflate to gigabytes, and a cell can name any column. Everything it can make us
 * hold or do is bounded while streaming (XlsxLimits, issue 12): inflated bytes of all entries together, characters
 * of the shared strings and of one cell, rows (Excel's 1,048,576) and columns (Excel's XFD = 16,384). A 1 KB file
 * with one cell at `ZZZZZZZ1` once padded a row to 321 million entries and killed the process.
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

/** Excel's own sheet size: a reference or a count beyond it is not a workbook Excel (or anyone) could open. */
export const XLSX_MAX_ROWS = 1_048_576;
export const XLSX_MAX_COLUMNS = 16_384;
/**
 * Sheet XML is verbose (a value of a few bytes takes ~30–60 bytes of `<c r=".." s=".."><v>…</v></c>`), so a workbook
 * whose data fits the session can inflate to several times its limit; beyond 8× it cannot.
 */
const XLSX_INFLATE_RATIO = 8;
/** Characters of all shared strings together: they stay in memory for the whole import. */
const MAX_SHARED_CHARS = 64 * 1024 * 1024;
/** Characters in one cell (the CSV field bound; Excel itself stops at 32,767). */
const MAX_CELL_CHARS = 1024 * 1024;

export interface XlsxLimits {
  /** Inflated bytes of all the entries read, together. */
  maxInflatedBytes: number;
  maxSharedChars: number;
  maxCellChars: number;
}

/** The bounds for a session with `quotaBytes` of storage. */
export function xlsxLimits(quotaBytes: number): XlsxLimits {
  return {
    maxInflatedBytes: XLSX_INFLATE_RATIO * quotaBytes,
    maxSharedChars: Math.min(MAX_SHARED_CHARS, quotaBytes),
    maxCellChars: MAX_CELL_CHARS,
  };
}

function tooBig(detail: string): AppError {
  return new AppError('unprocessable_file', { detail: `the workbook is too large to import: ${detail}` });
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

/** Inflated bytes read so far from a workbook, against its bound. */
interface Inflated {
  bytes: number;
  max: number;
}

/** Streams one ZIP entry as text into a SAX parser, counting what it inflates to. */
function parseEntry(
  zip: yauzl.ZipFile,
  entry: yauzl.Entry,
  inflated: Inflated,
  setup: (p: SaxesParser) => void,
): Promise<void> {
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
          inflated.bytes += chunk.length;
          if (inflated.bytes > inflated.max) {
            throw tooBig(`it inflates to more than ${Math.round(inflated.max / 1048576)} MB`);
          }
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

async function readXml(
  zip: yauzl.ZipFile,
  entry: yauzl.Entry | undefined,
  inflated: Inflated,
  setup: (p: SaxesParser) => void,
) {
  if (entry) await parseEntry(zip, entry, inflated, setup);
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

/** 0-based column of a cell reference (`C7` → 2); refuses one beyond XFD before it is computed in full. */
function columnIndex(ref: string): number {
  let n = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c < 65 || c > 90) break;
    n = n * 26 + (c - 64);
    if (n > XLSX_MAX_COLUMNS) throw beyondColumns(ref);
  }
  return n - 1;
}

function beyondColumns(ref: string): AppError {
  return tooBig(`cell ${ref.slice(0, 20)} is beyond the last column Excel allows (XFD, ${XLSX_MAX_COLUMNS})`);
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
  limits: XlsxLimits,
  handlers: XlsxHandlers,
): Promise<number> {
  const zip = await openZip(file);
  const inflated: Inflated = { bytes: 0, max: limits.maxInflatedBytes };
  /** Appends text to a cell's value, refusing a cell longer than the bound. */
  const grow = (value: string, text: string) => {
    if (value.length + text.length > limits.maxCellChars) {
      throw tooBig(`a cell is longer than ${Math.round(limits.maxCellChars / 1024)} K characters`);
    }
    return value + text;
  };
  try {
    const entries = await listEntries(zip);
    const workbook = entries.get('xl/workbook.xml');
    if (!workbook) throw corrupt('xl/workbook.xml is missing (is this an .ods or .docx file?)');

    // Sheets in workbook order, and the 1904 date system flag.
    const sheets: Array<{ name: string; rid: string }> = [];
    let date1904 = false;
    await readXml(zip, workbook, inflated, (p) => {
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
    await readXml(zip, entries.get('xl/_rels/workbook.xml.rels'), inflated, (p) => {
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
    await readXml(zip, entries.get('xl/styles.xml'), inflated, (p) => {
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
      let sharedChars = 0;
      await readXml(zip, entries.get('xl/sharedStrings.xml'), inflated, (p) => {
        p.on('opentag', (tag: SaxesTagPlain) => {
          if (tag.name === 'si') {
            inSi = true;
            text = '';
          } else if (tag.name === 't' && inSi && !inPhonetic) inT = true;
          else if (tag.name === 'rPh') inPhonetic = true;
        });
        p.on('text', (t: string) => {
          if (inT) text = grow(text, t);
        });
        p.on('closetag', (tag) => {
          if (tag.name === 't') inT = false;
          else if (tag.name === 'rPh') inPhonetic = false;
          else if (tag.name === 'si') {
            sharedChars += text.length;
            if (sharedChars > limits.maxSharedChars) {
              throw tooBig(
                `its shared strings exceed ${Math.round(limits.maxSharedChars / 1048576)} M characters`,
              );
            }
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
      let rows = 0;
      await parseEntry(zip, entry, inflated, (p) => {
        p.on('opentag', (tag: SaxesTagPlain) => {
          switch (tag.name) {
            case 'row':
              if (++rows > XLSX_MAX_ROWS) {
                throw tooBig(`sheet "${sheet.name}" has more than ${XLSX_MAX_ROWS} rows, Excel's maximum`);
              }
              row = [];
              break;
            case 'c': {
              const ref = tag.attributes.r;
              cellIndex = ref ? columnIndex(String(ref)) : row.length;
              if (cellIndex >= XLSX_MAX_COLUMNS) throw beyondColumns(String(ref ?? `#${cellIndex + 1}`));
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
          if (inValue) value = grow(value, t);
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
