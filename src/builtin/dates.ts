/**
 * Whole dates said in a question (issue 13): "on January 9, 2009", "after 14 August 2013", "the September 19th, 1984
 * game", "em 2 de abril de 1986", "on August 25". Read as a day of the table's date column — with the year when one
 * is said, else that day of any year — and compared when "after"/"before" comes first. Without this, the day's
 * number would be left over ("which column is 14 of?").
 */
import type { ColumnCatalog, TableCatalog } from '../data/catalog-types.js';
import { AMBIGUOUS_MONTHS, MONTHS } from './lexicon.js';
import { fold } from './normalize.js';
import type { Reading } from './reading.js';
import { isKw } from './reading.js';
import { isYearToken, type Mark } from './schema-match.js';
import type { CmpOp, Filter } from './types.js';

/** "9th", "1st": the suffix an English day may carry, a word of its own after the numeral. */
const DAY_SUFFIX = /^(st|nd|rd|th|o)$/;

const pad = (n: number) => String(n).padStart(2, '0');

function isDay(r: Reading, m: Mark | undefined): m is Mark & { kind: 'num' } {
  return (
    m?.kind === 'num' &&
    !isYearToken(r.tokens[m.start]) &&
    Number.isInteger(m.value) &&
    m.value >= 1 &&
    m.value <= 31
  );
}

function isYear(r: Reading, m: Mark | undefined): m is Mark & { kind: 'num' } {
  return m?.kind === 'num' && isYearToken(r.tokens[m.start]);
}

/** "2,1986" — a day and a year written together with a comma, read as one number by the tokenizer. */
function dayAndYear(r: Reading, m: Mark | undefined): [number, number] | undefined {
  if (m?.kind !== 'num') return undefined;
  const hit = /^(\d{1,2}),\s?(\d{4})$/.exec(r.tokens[m.start]!.raw);
  return hit ? [Number(hit[1]), Number(hit[2])] : undefined;
}

/**
 * Reads every whole date the question says on the date column, marking its words; the filters it makes. Without a
 * date column, a month (with its day and year when said) picks the cells of a column of dates written as text
 * ("July 5", "Fri., Feb. 28, 1941").
 */
export function readWholeDates(r: Reading): Filter[] {
  const date = r.date;
  const { marks, used } = r;
  const filters: Filter[] = [];
  for (let i = 0; i < marks.length; i++) {
    const m = marks[i]!;
    if (m.kind !== 'month' || used.has(m)) continue;
    if (!date) {
      const texts = textDateColumn(r.index.table);
      if (texts) readTextDate(r, i, texts, filters);
      continue;
    }
    // "14 August 2013", "2 de abril de 1986": the day before the month.
    const before = marks[r.prevContent(i, (x) => x.kind === 'stop' || isKw(x, 'in'))];
    // "January 9, 2009", "September 19th, 1984", "April 2,1986": the day after it.
    let k = i + 1;
    const after = marks[k];
    let day: number | undefined;
    let year: number | undefined;
    const parts: Mark[] = [m];
    const joined = dayAndYear(r, after);
    if (joined) {
      [day, year] = joined;
      parts.push(after!);
      k++;
    } else if (isDay(r, after)) {
      day = after.value;
      parts.push(after);
      k++;
      const suffix = marks[k];
      if (suffix?.kind === 'unknown' && DAY_SUFFIX.test(suffix.token.norm)) {
        parts.push(suffix);
        k++;
      }
    } else if (isDay(r, before) && !used.has(before)) {
      day = before.value;
      parts.push(before);
    }
    if (day === undefined) continue;
    if (year === undefined) {
      const y = marks[r.nextContent(k - 1, (x) => x.kind === 'stop' || isKw(x, 'in'))];
      if (isYear(r, y) && !used.has(y)) {
        year = y.value;
        parts.push(y);
      }
    }
    const first = Math.min(...parts.map((p) => marks.indexOf(p)));
    const word = marks[r.prevContent(first, (x) => x.kind === 'stop' || isKw(x, 'in'))];
    const op: CmpOp = isKw(word, 'after', 'gt') ? '>' : isKw(word, 'before', 'lt') ? '<' : '=';
    if (op !== '=' && word) parts.push(word);
    for (const p of parts) used.add(p);
    filters.push(
      year === undefined
        ? { kind: 'datepart', column: date.column, format: '%m-%d', op, value: `${pad(m.month)}-${pad(day)}` }
        : {
            kind: 'datepart',
            column: date.column,
            format: '%Y-%m-%d',
            op,
            value: `${year}-${pad(m.month)}-${pad(day)}`,
          },
    );
  }
  return filters;
}

/** The month, day and year a cell written as text says ("Fri., Feb. 28, 1941" → 2, 28, 1941). */
function cellDate(cell: string): { month?: number; day?: number; year?: number } {
  const out: { month?: number; day?: number; year?: number } = {};
  for (const w of fold(cell).split(/[^a-z0-9]+/)) {
    if (w === '') continue;
    const month = MONTHS.get(w);
    if (month !== undefined && out.month === undefined && !AMBIGUOUS_MONTHS.has(w)) out.month = month;
    else if (/^\d{4}$/.test(w)) out.year ??= Number(w);
    else if (/^\d{1,2}(st|nd|rd|th)?$/.test(w)) out.day ??= Number.parseInt(w, 10);
  }
  return out;
}

/**
 * Memo of textDateColumn per catalog table: reading every cell of every text column for a month is costly, and the
 * answer only changes with the catalog (issue 13's 1 ms budget).
 */
const textDateColumns = new WeakMap<TableCatalog, ColumnCatalog | null>();

/** The one text column of dates: most of the rows its catalog lists name a month. Undefined when none, or several. */
function textDateColumn(table: TableCatalog): ColumnCatalog | undefined {
  let column = textDateColumns.get(table);
  if (column === undefined) {
    column = findTextDateColumn(table) ?? null;
    textDateColumns.set(table, column);
  }
  return column ?? undefined;
}

function findTextDateColumn(table: TableCatalog): ColumnCatalog | undefined {
  const found = table.columns.filter((c) => {
    if (c.type !== 'text' || c.top_values.length === 0) return false;
    const rows = c.top_values.reduce((n, v) => n + v.count, 0);
    const dated = c.top_values
      .filter((v) => cellDate(v.value).month !== undefined)
      .reduce((n, v) => n + v.count, 0);
    return dated * 10 >= rows * 6;
  });
  return found.length === 1 ? found[0] : undefined;
}

/** "in July", "on September 22", "december 24, 1997" against dates written as text: the cells that say it. */
function readTextDate(r: Reading, i: number, column: ColumnCatalog, filters: Filter[]): void {
  const { marks, used } = r;
  const m = marks[i] as Mark & { kind: 'month' };
  const parts: Mark[] = [m];
  let day: number | undefined;
  let year: number | undefined;
  let k = i + 1;
  const joined = dayAndYear(r, marks[k]);
  if (joined) {
    [day, year] = joined;
    parts.push(marks[k]!);
  } else if (isDay(r, marks[k])) {
    day = (marks[k] as Mark & { kind: 'num' }).value;
    parts.push(marks[k]!);
    k++;
    const suffix = marks[k];
    if (suffix?.kind === 'unknown' && DAY_SUFFIX.test(suffix.token.norm)) parts.push(suffix);
  }
  const y = marks[r.nextContent(marks.indexOf(parts.at(-1)!), (x) => x.kind === 'stop' || isKw(x, 'in'))];
  if (year === undefined && isYear(r, y) && !used.has(y)) {
    year = y.value;
    parts.push(y);
  }
  // A comparison ("before June 10") would need the cells' order: not read.
  const word = marks[r.prevContent(i, (x) => x.kind === 'stop' || isKw(x, 'in'))];
  if (isKw(word, 'after', 'before', 'gt', 'lt')) return;
  for (const p of parts) used.add(p);
  // Cells without a year ("July 5") are of the table's one season: a year said is then no condition on them.
  const yearInCells = column.top_values.some((v) => cellDate(v.value).year !== undefined);
  filters.push({
    kind: 'textDate',
    column,
    month: m.month,
    ...(day === undefined ? {} : { day }),
    ...(year === undefined || !yearInCells ? {} : { year }),
  });
}
