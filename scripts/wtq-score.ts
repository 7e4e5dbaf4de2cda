/**
 * WikiTableQuestions answer matching, as the dataset's official evaluator (evaluator.py of
 * github.com/ppasupat/WikiTableQuestions) does it, for `npm run eval:wtq` (../shared/eval/wtq-dev/README.md):
 *
 * - every value is normalized: accents dropped (NFKD), curly quotes and dashes made plain, then repeatedly a trailing
 *   footnote mark (`[1]`, `[a]` not at the start, `*`, `†`, `#`…), a trailing ` (…)` and outer double quotes
 *   removed; a final `.` dropped; white space collapsed; lower case;
 * - a value that reads as a number (Python's int() or float()) is a number, compared by amount within 1e-6 — for
 *   targets the canonical form (`target_canon`: "17 years" → "17.0") decides, so `17` matches "17 years";
 * - a `Y-M-D` value (parts may be `xx`) is a date compared by year, month and day (`xxxx-10-xx` is "October");
 *   a bare year `1985-xx-xx` is the number 1985;
 * - anything else is text, compared by its normalized form; a number or date also matches a value whose normalized
 *   text is the same;
 * - a list is a set (repeated values count once) and must have as many values as the targets, each target matching
 *   one of them: `2` does not match a target list of two names.
 *
 * Pure and dependency-free so test/unit/wtq-score.test.ts can check it without ../shared.
 */

export type Value =
  | { type: 'number'; amount: number; normalized: string }
  | { type: 'date'; ymd: [number, number, number]; normalized: string }
  | { type: 'string'; normalized: string };

const CITATIONS = /((?<!^)\[[^\]]*\]|\[\d+\]|[•♦†‡*#+])*$/gu;
const PARENTHESES = /(?<!^)( \([^)]*\))*$/gu;
const OUTER_QUOTES = /^"([^"]*)"$/u;

/** The official evaluator's normalize(). */
export function normalize(text: string): string {
  let x = text
    .normalize('NFKD')
    .replace(/\p{Mn}/gu, '')
    .replace(/[‘’´`]/gu, "'")
    .replace(/[“”]/gu, '"')
    .replace(/[‐‑‒–—−]/gu, '-');
  for (;;) {
    const old = x;
    x = x.trim().replace(CITATIONS, '');
    x = x.trim().replace(PARENTHESES, '');
    x = x.trim().replace(OUTER_QUOTES, '$1');
    if (x === old) break;
  }
  if (x.endsWith('.')) x = x.slice(0, -1);
  return x.replace(/\s+/gu, ' ').toLowerCase().trim();
}

const INT = /^\s*[+-]?\d+\s*$/;
const FLOAT = /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i;

/** Python's int(text), else float(text) when finite; null when neither reads it. */
export function parseNumber(text: string): number | null {
  if (!INT.test(text) && !FLOAT.test(text)) return null;
  const amount = Number(text.trim());
  return Number.isFinite(amount) ? amount : null;
}

/** `YYYY-MM-DD` with `xx`/`xxxx` placeholders (-1); null unless the evaluator's DateValue.parse accepts it. */
export function parseDate(text: string): [number, number, number] | null {
  const parts = text.toLowerCase().split('-');
  if (parts.length !== 3) return null;
  const part = (p: string, placeholders: string[]) => {
    if (placeholders.includes(p)) return -1;
    return INT.test(p) ? Number.parseInt(p, 10) : Number.NaN;
  };
  const [y, m, d] = [part(parts[0]!, ['xx', 'xxxx']), part(parts[1]!, ['xx']), part(parts[2]!, ['xx'])];
  if ([y, m, d].some(Number.isNaN)) return null;
  if (y === -1 && m === -1 && d === -1) return null;
  if (m !== -1 && (m < 1 || m > 12)) return null;
  if (d !== -1 && (d < 1 || d > 31)) return null;
  return [y, m, d];
}

function numberValue(amount: number, original: string): Value {
  // Near-integers are integers when |amount - round(amount)| < 1e-6. (The evaluator's Python int() truncates, so
  // a float sum printed as 2.9999999999999996 would become 2 there; rounding keeps the README's "by value".)
  const value = Math.abs(amount - Math.round(amount)) < 1e-6 ? Math.round(amount) : amount;
  return { type: 'number', amount: value, normalized: original ? normalize(original) : String(value) };
}

/** The evaluator's to_value(original, canon): the canonical form decides the type, the original its text. */
export function toValue(original: string, canon?: string | null): Value {
  const typed = canon ? canon : original;
  const amount = parseNumber(typed);
  if (amount !== null) return numberValue(amount, original);
  const ymd = parseDate(typed);
  if (ymd) {
    if (ymd[1] === -1 && ymd[2] === -1) return numberValue(ymd[0], original);
    return { type: 'date', ymd, normalized: normalize(original) };
  }
  return { type: 'string', normalized: normalize(original) };
}

function identity(v: Value): string {
  if (v.type === 'number') return `n:${v.amount}`;
  if (v.type === 'date') return `d:${v.ymd.join('-')}`;
  return `s:${v.normalized}`;
}

/** The evaluator's to_value_list: a set of values (equal numbers, dates or normalized texts count once). */
export function toValueList(originals: string[], canons?: (string | null)[]): Value[] {
  const seen = new Map<string, Value>();
  originals.forEach((original, i) => {
    const value = toValue(original, canons?.[i]);
    const key = identity(value);
    if (!seen.has(key)) seen.set(key, value);
  });
  return [...seen.values()];
}

/** target.match(predicted) of the evaluator. */
export function valueMatches(target: Value, predicted: Value): boolean {
  if (target.normalized === predicted.normalized) return true;
  if (target.type === 'number' && predicted.type === 'number')
    return Math.abs(target.amount - predicted.amount) < 1e-6;
  if (target.type === 'date' && predicted.type === 'date')
    return target.ymd.every((part, i) => part === predicted.ymd[i]);
  return false;
}

/** check_denotation: as many values as targets, every target matched by one of them. */
export function checkDenotation(targets: Value[], predicted: Value[]): boolean {
  if (targets.length !== predicted.length) return false;
  return targets.every((t) => predicted.some((p) => valueMatches(t, p)));
}

/** A result cell as the text a system would print: numbers as JavaScript writes them, NULL as empty. */
export function cellText(cell: unknown): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'number') return String(cell);
  if (typeof cell === 'boolean') return cell ? '1' : '0';
  return String(cell);
}

export interface WtqTarget {
  targets: string[];
  target_canon?: (string | null)[];
}

/**
 * The README's rule: correct when ONE column of the result, all its rows, holds exactly the target values.
 * Returns the index of the first such column, or -1.
 */
export function matchingColumn(target: WtqTarget, rows: unknown[][]): number {
  const wanted = toValueList(target.targets, target.target_canon);
  const width = Math.max(0, ...rows.map((r) => r.length));
  for (let j = 0; j < width; j++) {
    const predicted = toValueList(rows.map((r) => cellText(r[j])));
    if (checkDenotation(wanted, predicted)) return j;
  }
  return -1;
}
