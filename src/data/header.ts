/**
 * Is the first row a header? Decided on the first rows of a CSV file or an XLSX sheet (HeaderSampler) before the
 * table is created.
 */
import { ALL_TYPES, classify, isNullToken, isTrimmable, NUM_BR, NUM_EN } from './types.js';
import { footnoteEnd, unitKey } from './units.js';

/** Header-detection and ragged-row decisions look at this many rows before the table is created. */
export const SAMPLE_ROWS = 50;

/** A year as a header cell (`2019`, also with a footnote mark: `2019[a]`): four digits, 1800–2199. */
function isYear(v: string): boolean {
  const t = v.trim();
  const s = t.slice(0, footnoteEnd(t));
  if (s.length !== 4) return false;
  const y = Number(s);
  return Number.isInteger(y) && y >= 1800 && y <= 2199;
}

function distinctNonEmpty(cells: readonly string[]): boolean {
  const seen = new Set<string>();
  for (const c of cells) {
    const v = c.trim();
    if (v.length === 0 || isNullToken(v) || seen.has(v)) return false;
    seen.add(v);
  }
  return true;
}

/**
 * The first row is a header when
 *  - one of its cells does not fit the type of the column below it (`id` above integers) — a cell that is a number
 *    only once marks or a unit are set aside does not fit a column whose values have none or another unit
 *    (`1st`, `100 m` above plain numbers are column names), or
 *  - no typed column's first cell fits its column in a meaningful way: all columns are text, or the cells of
 *    typed columns are years above numbers that are not years (`País;2019;2020` above `Brasil;1.234,5;2.345,6`),
 *    and then the cells must be all distinct and non-empty, like column names.
 * Otherwise (`1,2023-01-01,3.5` above rows of the same shapes) it is data.
 */
export function detectHeader(first: readonly string[], sample: readonly string[][]): boolean {
  let fits = 0;
  let mismatches = 0;
  let yearsOverNumbers = 0;
  for (let j = 0; j < first.length; j++) {
    let mask = ALL_TYPES;
    let seen = 0;
    let allYears = true;
    // The unit key of the first value written with marks or a unit (`''` for footnote marks only), null for none.
    let marks: string | null = null;
    for (const row of sample) {
      const v = row[j];
      if (v === undefined || isNullToken(v)) continue;
      seen++;
      if (allYears && !isYear(v)) allYears = false;
      const r = classify(v, mask);
      mask &= r.mask;
      if (mask === 0) break;
      if (marks === null && r.marked) marks = unitKey(r.unit);
    }
    if (seen === 0 || mask === 0) continue;
    const h = first[j]!;
    if (isNullToken(h)) continue;
    const r = classify(h, mask);
    if ((r.mask & mask) === 0 || (r.marked && marks !== unitKey(r.unit))) mismatches++;
    else if (mask & (NUM_EN | NUM_BR) && !allYears && isYear(h)) yearsOverNumbers++;
    else fits++;
  }
  if (mismatches > 0) return true;
  if (fits > 0) return false;
  return yearsOverNumbers === 0 || distinctNonEmpty(first);
}

export function isBlank(fields: readonly string[]): boolean {
  for (const f of fields) {
    if (f.length === 0) continue;
    // A first character trim() keeps: not blank, without trimming (the common case).
    if (!isTrimmable(f.charCodeAt(0)) || f.trim().length > 0) return false;
  }
  return true;
}

/**
 * Collects the first rows, decides whether the first is a header, then hands every row (sample included) to the
 * row function `start` returns. Rows must be non-blank.
 */
export class HeaderSampler {
  private sample: string[][] | null = [];
  private sink: ((row: string[]) => void) | null = null;
  header = true;

  constructor(private readonly start: (labels: string[], header: boolean) => (row: string[]) => void) {}

  get started(): boolean {
    return this.sink !== null;
  }

  push(fields: string[]): void {
    if (this.sink) this.sink(fields);
    else {
      this.sample!.push(fields);
      if (this.sample!.length > SAMPLE_ROWS) this.decide();
    }
  }

  /** Rows sampled so far when nothing started yet (0: empty, 1: header only). */
  get sampled(): number {
    return this.sample?.length ?? 0;
  }

  /** At the end of the input: starts with what was sampled (at least two rows, the caller checks). */
  decide(): void {
    const sample = this.sample!;
    this.sample = null;
    const first = sample[0]!;
    const header = detectHeader(first, sample.slice(1));
    this.header = header;
    const labels = header ? first : first.map((_, i) => `column_${i + 1}`);
    const sink = this.start(labels, header);
    this.sink = sink;
    for (let i = header ? 1 : 0; i < sample.length; i++) sink(sample[i]!);
  }
}
