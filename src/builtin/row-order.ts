/**
 * Row order is data (issue 13): "the first on the list", "who came in last", "the coach after X", "what is listed
 * above Y", "how many are listed before Z". The table's own order is the file's (table-rows.ts), so these read
 * neighbouring rows instead of ranking or counting values — the first row is not the most frequent value, and the
 * winner "previous to X" is the winner of the row before X's, never X itself.
 *
 * Read before the aggregate shapes (shapes.ts); a question with a measure or an aggregate word is not about row order
 * ("ranked first in gold medals" ranks by gold).
 */
import type { ColumnCatalog } from '../data/catalog-types.js';
import { answerColumns } from './answer-column.js';
import { isIdentifier, isYearLike, namedAsPlace, startsWithYears } from './column-roles.js';
import type { Token } from './normalize.js';
import { AGGREGATE_WORDS, fail, isKw, type ParseFailure, tokenText, yearColumn } from './reading.js';
import type { Roles } from './roles.js';
import { isRowNoun } from './row-nouns.js';
import { isYearToken, type Mark } from './schema-match.js';
import type { Filter, Intent } from './types.js';

/** The words of order that name a side: "after"/"depois" (not "since"), "above"/"acima" (not "more than"). */
const AFTER = new Set(['after', 'depois', 'apos']);
const BEFORE = new Set(['before', 'antes']);
const ABOVE = new Set(['above', 'acima']);
const BELOW = new Set(['below', 'under', 'beneath', 'abaixo']);
const FIRST = new Set(['first', 'primeiro', 'primeira', 'top']);
export const LAST_WORDS: ReadonlySet<string> = new Set(['last', 'ultimo', 'ultima', 'bottom', 'final']);
const LAST = LAST_WORDS;

/** "first", "last", "top", "bottom" (one word): a place in the table's order, unlike "latest" or "most recent". */
export function isPositionWord(tokens: Token[], m: Mark): boolean {
  const word = tokens[m.start]!.norm;
  // Phrases that only mean the top ("mais bem colocado", "best placed") count as one word.
  if (m.kind === 'kw' && m.kw === 'top' && m.end > m.start) return true;
  return m.start === m.end && (FIRST.has(word) || LAST.has(word));
}

/** Which neighbour an order word asks for, when it is one. */
function sideOf(r: Roles['r'], m: Mark): 'prev' | 'next' | undefined {
  if (m.kind !== 'kw') return undefined;
  if (m.kw === 'prev') return 'prev';
  if (m.kw === 'next') return 'next';
  const word = r.tokens[m.start]!.norm;
  if (m.kw === 'after' && AFTER.has(word)) return 'next';
  if (m.kw === 'before' && BEFORE.has(word)) return 'prev';
  if (m.kw === 'gt' && ABOVE.has(word)) return 'prev';
  if (m.kw === 'lt' && BELOW.has(word)) return 'next';
  return undefined;
}

export function rowOrderShape(x: Roles): Intent | ParseFailure | undefined {
  return yearNeighbourShape(x) ?? adjacentShape(x) ?? positionShape(x) ?? timeOrderShape(x);
}

/**
 * "what was the earliest winner?", "the most recent champion": with no date column, the year column orders the rows
 * (the earliest year, every row of it); the answer is the column asked, or the one naming the rows.
 */
function timeOrderShape(x: Roles): Intent | ParseFailure | undefined {
  const { r } = x;
  const { marks, used, tokens } = r;
  const word = marks.find((m) => !used.has(m) && isKw(m, 'recent', 'oldest') && !isPositionWord(tokens, m));
  const year = yearColumn(r.index);
  if (!word || r.date || !year || x.measure || x.countMark || x.gr.group || x.limit !== undefined)
    return undefined;
  if (x.aggMarks.some((m) => m !== word && !used.has(m))) return undefined;
  const columns = answerColumns(x, undefined);
  if ('ok' in columns || columns.length !== 1 || columns[0] === year.column) return undefined;
  used.add(word);
  const dir = isKw(word, 'oldest') ? 'asc' : 'desc';
  return {
    shape: 'toprows',
    table: r.index.table,
    entity: columns[0],
    extra: [year.column],
    orderBy: year.column,
    dir,
    limit: 1,
    filters: x.fr.filters,
    natural: true,
  };
}

/** Takes the anchor's value out of the filters: it names the row to start from, not rows to keep. */
function takeAnchor(x: Roles, anchor: Mark & { kind: 'val' }): Filter[] | undefined {
  const filters = x.fr.filters;
  const i = filters.findIndex(
    (f) =>
      f.kind === 'eq' &&
      !f.negate &&
      f.column === anchor.entry.column.column &&
      f.values.includes(anchor.entry.value),
  );
  const f = filters[i];
  const cells = [anchor.entry, ...(anchor.others ?? [])].map((e) => e.value);
  if (f?.kind !== 'eq' || f.values.some((v) => !cells.includes(v))) return undefined;
  // "how many WORLD CHAMPIONSHIPS were held before the World Championships in 2001": the same value said again
  // for the rows counted stays their condition.
  const again = x.r.marks.some((m) => m !== anchor && m.kind === 'val' && cells.includes(m.entry.value));
  if (!again) filters.splice(i, 1);
  return [{ ...f }];
}

/** Where in the question a filter was said: the first value or number it came from (-1 when unknown). */
function filterPosition(x: Roles, f: Filter): number {
  const m = x.r.marks.find((mark) => {
    if (mark.kind === 'val') return f.kind === 'eq' && mark.entry.column.column === f.column;
    if (mark.kind !== 'num') return false;
    if (f.kind === 'cmp') return mark.value === f.value;
    if (f.kind === 'between') return mark.value === f.low || mark.value === f.high;
    if (f.kind === 'datepart' || f.kind === 'datebetween')
      return (f.kind === 'datepart' ? f.value : f.low).startsWith(String(mark.value));
    return false;
  });
  return m ? m.start : -1;
}

/** Words that put the neighbours on the page, not in time: "listed above", "the row below", "na lista". */
const PAGE_WORDS = new Set(
  'listed list chart table row rows page above below under beneath listado listada lista tabela linha acima abaixo'.split(
    ' ',
  ),
);

/**
 * "the previous winner", "the next coach after X": neighbours in time. A table listed newest first has its rows in
 * the other direction, so when each row has its own year, the year orders them; "listed above X" stays the page's
 * order.
 */
function followsTime(x: Roles, word: Mark): ColumnCatalog | undefined {
  const { r } = x;
  if (r.tokens.some((t) => PAGE_WORDS.has(t.norm)) || !sideOf(r, word)) return undefined;
  const year = yearColumn(r.index);
  return year?.unique && year.column.null_count === 0 ? year.column : undefined;
}

/** Marks "next"/"previous" read, and the noun that names the rows after it ("the next CUP", "o próximo JOGO"). */
function useSideWord(r: Roles['r'], m: Mark): void {
  r.used.add(m);
  const noun = r.marks[r.nextContent(r.marks.indexOf(m), (x) => x.kind === 'stop')];
  if (noun?.kind === 'unknown' && isRowNoun(r.tokens, noun.start, r.index)) r.used.add(noun);
}

/** Singular time nouns before "after"/"before": "the YEAR after 2003", "a TEMPORADA antes de 2005". */
const TIME_NOUNS = new Set(['year', 'season', 'edition', 'ano', 'temporada', 'edicao']);

/**
 * "the year after 2003", "the next show after 2009", "a temporada antes de 2005": the row of the year next to that
 * one — not every row past it. Read only when a singular time noun or "next"/"previous" says one row is meant, and
 * only when each year is one row.
 */
function yearNeighbourShape(x: Roles): Intent | ParseFailure | undefined {
  const { r } = x;
  const { marks, tokens, used } = r;
  if (x.countMark || x.gr.group || x.limit !== undefined) return undefined;
  // "the attendance the season before 2005": that row's own value, unless a total or average is asked.
  if (x.measure && x.aggMarks.some((m) => isKw(m, ...AGGREGATE_WORDS, 'high', 'low', 'top')))
    return undefined;
  for (let i = 0; i < marks.length; i++) {
    const word = marks[i]!;
    const num = marks[r.nextContent(i, (m) => m.kind === 'stop')];
    if (!isKw(word, 'after', 'before') || num?.kind !== 'num' || !isYearToken(tokens[num.start])) continue;
    const dir = sideOf(r, word);
    // The year's own condition: on an integer year column, or on a text column whose cells start with the year.
    const f = x.fr.filters.find(
      (c) =>
        ((c.kind === 'cmp' && isYearLike(c.column)) ||
          (c.kind === 'textYear' && startsWithYears(c.column))) &&
        c.value === num.value &&
        c.op !== '=',
    );
    if (!dir || !f) continue;
    const timeNoun = TIME_NOUNS.has(tokens[word.start - 1]?.norm ?? '');
    const said = marks.filter((m) => isKw(m, 'prev', 'next') && sideOf(r, m) === dir);
    if (!timeNoun && said.length === 0) continue;
    const year = f.column;
    const columns = x.measure ? [x.measure.column] : answerColumns(x, year);
    if ('ok' in columns) return columns;
    if (columns.includes(year)) return undefined;
    if (x.measureMark) used.add(x.measureMark);
    x.fr.filters.splice(x.fr.filters.indexOf(f), 1);
    for (const m of said) useSideWord(r, m);
    const anchor: Filter[] = [
      year.type === 'integer'
        ? { kind: 'cmp', column: year, op: '=', value: num.value }
        : { kind: 'textYear', column: year, op: '=', value: num.value },
    ];
    const table = r.index.table;
    // Several rows in a year: the first of the next year (the last of the previous one) in the table's order.
    return {
      shape: 'adjacent',
      table,
      columns,
      anchor,
      filters: x.fr.filters,
      dir,
      count: false,
      timeOrder: year,
    };
  }
  return undefined;
}

function adjacentShape(x: Roles): Intent | ParseFailure | undefined {
  const { r } = x;
  const { marks, used } = r;
  for (let i = 0; i < marks.length; i++) {
    const word = marks[i]!;
    if (used.has(word)) continue;
    const dir = sideOf(r, word);
    if (!dir) continue;
    const k = r.nextContent(i, (m) => m.kind === 'stop' || isKw(m, 'in', 'prev', 'next'));
    const anchorMark = marks[k];
    if (anchorMark?.kind !== 'val') continue;
    // "below 1.75 mts", "above 50": a comparison with a number written in a text column, not a row to start from.
    if (/^\W*\d/.test(anchorMark.entry.value) && word.kind === 'kw' && (word.kw === 'gt' || word.kw === 'lt'))
      continue;
    // "after the United States, what country won the most gold": a ranking from a place on — not read.
    const counting = !!x.countMark && x.countAgg?.agg === 'count';
    // "how many awards were ABOVE gold": counted above a value, a level is meant more often than the page — only
    // "listed above" counts rows of the page.
    const onPage = r.tokens.some(
      (t) =>
        PAGE_WORDS.has(t.norm) && !['above', 'below', 'under', 'beneath', 'acima', 'abaixo'].includes(t.norm),
    );
    if (counting && isKw(word, 'gt', 'lt') && !onPage) return undefined;
    // "which team ranked below Chile": a rank named beside the order word is the order itself.
    const measure = x.measure && !isIdentifier(x.measure.column) ? x.measure : undefined;
    if (!counting && (x.countMark || measure || x.gr.group)) return undefined;
    const anchor = takeAnchor(x, anchorMark);
    if (!anchor) return fail('unknown_words', [r.tokens[word.start]!.raw]);
    // Conditions said after the anchor qualify it ("the competition listed before the Boston Marathon IN 1984");
    // said before, they qualify the row asked for ("the next rider FROM ITALY after X").
    for (const f of [...x.fr.filters]) {
      if (filterPosition(x, f) > anchorMark.end) {
        anchor.push(f);
        x.fr.filters.splice(x.fr.filters.indexOf(f), 1);
      }
    }
    // One condition after the anchor tells its row apart ("… in 1984"); several ("X (pick 123) was picked for
    // defence, … the next defence pick from the United States") may as well describe the row asked for.
    if (anchor.length > 2) return fail('anchor_unclear', [anchorMark.entry.value]);
    used.add(word);
    for (let j = i + 1; j < k; j++) if (isKw(marks[j], 'prev', 'next')) used.add(marks[j]!);
    // "the NEXT coach AFTER X", "o ANTERIOR antes de": the same side said twice.
    for (const m of marks)
      if (!used.has(m) && isKw(m, 'prev', 'next') && sideOf(r, m) === dir) useSideWord(r, m);
    const table = r.index.table;
    const timeOrder = followsTime(x, word);
    if (counting)
      return {
        shape: 'adjacent',
        table,
        columns: [],
        anchor,
        filters: x.fr.filters,
        dir,
        count: true,
        timeOrder,
      };
    const columns = answerColumns(x, anchorMark.entry.column.column);
    if ('ok' in columns) return columns;
    return { shape: 'adjacent', table, columns, anchor, filters: x.fr.filters, dir, count: false, timeOrder };
  }
  return undefined;
}

/** "first"/"last"/"top"/"bottom" with nothing to rank by: the first or last row meeting the filters. */
function positionShape(x: Roles): Intent | ParseFailure | undefined {
  const { r } = x;
  const { marks, used, tokens } = r;
  const word = marks.find(
    (m) => !used.has(m) && isKw(m, 'recent', 'oldest', 'top') && isPositionWord(tokens, m),
  );
  if (!word) return undefined;
  if (x.countMark || x.gr.group || x.limit !== undefined || x.fr.having) return undefined;
  if (x.aggMarks.some((m) => m !== word && !isKw(m, 'recent', 'oldest', 'top'))) return undefined;
  const from = LAST.has(tokens[word.start]!.norm) ? 'last' : 'first';
  const table = r.index.table;
  const measure = x.measure?.column;
  // "who was last in the slalom" beside a rank written as text ("23", "–" for those who did not finish): the rank
  // says who was last, the page's order may not — and the rank cannot be read as a number.
  const textRank = table.columns.find((c) => c.type === 'text' && namedAsPlace(c) && mostlyNumbers(c));
  const onPage = tokens.some((t) => PAGE_WORDS.has(t.norm));
  if (!measure && textRank && !onPage) return fail('order_unclear', [tokenText(tokens, word)], [textRank]);
  // An ordinal with empty cells at the top ("Rank" blank beside medal pictures) no longer orders the rows: the table's
  // own order does.
  if (measure && isIdentifier(measure) && measure.null_count === 0) {
    // "the last player picked", "the first draw": in the order of that ordinal or year — and "what week was the
    // first bye" asks for that very column.
    const asked =
      marks[
        r.nextContent(
          marks.findIndex((m) => isKw(m, 'which')),
          (m) => m.kind === 'stop',
        )
      ];
    const columns = asked === x.measureMark ? [measure] : answerColumns(x, undefined);
    if ('ok' in columns) return columns;
    used.add(word);
    const [entity, ...extra] = columns;
    const dir = from === 'first' ? 'asc' : 'desc';
    return {
      shape: 'toprows',
      table,
      entity,
      extra,
      orderBy: measure,
      dir,
      limit: 1,
      filters: x.fr.filters,
      natural: true,
    };
  }
  // "the density of the last city": the measure is what is asked, of the last row — not "the last density".
  if (measure && marks[r.nextContent(marks.indexOf(word))] === x.measureMark) return undefined;
  // "who was the top draft pick": a name, never the number.
  const who = marks.some((m) => isKw(m, 'who'));
  const columns = measure && !who ? [measure] : answerColumns(x, undefined);
  if ('ok' in columns) return columns;
  used.add(word);
  // "when was the last GAME": the noun after the position word is what the rows are.
  const noun = marks[r.nextContent(marks.indexOf(word), (m) => m.kind === 'stop')];
  if (noun?.kind === 'unknown' && isRowNoun(tokens, noun.start, r.index)) used.add(noun);
  // "what was the last year that …", "the first season": the answer is itself a time — order by it.
  const time = timeOrdered(x, columns);
  if (time) {
    return {
      shape: 'toprows',
      table,
      entity: time,
      extra: [],
      orderBy: time,
      dir: from === 'first' ? 'asc' : 'desc',
      limit: 1,
      filters: x.fr.filters,
    };
  }
  return { shape: 'position', table, columns, filters: x.fr.filters, from, offset: 0 };
}

/** The answer column when it is a year or a date: "the last year", "the first date". */
function timeOrdered(x: Roles, columns: ColumnCatalog[]): ColumnCatalog | undefined {
  if (columns.length !== 1) return undefined;
  const c = columns[0]!;
  const idx = x.r.index.columns.find((ci) => ci.column === c);
  if (!idx) return undefined;
  return idx.temporal || idx === x.r.index.columns.find((ci) => ci === x.r.date) || isYearLike(c)
    ? c
    : undefined;
}

/** A text column most of whose rows hold a number ("23", "16" beside "–" or "DNF"). */
function mostlyNumbers(c: ColumnCatalog): boolean {
  const rows = c.top_values.reduce((n, v) => n + v.count, 0);
  const numbers = c.top_values.filter((v) => /^\s*\d+\s*$/.test(v.value)).reduce((n, v) => n + v.count, 0);
  return rows > 0 && numbers * 2 >= rows;
}
