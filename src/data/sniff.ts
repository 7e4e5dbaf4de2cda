/**
 * Sniffing: what kind of file this is, from its first bytes (never from the extension alone, which users get
 * wrong: `.csv` files that are really `;`-separated, `.xls` names on XLSX content, gzip without `.gz`).
 */
import { CsvParser } from './csv-parser.js';

export type TextFormat = 'csv' | 'json' | 'ndjson';

export const SNIFF_BYTES = 64 * 1024;

export function isGzip(head: Uint8Array): boolean {
  return head[0] === 0x1f && head[1] === 0x8b;
}

/** ZIP local-file header: XLSX (and XLSM/ODS, which we do not read) are ZIP containers. */
export function isZip(head: Uint8Array): boolean {
  return head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
}

/** Old binary Excel (.xls, OLE2 compound file): recognised only to give a helpful message. */
export function isOle2(head: Uint8Array): boolean {
  return head[0] === 0xd0 && head[1] === 0xcf && head[2] === 0x11 && head[3] === 0xe0;
}

/**
 * Binary content: NUL bytes (text in UTF-16 has a BOM and is handled before this), or more than 1% of control
 * characters other than tab, LF, CR, FF. Text exports never have those; images, PDFs and executables do.
 */
export function looksBinary(head: Uint8Array): boolean {
  let control = 0;
  const n = head.length;
  for (let i = 0; i < n; i++) {
    const b = head[i]!;
    if (b === 0) return true;
    if (b < 0x20 && b !== 9 && b !== 10 && b !== 13 && b !== 12) control++;
    else if (b === 0x7f) control++;
  }
  return control > Math.max(2, n / 100);
}

export function detectTextFormat(text: string, fileName: string): TextFormat {
  const lower = fileName.toLowerCase().replace(/\.(gz|gzip)$/, '');
  const first = text.match(/^\s*(\S)/)?.[1];
  if (first === '[') return 'json';
  if (first === '{') {
    if (/\.(ndjson|jsonl)$/.test(lower)) return 'ndjson';
    // `{...}\n{...}` is NDJSON; a single pretty-printed object is not a table.
    return 'ndjson';
  }
  return 'csv';
}

export const DELIMITERS = [',', ';', '\t', '|'] as const;

/**
 * Picks the delimiter whose field count is most consistent over the first rows (parsed with the real parser, so
 * quoted delimiters do not count). Ties go to the extension's natural delimiter, then to the order above.
 */
export function sniffDelimiter(text: string, fileName: string): string {
  // Only complete lines: the sample may end in the middle of a row.
  const cut = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r'));
  const sample = cut > 0 ? text.slice(0, cut) : text;
  const preferTab = /\.(tsv|tab)(\.gz)?$/i.test(fileName);
  let best: { delim: string; score: number; width: number } = {
    delim: preferTab ? '\t' : ',',
    score: -1,
    width: 1,
  };
  for (const delim of preferTab ? ['\t', ',', ';', '|'] : DELIMITERS) {
    const counts: number[] = [];
    const parser = new CsvParser(delim, (fields) => {
      if (counts.length < 100 && !(fields.length === 1 && fields[0] === '')) counts.push(fields.length);
    });
    try {
      parser.feed(sample);
      parser.end();
    } catch {
      continue;
    }
    if (counts.length === 0) continue;
    const freq = new Map<number, number>();
    for (const c of counts) freq.set(c, (freq.get(c) ?? 0) + 1);
    let mode = 1;
    let modeCount = 0;
    for (const [width, count] of freq) {
      if (count > modeCount || (count === modeCount && width > mode)) {
        mode = width;
        modeCount = count;
      }
    }
    if (mode < 2) continue;
    // Consistency first (share of rows with the modal width), then width.
    const score = modeCount / counts.length;
    if (score > best.score + 1e-9 || (Math.abs(score - best.score) <= 1e-9 && mode > best.width)) {
      best = { delim, score, width: mode };
    }
  }
  return best.delim;
}
