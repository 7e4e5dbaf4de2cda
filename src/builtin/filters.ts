/**
 * Filters from the marks: catalog values ("região Sul", "rainy"), comparisons ("above 20", "entre 10 e 20",
 * "20 ou mais"), numbers right after a column ("desconto de 10%"), years and months on the date column ("em 2015",
 * "after 1950", "em março de 2023", "entre janeiro e março"), and empties ("sem valor", "is empty", "sem X").
 * Catalog ranges decide whether a year-like number belongs to a numeric column or to the dates.
 */
import type { ColumnCatalog } from '../data/catalog-types.js';
import { holdsYears, isTimeText, isYearLike, startsWithYears } from './column-roles.js';
import { isContextWord } from './context-words.js';
import { readWholeDates } from './dates.js';
import type { Keyword } from './lexicon.js';
import { readOutcomes } from './outcome.js';
import { readPlacing } from './placing.js';
import {
  AGGREGATE_WORDS,
  fail,
  inRange,
  isKw,
  isPlural,
  isSkippable,
  labelColumn,
  type ParseFailure,
  type Reading,
  tokenText,
  yearColumn,
} from './reading.js';
import { isQuantityNoun, isRowNoun } from './row-nouns.js';
import { type ColumnIndex, isYearToken, type Mark, type TableIndex } from './schema-match.js';
import type { Agg, CmpOp, Filter, Having } from './types.js';
import { sameUnit, timeValue, unitAfter } from './units.js';

export interface FilterReading {
  filters: Filter[];
  /** Equality filters by column, so a later fallback does not add a second value to a column that has one. */
  eqByColumn: Map<ColumnCatalog, Filter & { kind: 'eq' }>;
  /** A comparison of a per-group aggregate, in a question about groups ("quais lojas têm mais de 10 vendas"). */
  having?: Having;
  /** The words of that comparison, as typed. */
  havingText?: string;
}

const AGG_OF: Partial<Record<Keyword, Agg>> = {
  avg: 'avg',
  median: 'median',
  stddev: 'stddev',
  sum: 'sum',
  total: 'sum',
};

export function readFilters(r: Reading): FilterReading | ParseFailure {
  const { tokens, marks, index, used } = r;
  const prevContent = (i: number, skip?: (m: Mark) => boolean) => r.prevContent(i, skip);
  const nextContent = (i: number, skip?: (m: Mark) => boolean) => r.nextContent(i, skip);
  const filters: Filter[] = [];
  // "4,500 m", "30 mph", "128 kbit/s": a unit right after a number says what it measures — and, when one column is
  // recorded in that unit ("a 5 km event" over Event in km), which column the number is of.
  const unitColumn = new Map<Mark, ColumnIndex>();
  const unitKeys = new Map<Mark, string>();
  marks.forEach((m, i) => {
    if (m.kind !== 'num') return;
    const unit = unitAfter(r, i);
    if (!unit) return;
    unitKeys.set(m, unit.key);
    for (const u of unit.marks) used.add(u);
    if (unit.columns.length === 1) unitColumn.set(m, unit.columns[0]!);
  });
  // "total MEDALS", "silver medals", "MEDALHAS de ouro": a quantity noun beside a number column is its unit.
  marks.forEach((m, i) => {
    if (m.kind !== 'unknown' || !isQuantityNoun(m.token)) return;
    const before = marks[i - 1];
    const after = marks[r.nextContent(i, (x) => x.kind === 'stop' || isKw(x, 'in'))];
    if ((before?.kind === 'col' && before.col.numeric) || (after?.kind === 'col' && after.col.numeric))
      used.add(m);
  });
  // The question asks for groups: "which store …", "quais lojas …" (a text column right after the question word), or
  // it opens with them: "sensors with …", "lojas com …".
  const opening = marks[nextContent(-1, (x) => isSkippable(x) || isKw(x, 'list'))];
  const asksGroups =
    (opening?.kind === 'col' && !opening.col.numeric && isPlural(tokens[opening.end]!)) ||
    marks.some((x, j) => {
      const n = marks[nextContent(j)];
      return isKw(x, 'which') && n?.kind === 'col' && (!n.col.numeric || isYearLike(n.col.column));
    });
  const aggregateWord = (k: number) => (isKw(marks[k], ...AGGREGATE_WORDS) ? marks[k] : undefined);
  let having: Having | undefined;
  let havingText: string | undefined;

  // "how many games did they WIN", "quantas DERROTAS": the rows the outcome column says so of.
  filters.push(...readOutcomes(r));
  // "finished second", "placed first in its division": a value of the place column, not row order.
  const placing = readPlacing(r);
  if (placing) filters.push(placing);

  // ---- filters: values ----
  const eqByColumn = new Map<ColumnCatalog, Filter & { kind: 'eq' }>();
  let ambiguous: ParseFailure | undefined;
  marks.forEach((m, i) => {
    // A value word already read as a place ("finished THIRD" beside a division called Third) is not read again.
    if (m.kind !== 'val' || used.has(m)) return;
    used.add(m);
    let col = m.entry.column;
    // "região Sul", "the north_america region": the column word next to its value belongs to the filter — and says
    // which column, when the same cell is in several.
    let named = false;
    for (const k of [prevContent(i), nextContent(i)]) {
      const n = marks[k];
      const candidates = [col, ...(m.alsoIn ?? [])];
      const hit = n?.kind === 'col' ? candidates.find((c) => n.col === c || n.alts.includes(c)) : undefined;
      if (n && hit && !used.has(n)) {
        used.add(n);
        col = hit;
        named = true;
      }
    }
    if (m.alsoIn?.length && !named) {
      const resolved = resolveColumn(r, m);
      if (!resolved) {
        // "how many games did the Senators play" where Senators are under Visitor and under Home: rows where any of
        // those columns holds the name (plausible.ts refuses asking for one of those very columns).
        const columns = [m.entry.column, ...m.alsoIn].map((c) => c.column);
        const values = [m.entry, ...(m.others ?? [])].map((e) => e.value);
        filters.push({ kind: 'anyOf', column: columns[0]!, columns, values });
        return;
      }
      col = resolved;
    }
    let negate = false;
    for (let k = i - 1; k >= 0 && k >= i - 5; k--) {
      const p = marks[k]!;
      if (isKw(p, 'not', 'without')) {
        negate = true;
        used.add(p);
        break;
      }
      // "were NOT played at X": a verb that only says what a row records may stand between.
      const verb = p.kind === 'unknown' && isContextWord(tokens, p.start, index.table);
      if (!(isSkippable(p) || verb || (p.kind === 'col' && p.col === col))) break;
    }
    if (m.partial) r.confidence -= 0.1;
    const existing = eqByColumn.get(col.column);
    const cells = [m.entry, ...(m.others ?? [])].map((e) => e.value);
    if (existing && existing.negate === negate) {
      for (const v of cells) if (!existing.values.includes(v)) existing.values.push(v);
    } else {
      const f: Filter & { kind: 'eq' } = { kind: 'eq', column: col.column, values: cells, negate };
      eqByColumn.set(col.column, f);
      filters.push(f);
    }
  });
  if (ambiguous) return ambiguous;

  // "on January 9, 2009", "after 14 August 2013": whole dates, before their numbers are read as anything else.
  filters.push(...readWholeDates(r));

  // ---- filters: comparisons, ranges, years and months ----
  const date = r.date;
  const numericNear = (i: number, dir: -1 | 1): Mark | undefined => {
    let k = i + dir;
    let steps = 0;
    while (k >= 0 && k < marks.length && steps < 5) {
      const n = marks[k]!;
      if (n.kind === 'col' && !used.has(n) && (n.col.numeric || n.col.temporal)) return n;
      if (
        !(
          isSkippable(n) ||
          isKw(n, 'row', 'unit:day', 'unit:year', 'unit:month') ||
          n.kind === 'table' ||
          used.has(n)
        )
      )
        return undefined;
      k += dir;
      steps++;
    }
    return undefined;
  };
  const yearFilter = (op: CmpOp, year: number, at?: number): Filter | ParseFailure => {
    // "first elected in 1817", "ended in 1973": the year column named right before the year.
    const named =
      at === undefined ? undefined : marks[prevContent(at, (x) => x.kind === 'stop' || isKw(x, 'in'))];
    if (named?.kind === 'col' && !used.has(named) && isYearLike(named.col.column)) {
      used.add(named);
      return { kind: 'cmp', column: named.col.column, op, value: year };
    }
    if (
      named?.kind === 'col' &&
      !used.has(named) &&
      holdsYears(named.col.column) &&
      (op === '=' || startsWithYears(named.col.column))
    ) {
      used.add(named);
      return { kind: 'textYear', column: named.col.column, op, value: year };
    }
    // With several date columns ("date of birth", "date of death"), a bare year names none of them.
    if (index.dateColumns.length > 1)
      return fail(
        'ambiguous_column',
        [String(year)],
        index.dateColumns.map((c) => c.column),
      );
    if (date) return { kind: 'datepart', column: date.column, format: '%Y', op, value: String(year) };
    const yc = yearColumn(index);
    if (yc) return { kind: 'cmp', column: yc.column, op, value: year };
    // No date and no integer year: the only text column that holds years ("Season", "First elected").
    const texts = index.columns.filter((c) => holdsYears(c.column));
    const text = texts.length === 1 ? texts[0]!.column : undefined;
    if (text && (op === '=' || startsWithYears(text)))
      return { kind: 'textYear', column: text, op, value: year };
    return fail('no_date_column', [String(year)]);
  };
  const OPS: Partial<Record<Keyword, CmpOp>> = {
    gt: '>',
    gte: '>=',
    lt: '<',
    lte: '<=',
    eq: '=',
    after: '>',
    before: '<',
  };

  // "in the 1800s", "the 1950s": a decade or a century, a span of years.
  for (let i = 0; i + 1 < marks.length; i++) {
    const [m, s] = [marks[i]!, marks[i + 1]!];
    if (m.kind !== 'num' || s.kind !== 'unknown' || s.token.norm !== 's' || !isYearToken(tokens[m.start]))
      continue;
    if (m.value % 10 !== 0) continue;
    const high = m.value + (m.value % 100 === 0 ? 99 : 9);
    const from = yearFilter('>=', m.value, i);
    const to = yearFilter('<=', high, i);
    if ('ok' in from) return from;
    if ('ok' in to) return to;
    filters.push(from, to);
    used.add(m);
    used.add(s);
  }
  // "from 1990 to 2012", "de 1990 a 2012", "1990–2012": a span of years, on the dates or the year column.
  for (let i = 0; i + 2 < marks.length; i++) {
    const [a, to, b] = [marks[i]!, marks[i + 1]!, marks[i + 2]!];
    if (used.has(a) || used.has(b) || a.kind !== 'num' || b.kind !== 'num') continue;
    if (!isYearToken(tokens[a.start]) || !isYearToken(tokens[b.start]) || a.value >= b.value) continue;
    const joiner = to.kind === 'stop' && ['to', 'a', 'through', 'until'].includes(tokens[to.start]!.norm);
    if (!joiner && !isKw(to, 'lte')) continue;
    const low = String(a.value);
    const high = String(b.value);
    const yc = yearColumn(index);
    if (date) filters.push({ kind: 'datebetween', column: date.column, format: '%Y', low, high });
    else if (yc) filters.push({ kind: 'between', column: yc.column, low: a.value, high: b.value });
    else return fail('no_date_column', [low]);
    for (const x of [a, to, b]) used.add(x);
    const from = marks[i - 1];
    if (from?.kind === 'kw' && from.kw === 'in' && ['from', 'de', 'desde'].includes(tokens[from.start]!.norm))
      used.add(from);
  }

  for (let i = 0; i < marks.length; i++) {
    const m = marks[i]!;
    if (used.has(m)) continue;
    if (m.kind === 'kw' && m.kw === 'between') {
      const a = marks[i + 1];
      const and = marks[i + 2];
      const b = marks[i + 3];
      if (a?.kind === 'month' && isKw(and, 'and') && b?.kind === 'month' && date) {
        // "entre janeiro e março de 2023": a month range, within a year when one follows.
        let k = i + 4;
        if (isKw(marks[k], 'in')) k++;
        const y = marks[k];
        const mm = (n: number) => String(n).padStart(2, '0');
        for (const x of [m, a, and!, b]) used.add(x);
        if (y?.kind === 'num' && isYearToken(tokens[y.start])) {
          used.add(y);
          filters.push({
            kind: 'datebetween',
            column: date.column,
            format: '%Y-%m',
            low: `${y.value}-${mm(a.month)}`,
            high: `${y.value}-${mm(b.month)}`,
          });
        } else {
          filters.push({
            kind: 'datebetween',
            column: date.column,
            format: '%m',
            low: mm(a.month),
            high: mm(b.month),
          });
        }
        continue;
      }
      if (a?.kind === 'num' && isKw(and, 'and') && b?.kind === 'num') {
        const yearsOnly = isYearToken(tokens[a.start]) && isYearToken(tokens[b.start]);
        const near = numericNear(i, -1) ?? numericNear(i + 3, 1);
        // Years next to a column whose values never reach them are about dates ("desconto entre 2022 e 2023").
        const col =
          near?.kind === 'col' &&
          yearsOnly &&
          (date || yearColumn(index)) &&
          !inRange(near.col, a.value, b.value)
            ? undefined
            : near;
        for (const x of [m, a, and!, b]) used.add(x);
        const low = Math.min(a.value, b.value);
        const high = Math.max(a.value, b.value);
        if (col?.kind === 'col' && col.col.numeric) {
          used.add(col);
          filters.push({ kind: 'between', column: col.col.column, low, high });
        } else if (isYearToken(tokens[a.start]) && isYearToken(tokens[b.start])) {
          const target = col?.kind === 'col' && col.col.temporal ? col.col : date;
          if (col) used.add(col);
          if (target) {
            filters.push({
              kind: 'datebetween',
              column: target.column,
              format: '%Y',
              low: String(low),
              high: String(high),
            });
          } else {
            const yc = yearColumn(index);
            if (!yc) return fail('no_date_column', [String(a.value)]);
            filters.push({ kind: 'between', column: yc.column, low, high });
          }
        } else return fail('number_target', [tokenText(tokens, a)]);
      }
      continue;
    }
    if (m.kind === 'kw' && OPS[m.kw] !== undefined) {
      let op = OPS[m.kw]!;
      const k = nextContent(i, (x) => x.kind === 'stop' || isKw(x, 'in'));
      const n = marks[k];
      if (n?.kind === 'month' && (m.kw === 'after' || m.kw === 'before')) {
        // handled with the month below, which looks back for after/before
        continue;
      }
      if (n?.kind !== 'num') continue;
      used.add(m);
      used.add(n);
      const isYear = isYearToken(tokens[n.start]);
      // "elections had more than 200,000 POPULAR VOTES": the column right after the number is what it counts —
      // unless one stands right before the comparison ("WON at least 4 matches").
      const isFree = (x: Mark | undefined) => x?.kind === 'col' && !used.has(x) && x.col.numeric;
      const rightBefore = isFree(marks[i - 1]) ? marks[i - 1] : undefined;
      const rightAfter = isFree(marks[k + 1]) ? marks[k + 1] : undefined;
      const nearCol = rightBefore ?? rightAfter ?? numericNear(i, -1) ?? numericNear(k, 1);
      const byUnit = unitColumn.get(n);
      if (byUnit) {
        // "more than 4,500 m": the column recorded in metres; "longer than 3 minutes": the times, in seconds.
        const value = isTimeText(byUnit.column)
          ? timeValue(byUnit.column, tokens[n.start]!, unitKeys.get(n))
          : n.value;
        if (value === undefined) return fail('number_target', [tokenText(tokens, n)]);
        for (const x of marks) if (x.kind === 'col' && x.col === byUnit) used.add(x);
        filters.push({ kind: 'cmp', column: byUnit.column, op, value });
        continue;
      }
      if (asksGroups) {
        // "WHICH YEAR had at least three movies": the year asked for is the group, not the number's column.
        const asked = marks.some((x, j) => isKw(x, 'which') && marks[nextContent(j)] === nearCol);
        const near = asked ? undefined : nearCol;
        // "which store has an AVERAGE price above 15", "quais lojas têm preço MÉDIO acima de 15", "quais lojas têm
        // mais de 2 VENDAS": the comparison is on a per-group aggregate (HAVING), not on the rows.
        const c = near ? marks.indexOf(near) : -1;
        const a = [prevContent(i), ...(c >= 0 ? [prevContent(c), nextContent(c)] : [])].find(aggregateWord);
        const agg = a === undefined ? undefined : (marks[a] as Mark & { kind: 'kw' });
        const after = marks[nextContent(k)];
        // "which year had at least three MOVIES": a plural noun for the rows counted per group.
        const rowNoun =
          after?.kind === 'unknown' && isPlural(after.token) && isRowNoun(tokens, after.start, index);
        // "… at least three MOVIES" over a Film column: the things named in it, one per row.
        const things = after?.kind === 'col' && after.col.text && isPlural(tokens[after.end]!);
        const counted = !agg && !near && (isKw(after, 'row') || after?.kind === 'table' || rowNoun || things);
        if (agg || counted) {
          // The aggregated column: next to the comparison, or next to the aggregate word ("preço médio acima de").
          const measure =
            near ??
            (a === undefined
              ? undefined
              : [prevContent(a), nextContent(a)]
                  .map((x) => marks[x])
                  .find((x) => x?.kind === 'col' && x.col.numeric && !used.has(x)));
          const words = [m, n, agg, measure, counted ? after : undefined].filter((x) => x !== undefined);
          const from = Math.min(...words.map((x) => x.start));
          const to = Math.max(...words.map((x) => x.end));
          const text = tokens
            .slice(from, to + 1)
            .map((t) => t.raw)
            .join(' ');
          if (having || (agg && measure?.kind !== 'col')) return fail('aggregate_filter', [text]);
          having =
            agg && measure?.kind === 'col'
              ? { agg: AGG_OF[agg.kw]!, measure: measure.col.column, op, value: n.value }
              : { agg: 'count', op, value: n.value };
          havingText = text;
          for (const x of words) used.add(x);
          continue;
        }
      }
      const col =
        nearCol?.kind === 'col' &&
        isYear &&
        (date || yearColumn(index)) &&
        !inRange(nearCol.col, n.value, n.value)
          ? undefined
          : nearCol;
      // "20 ou mais" after the comparison's number.
      if (isKw(marks[k + 1], 'orMore', 'orLess')) used.add(marks[k + 1]!);
      if (m.kw === 'eq' && isKw(marks[k + 1], 'orMore')) op = '>=';
      if (col?.kind === 'col' && col.col.numeric && !(isYear && (m.kw === 'after' || m.kw === 'before'))) {
        // A number far outside the column's values was meant for another one ("200,000" against a percentage); one
        // in mph against cells written in km/h first is not comparable.
        if (farOutside(col.col.column, n.value)) return fail('number_target', [tokenText(tokens, n)]);
        const unit = unitKeys.get(n);
        if (unit && !sameUnit(unit, col.col)) return fail('number_target', [tokenText(tokens, n)]);
        // Against times ("4:09.33"), in seconds: a time as written, or a number of minutes or seconds.
        const value = isTimeText(col.col.column)
          ? timeValue(col.col.column, tokens[n.start]!, unit)
          : n.value;
        if (value === undefined) return fail('number_target', [tokenText(tokens, n)]);
        used.add(col);
        filters.push({ kind: 'cmp', column: col.col.column, op, value });
      } else if (isYear) {
        if (col?.kind === 'col' && col.col.temporal) {
          used.add(col);
          filters.push({
            kind: 'datepart',
            column: col.col.column,
            format: '%Y',
            op,
            value: String(n.value),
          });
        } else {
          const f = yearFilter(op, n.value, i);
          if ('ok' in f) return f;
          filters.push(f);
        }
      } else return fail('number_target', [tokenText(tokens, n)]);
      continue;
    }
    const byUnit = m.kind === 'num' ? unitColumn.get(m) : undefined;
    if (m.kind === 'num' && byUnit) {
      used.add(m);
      for (const x of marks) if (x.kind === 'col' && x.col === byUnit) used.add(x);
      filters.push({ kind: 'cmp', column: byUnit.column, op: '=', value: m.value });
      continue;
    }
    if (m.kind === 'num' && !isYearToken(tokens[m.start])) {
      // "8 cylinders", "com 4 quartos": a count stated before a numeric column is an equality on it.
      const next = marks[i + 1];
      const before = marks[prevContent(i, (x) => x.kind === 'stop')];
      if (
        next?.kind === 'col' &&
        next.col.numeric &&
        !used.has(next) &&
        !isKw(before, 'top', 'which', 'list', 'high', 'low')
      ) {
        used.add(m);
        used.add(next);
        filters.push({ kind: 'cmp', column: next.col.column, op: '=', value: m.value });
        continue;
      }
    }
    if (m.kind === 'num' && !used.has(m) && !isYearToken(tokens[m.start])) {
      // "desconto de 10%", "cylinders 8": a number right after a numeric column is that column's value.
      const p = marks[prevContent(i, (x) => x.kind === 'stop' || isKw(x, 'in', 'eq'))];
      if (
        p?.kind === 'col' &&
        p.col.numeric &&
        !used.has(p) &&
        !isKw(marks[i + 1], 'orMore', 'orLess') &&
        !farOutside(p.col.column, m.value)
      ) {
        used.add(m);
        used.add(p);
        filters.push({ kind: 'cmp', column: p.col.column, op: '=', value: m.value });
        continue;
      }
      // "in draw 17", "pennant 04": a number named after a column of codes written as text ("01", "17").
      const cells =
        p?.kind === 'col' && p.col.text && !used.has(p)
          ? p.col.column.top_values.filter((v) => /^\d+$/.test(v.value) && Number(v.value) === m.value)
          : [];
      if (p?.kind === 'col' && cells.length > 0) {
        used.add(m);
        used.add(p);
        filters.push({ kind: 'eq', column: p.col.column, values: cells.map((v) => v.value), negate: false });
        continue;
      }
    }
    if (m.kind === 'num' && isKw(marks[i + 1], 'orMore', 'orLess')) {
      const op: CmpOp = isKw(marks[i + 1], 'orMore') ? '>=' : '<=';
      const col = numericNear(i, -1) ?? numericNear(i + 1, 1);
      if (!(col?.kind === 'col' && col.col.numeric)) return fail('number_target', [tokenText(tokens, m)]);
      used.add(m);
      used.add(marks[i + 1]!);
      used.add(col);
      filters.push({ kind: 'cmp', column: col.col.column, op, value: m.value });
    }
  }
  for (let i = 0; i < marks.length; i++) {
    const m = marks[i]!;
    if (used.has(m)) continue;
    if (m.kind === 'month') {
      used.add(m);
      const target = date;
      if (!target) return fail('no_date_column', [tokenText(tokens, m)]);
      let k = i + 1;
      if (isKw(marks[k], 'in')) k++;
      const y = marks[k];
      const p = marks[prevContent(i, (x) => x.kind === 'stop' || isKw(x, 'in'))];
      const op: CmpOp = isKw(p, 'after') ? '>' : isKw(p, 'before') ? '<' : '=';
      if (p && op !== '=') used.add(p);
      const mm = String(m.month).padStart(2, '0');
      if (y?.kind === 'num' && isYearToken(tokens[y.start])) {
        used.add(y);
        if (isKw(marks[i + 1], 'in')) used.add(marks[i + 1]!);
        filters.push({
          kind: 'datepart',
          column: target.column,
          format: '%Y-%m',
          op,
          value: `${y.value}-${mm}`,
        });
      } else {
        filters.push({ kind: 'datepart', column: target.column, format: '%m', op, value: mm });
      }
      continue;
    }
    if (m.kind === 'num' && isYearToken(tokens[m.start])) {
      // A bare year ("em 2015", "in 2008") filters on the date column.
      used.add(m);
      const f = yearFilter('=', m.value, i);
      // "at the 1994 Winter Olympics", "the 2010 US Open" over a table with no years at all: the year names the event
      // the whole table is about, no condition on its rows.
      if ('ok' in f && f.code === 'no_date_column' && yearsNowhere(index, m.value)) continue;
      if ('ok' in f) return f;
      filters.push(f);
    }
  }

  // ---- filters: empties ----
  for (let i = 0; i < marks.length; i++) {
    const m = marks[i]!;
    if (used.has(m)) continue;
    if (isKw(m, 'empty', 'notEmpty')) {
      const back = marks[prevContent(i, (x) => isSkippable(x) || x.kind === 'stop')];
      const fwd = marks[nextContent(i)];
      const col =
        back?.kind === 'col' && !used.has(back)
          ? back
          : fwd?.kind === 'col' && !used.has(fwd)
            ? fwd
            : undefined;
      if (col?.kind !== 'col') continue;
      used.add(m);
      used.add(col);
      filters.push({ kind: 'null', column: col.col.column, negate: isKw(m, 'notEmpty') });
    } else if (isKw(m, 'without', 'not')) {
      // "sem desconto", "with no horsepower", "não tiveram furacões": nothing recorded — for a number, also zero.
      const k = nextContent(i, (x) => isSkippable(x) || x.kind === 'stop');
      const fwd = marks[k];
      // "not released IN 2004", "não vendidos EM março": the negation is of a condition said next, not emptiness.
      const conditionNext =
        isKw(marks[k + 1], 'in') || ['num', 'val', 'month'].includes(marks[k + 1]?.kind ?? '');
      if (
        fwd?.kind === 'col' &&
        !used.has(fwd) &&
        (isKw(m, 'without') || fwd.col.numeric) &&
        !conditionNext
      ) {
        used.add(m);
        used.add(fwd);
        filters.push({ kind: 'null', column: fwd.col.column, negate: false, orZero: fwd.col.numeric });
      }
    } else if (isKw(m, 'with')) {
      // "quantas vendas com desconto", "orders with discount": the opposite of "sem desconto" — a number recorded and
      // not zero. Not when a comparison or a number follows ("com desconto de 10", "com preço acima de 100").
      const k = nextContent(i, (x) => isSkippable(x) || x.kind === 'stop');
      const fwd = marks[k];
      const after = marks[nextContent(k)];
      const compared = after?.kind === 'num' || (after?.kind === 'kw' && OPS[after.kw] !== undefined);
      if (fwd?.kind === 'col' && fwd.col.numeric && !used.has(fwd) && !compared) {
        used.add(m);
        used.add(fwd);
        filters.push({ kind: 'null', column: fwd.col.column, negate: true, orZero: true });
      }
    }
  }
  // ---- filters: yes/no columns ----
  // "How many passengers survived?", "quantos não sobreviveram": a boolean column named is true (or false).
  for (let i = 0; i < marks.length; i++) {
    const m = marks[i]!;
    if (m.kind !== 'col' || used.has(m) || m.col.column.type !== 'boolean') continue;
    const back = marks[prevContent(i, (x) => x.kind === 'stop' || isKw(x, 'in'))];
    const negate = isKw(back, 'not', 'without');
    if (negate) used.add(back!);
    used.add(m);
    // False may be stored as 0 or left empty.
    if (negate) filters.push({ kind: 'null', column: m.col.column, negate: false, orZero: true });
    else filters.push({ kind: 'cmp', column: m.col.column, op: '=', value: 1 });
  }

  return { filters, eqByColumn, having, havingText };
}

/**
 * The column a cell found in several columns belongs to: the one another word of the question names ("held at the
 * Australian Open"), else the one the other value said with it is in ("Greater Glasgow or Falkirk"), else the
 * column that names the rows. Undefined when nothing tells them apart ("Harvard" under three divisions).
 */
function resolveColumn(r: Reading, m: Mark & { kind: 'val' }): ColumnIndex | undefined {
  const candidates = [m.entry.column, ...(m.alsoIn ?? [])];
  const named = r.marks.filter(
    (o): o is Mark & { kind: 'col' } => o.kind === 'col' && !r.used.has(o) && candidates.includes(o.col),
  );
  if (named.length === 1) return named[0]!.col;
  const partners = r.marks.filter((o): o is Mark & { kind: 'val' } => o.kind === 'val' && o !== m);
  const withPartner = candidates.filter((c) =>
    partners.some((p) => p.entry.column === c || (p.alsoIn ?? []).includes(c)),
  );
  if (withPartner.length === 1) return withPartner[0];
  const label = labelColumn(r.index);
  return label && candidates.includes(label) ? label : undefined;
}

/** A number more than ten times beyond a column's known values (both positive): not a bound on that column. */
function farOutside(column: ColumnCatalog, value: number): boolean {
  const { min, max } = column;
  if (typeof min !== 'number' || typeof max !== 'number' || value <= 0) return false;
  return (max > 0 && value > max * 10) || (min > 0 && value < min / 10);
}

/** The table holds no years: no date, no year column, no text column of years, no cell naming this one. */
function yearsNowhere(index: TableIndex, year: number): boolean {
  if (index.dateColumns.length > 0 || yearColumn(index)) return false;
  return index.columns.every(
    (c) =>
      !holdsYears(c.column) &&
      !c.column.top_values.some((v) => v.value.includes(String(year))) &&
      !(
        typeof c.column.min === 'number' &&
        typeof c.column.max === 'number' &&
        c.column.min <= year &&
        year <= c.column.max &&
        c.column.type === 'integer' &&
        c.column.min >= 1000
      ),
  );
}
