/**
 * Summary rows (issue 13, item 6): the "Total" / "Média" row many tables end with (Wikipedia's medal tables,
 * spreadsheet exports). RowBuilder holds back rows that look like one and decides at the end of the table; these
 * are the tests on a row's text.
 *
 * A row looks like a summary when its first non-empty cell is exactly a summary word, in any case, with accents
 * or not, optionally followed by `:`, a parenthesis or footnote marks (`Total`, `TOTALS`, `Total:`,
 * `Total (75 NPCs)`, `Grand total`, `Total geral`, `Média`, `Soma`). A cell that merely starts with one (`Total
 * Recall`, `Total towns`, `Sum 41`) is a value, not a summary label.
 */
import { isTrimmable } from './types.js';
import { footnoteEnd } from './units.js';

const SUMMARY_WORDS = new Set([
  'total',
  'totals',
  'grand total',
  'grand totals',
  'sum',
  'average',
  'averages',
  'mean',
  'total geral',
  'totais',
  'soma',
  'media',
  'media geral',
]);

/** Longest cell tested (`Grand totals (75 nations)`); longer cells are values. */
const MAX_LABEL = 40;

/**
 * The first three letters of every summary word, lower case (`tot`, `gra`, `sum`, `ave`, `mea`, `med`, `méd`,
 * `som`): most cells fail this before anything is allocated (`Sul`, `Sudeste`, `Amazonas` do).
 */
function mayBeLabel(s: string): boolean {
  const a = s.charCodeAt(0) | 0x20;
  const b = s.charCodeAt(1) | 0x20;
  const c = s.charCodeAt(2) | 0x20;
  switch (a) {
    case 116: // t
      return b === 111 && c === 116;
    case 103: // g
      return b === 114 && c === 97;
    case 115: // s
      return (b === 117 && c === 109) || (b === 111 && c === 109);
    case 97: // a
      return b === 118 && c === 101;
    case 109: // m
      return (b === 101 && (c === 97 || c === 100)) || (b === 0xe9 && c === 100);
    default:
      return false;
  }
}

/** The summary word of `cell` (`Total (75 NPCs)` → `total`), or null when the cell is not a summary label. */
export function summaryLabel(cell: string): string | null {
  if (cell.length > MAX_LABEL || cell.length < 3) return null;
  let s = cell;
  if (isTrimmable(s.charCodeAt(0)) || isTrimmable(s.charCodeAt(s.length - 1))) s = s.trim();
  if (s.length < 3 || !mayBeLabel(s)) return null;
  s = s.slice(0, footnoteEnd(s));
  const paren = s.indexOf('(');
  if (paren > 0 && s.endsWith(')')) s = s.slice(0, paren);
  s = s.replace(/[\s:]+$/, '');
  const key = s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/\s+/g, ' ');
  return SUMMARY_WORDS.has(key) ? key : null;
}

/**
 * Can a row whose first cell is `first` be a summary? The test every row pays, so one character decides: false for
 * a first cell starting with a digit or a letter no summary word starts with (`t`, `s`, `g`, `a`, `m`).
 */
export function mayStartSummary(first: string | null | undefined): boolean {
  if (first === null || first === undefined || first.length === 0) return true;
  const c = first.charCodeAt(0);
  const l = c | 0x20;
  return l === 116 || l === 115 || l === 103 || l === 97 || l === 109 || isTrimmable(c);
}

/** Is `c` a blank or empty cell (skipped when looking for the first non-empty one)? */
function isEmpty(c: string | null | undefined): boolean {
  if (c === null || c === undefined || c.length === 0) return true;
  return isTrimmable(c.charCodeAt(0)) && c.trim().length === 0;
}

/** The summary word of a row (its first non-empty cell's), or null. Cheap for the rows that are not: one test. */
export function rowSummaryLabel(values: ReadonlyArray<string | null | undefined>): string | null {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (isEmpty(v)) continue;
    return summaryLabel(v!);
  }
  return null;
}
