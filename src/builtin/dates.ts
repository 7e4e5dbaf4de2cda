/**
 * Whole dates said in a question (issue 13): "on January 9, 2009", "after 14 August 2013", "the September 19th, 1984
 * game", "em 2 de abril de 1986", "on August 25". Read as a day of the table's date column — with the year when one
 * is said, else that day of any year — and compared when "after"/"before" comes first. Without this, the day's
 * number would be left over ("which column is 14 of?").
 */
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
 * Reads every whole date the question says on the date column, marking its words; the filters it makes. Nothing is
 * read without a date column (a text column of dates is matched as values instead).
 */
export function readWholeDates(r: Reading): Filter[] {
  const date = r.date;
  const { marks, used } = r;
  const filters: Filter[] = [];
  if (!date) return filters;
  for (let i = 0; i < marks.length; i++) {
    const m = marks[i]!;
    if (m.kind !== 'month' || used.has(m)) continue;
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
