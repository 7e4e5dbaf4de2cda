/**
 * Comparisons between two named things (issue 13, item 5): "which has a higher density, Greater Glasgow or Falkirk?",
 * "how many more points did X score than Y?", "what is the difference in age between X and Y?", "did X have more or
 * less medals than Y?", "did X get more votes than Y?" — and "which X has the same M as Y?".
 *
 * The two things are two values of one column (or two years). Each side's number is the measure the question names,
 * summed over that side's rows (one row: its value), else the number of rows each side has, else — for "which came
 * first/later" — its place in the table. An aggregate over both sides at once never answers these: that was the
 * commonest wrong answer before (issue 13, "two named rows compared answered by an aggregate").
 */
import type { ColumnCatalog } from '../data/catalog-types.js';
import { answerColumns } from './answer-column.js';
import { isIdentifier } from './column-roles.js';
import type { Lang } from './lexicon.js';
import type { Token } from './normalize.js';
import { fail, isKw, type ParseFailure } from './reading.js';
import type { Roles } from './roles.js';
import type { Mark } from './schema-match.js';
import type { CompareValue, Filter, Intent } from './types.js';

/** Words of the answer, in the question's language. */
export const ANSWER_WORDS: Record<Lang, Record<'more' | 'less' | 'same' | 'yes' | 'no', string>> = {
  en: { more: 'more', less: 'less', same: 'same', yes: 'yes', no: 'no' },
  pt: { more: 'mais', less: 'menos', same: 'igual', yes: 'sim', no: 'não' },
};

/** A question asked to be answered yes or no: it opens with an auxiliary ("did", "is", "were"…). */
export const asksYesNo = (tokens: Token[]): boolean => YES_NO_OPENERS.has(tokens[0]?.norm ?? '');

const YES_NO_OPENERS = new Set(
  'did does do is are was were has have had can could will would should'
    .split(' ')
    .concat(['sera', 'foi', 'houve', 'ha', 'havia', 'existe', 'existem']),
);

interface Pair {
  column: ColumnCatalog;
  sides: [Filter[], Filter[]];
  labels: [string, string];
  /** The question's marks for the two things, in the order said. */
  marks: [Mark, Mark];
  /** The filter they came from, taken out of the shared conditions. */
  filter: Filter | Filter[];
}

/** Two values of one column, each named by its own words ("Greater Glasgow or Falkirk", "1975 than 1963"). */
function findPair(x: Roles): Pair | undefined {
  const { marks } = x.r;
  const cells = (m: Mark & { kind: 'val' }) => [m.entry, ...(m.others ?? [])].map((e) => e.value);
  for (const f of x.fr.filters) {
    if (f.kind !== 'eq' || f.negate) continue;
    // Each of the two things is one value mark (with the cells it stands for: "Braves", "@ Braves").
    const vm = marks.filter(
      (m): m is Mark & { kind: 'val' } => m.kind === 'val' && cells(m).every((v) => f.values.includes(v)),
    );
    if (vm.length !== 2) continue;
    const side = (m: Mark & { kind: 'val' }): Filter[] => [
      { kind: 'eq', column: f.column, values: cells(m), negate: false },
    ];
    return {
      column: f.column,
      sides: [side(vm[0]!), side(vm[1]!)],
      labels: [vm[0]!.entry.value, vm[1]!.entry.value],
      marks: [vm[0]!, vm[1]!],
      filter: f,
    };
  }
  // Two years or numbers of one column: "in 1975 than 1963".
  const eqs = x.fr.filters.filter((f): f is Filter & { kind: 'cmp' } => f.kind === 'cmp' && f.op === '=');
  for (let i = 0; i < eqs.length; i++) {
    const other = eqs.find((g, j) => j > i && g.column === eqs[i]!.column);
    if (!other) continue;
    const nums = marks.filter(
      (m) => m.kind === 'num' && (m.value === eqs[i]!.value || m.value === other.value),
    );
    if (nums.length !== 2) continue;
    return {
      column: other.column,
      sides: [[eqs[i]!], [other]],
      labels: [String(eqs[i]!.value), String(other.value)],
      marks: [nums[0]!, nums[1]!],
      filter: [eqs[i]!, other],
    };
  }
  return undefined;
}

/** The number compared on each side: the measure named, or rows counted, or the place in the table. */
function sideValue(
  x: Roles,
  unique: boolean,
  order: boolean,
  arithmetic: boolean,
): CompareValue | ParseFailure {
  const measure = x.measure?.column ?? (x.countAgg?.agg === 'sum' ? x.countAgg.measure : undefined);
  // "how many more seasons was X coach than Y": seasons are counted, not summed — but the years of two rows can be
  // subtracted ("the difference in years between X and Y").
  if (measure && isIdentifier(measure) && !(unique && arithmetic))
    return unique ? fail('identifier_measure', [measure.label]) : { kind: 'count' };
  if (measure) return { kind: 'measure', column: measure };
  if (order) return { kind: 'order' };
  if (!unique) return { kind: 'count' };
  return fail('no_measure');
}

/** Whether every value of the pair names a single row (by the catalog's counts). */
function pairIsUnique(pair: Pair): boolean {
  const counts = pair.column.top_values;
  return pair.labels.every((v) => (counts.find((t) => t.value === v)?.count ?? 1) <= 1);
}

/**
 * Portuguese often says "than" with a bare "que" ("mais medalhas QUE Singapore", "mais ou menos … que X"): a
 * function word everywhere else, it is "than" after a word of more or less and right before a named thing.
 */
function bareQue(x: Roles): Mark | undefined {
  const { marks, tokens, used } = x.r;
  return marks.find(
    (m, i) =>
      m.kind === 'stop' &&
      tokens[m.start]!.norm === 'que' &&
      marks.slice(0, i).some((o) => isKw(o, 'moreless', 'high', 'low') && !used.has(o)) &&
      marks[x.r.nextContent(i, (n) => n.kind === 'stop')]?.kind === 'val',
  );
}

export function compareShape(x: Roles, lang: Lang): Intent | ParseFailure | undefined {
  const { r } = x;
  const { marks, tokens, used } = r;
  const word = (kw: Parameters<typeof isKw>[1]) => marks.find((m) => isKw(m, kw) && !used.has(m));
  const or = word('or');
  const than = word('than') ?? bareQue(x);
  const difference = word('difference');
  const same = word('same');
  const moreless = word('moreless');
  // "older than Zoe Brandt": a comparative already read as a comparison, with a named row where a number would be.
  const saysThan = (m: Mark) =>
    tokens.slice(m.start, m.end + 1).some((t) => t.norm === 'than' || t.norm === 'que');
  const versus = marks.find(
    (m, i) =>
      isKw(m, 'gt', 'lt') &&
      !used.has(m) &&
      saysThan(m) &&
      marks[r.nextContent(i, (n) => n.kind === 'stop')]?.kind === 'val',
  );
  if (versus && !or && !than) {
    thanRow(x, versus, isKw(versus, 'gt') ? '>' : '<');
    return undefined;
  }
  if (!or && !than && !difference && !same) return undefined;
  if (same) return sameShape(x, same);
  const table = r.index.table;
  const words = ANSWER_WORDS[lang];
  const pair = findPair(x);
  if (!pair) {
    if (difference) return columnsDifference(x, difference, words);
    if (than) thanRow(x, than, undefined);
    return undefined;
  }
  const [ma, mb] = pair.marks;
  // The joining word stands between the two things ("X or Y", "X than Y", "between X and Y").
  const between = (m: Mark | undefined) => !!m && m.start > ma.end && m.end < mb.start;
  const joiner = [or, than].find(between) ?? marks.find((m) => between(m) && isKw(m, 'and', 'between'));
  if (!joiner || (!difference && !between(or) && !between(than))) return undefined;
  const filters = x.fr.filters.filter(
    (f) => f !== pair.filter && !(Array.isArray(pair.filter) && pair.filter.includes(f)),
  );
  const higher = x.has('high', 'recent');
  const lower = x.has('low', 'oldest');
  const negated = marks.some((m) => isKw(m, 'not', 'without') && !used.has(m));
  const onPairColumn = filters.some((f) => f.column === pair.column);
  if (
    or &&
    !difference &&
    !higher &&
    !lower &&
    !moreless &&
    filters.length > 0 &&
    !negated &&
    !onPairColumn
  ) {
    // "does the Tour take diesel or gas?": one named row, and the pair are two cells it may hold.
    used.add(or);
    const f: Filter = { kind: 'eq', column: pair.column, values: pair.labels, negate: false };
    return { shape: 'list', table, columns: [pair.column], distinct: true, filters: [...filters, f] };
  }
  // "Taiwan teve mais medalhas que Singapore?": Portuguese asks yes or no with the statement itself — the first
  // thing named opens it, and no question word asks for anything else.
  const statement =
    marks.findIndex((m) => m.kind !== 'stop') === marks.indexOf(ma) &&
    !marks.some((m) => isKw(m, 'which', 'who', 'when', 'list', 'count', 'howmuch', 'top'));
  const yesNo = asksYesNo(tokens) || statement;
  const order = !x.measure && !!x.aggMarks.find((m) => isKw(m, 'recent', 'oldest') && !used.has(m));
  const value = sideValue(x, pairIsUnique(pair), order, !!difference || !!x.countMark);
  if ('ok' in value) return value;
  // "between X and Y": the word before the first thing belongs to the pair too.
  const opening = marks[r.prevContent(marks.indexOf(ma), (m) => m.kind === 'stop')];
  for (const m of [joiner, difference, moreless, isKw(opening, 'between') ? opening : undefined])
    if (m) used.add(m);
  // Counting rows takes words of number ("more", "fewer"), not of size ("larger", "higher").
  if (value.kind === 'count' && !countingWords(x)) return fail('no_measure');
  const base = {
    shape: 'compare' as const,
    table,
    key: pair.column,
    sides: pair.sides,
    labels: pair.labels,
    value,
    filters,
    words,
  };
  if (difference) return { ...base, op: 'absdiff', dir: 'desc' };
  // "more or less … than": which of the two words is true.
  if (moreless && than) return { ...base, op: 'moreless', dir: 'desc' };
  if (!higher && !lower) return fail('no_measure');
  // "how many more … than …": the difference, in the order said.
  if (x.countMark && than) return { ...base, op: 'diff', dir: lower && !higher ? 'asc' : 'desc' };
  if (yesNo && than) return { ...base, op: 'yesno', dir: lower && !higher ? 'asc' : 'desc' };
  if (or) return { ...base, op: 'which', dir: lower && !higher ? 'asc' : 'desc' };
  return undefined;
}

/**
 * "the difference between the Finalists and the Average in Iowa": two number columns of the same rows. Both sides
 * are the same conditions; each weighs its own column.
 */
function columnsDifference(
  x: Roles,
  difference: Mark,
  words: Record<'more' | 'less' | 'same' | 'yes' | 'no', string>,
): Intent | undefined {
  const { r } = x;
  const cols = r.marks.filter((m): m is Mark & { kind: 'col' } => m.kind === 'col' && m.col.numeric);
  const distinct = [...new Set(cols.map((m) => m.col.column))];
  if (distinct.length !== 2 || x.fr.filters.length === 0) return undefined;
  for (const m of [difference, ...cols]) r.used.add(m);
  const joiner = r.marks.find((m) => isKw(m, 'between', 'and') && m.start > difference.start);
  if (joiner) r.used.add(joiner);
  const [a, b] = distinct as [ColumnCatalog, ColumnCatalog];
  const filters = x.fr.filters;
  return {
    shape: 'compare',
    table: r.index.table,
    key: a,
    sides: [filters, filters],
    labels: [a.label || a.name, b.label || b.name],
    value: [
      { kind: 'measure', column: a },
      { kind: 'measure', column: b },
    ],
    filters: [],
    op: 'absdiff',
    dir: 'desc',
    words,
  };
}

/**
 * "which airport had more passengers than the United Kingdom", "how many cities have a lower population than
 * Valenza": one named row is the yardstick; the comparison becomes a condition on the other rows, and the reading
 * goes on (a listing, a count).
 */
function thanRow(x: Roles, than: Mark, given: '>' | '<' | undefined): void {
  const { r } = x;
  const { marks, used } = r;
  const anchorMark = marks[r.nextContent(marks.indexOf(than), (m) => m.kind === 'stop')];
  const measure = x.measure?.column;
  const direction = x.aggMarks.find((m) => isKw(m, 'high', 'low') && !used.has(m) && m.end < than.start);
  if (anchorMark?.kind !== 'val' || !measure || (!direction && !given)) return;
  const column = anchorMark.entry.column.column;
  const i = x.fr.filters.findIndex(
    (f) =>
      f.kind === 'eq' &&
      !f.negate &&
      f.column === column &&
      f.values.length === 1 &&
      f.values[0] === anchorMark.entry.value,
  );
  if (i < 0) return;
  const anchor = x.fr.filters.splice(i, 1);
  const op = given ?? (isKw(direction, 'high') ? '>' : '<');
  x.fr.filters.push({ kind: 'vsRow', column: measure, op, anchor, table: r.index.table.name });
  used.add(than);
  if (direction) used.add(direction);
  // "which athletes are older than X": every such row, not the oldest of them. Only the comparative itself (the
  // word before "than", or the mark holding it) is settled: "the oldest athlete older than X" still ranks.
  for (const m of [...x.rankWords, ...marks]) {
    const comparative = m.end <= than.end && m.end >= than.start - 1;
    if (comparative && (isKw(m, 'high', 'low') || (m.kind === 'col' && m.implied))) x.settled.add(m);
  }
}

/** Words that compare numbers of rows: "more", "fewer", "most", "mais", "menos" — not "larger" or "higher". */
const COUNTING_WORDS = new Set([
  'more',
  'most',
  'less',
  'least',
  'fewer',
  'fewest',
  'mais',
  'menos',
  'maioria',
]);

export function countingWords(x: Roles): boolean {
  return x.aggMarks.some(
    (m) =>
      isKw(m, 'high', 'low', 'frequent') &&
      (isKw(m, 'frequent') || COUNTING_WORDS.has(x.r.tokens[m.start]!.norm)),
  );
}

/** "which X has the same M as Y", "who was on the same team as Y": other rows sharing Y's value of M. */
function sameShape(x: Roles, same: Mark): Intent | ParseFailure | undefined {
  const { r } = x;
  const { marks, used } = r;
  const anchorMark = marks.find((m): m is Mark & { kind: 'val' } => m.kind === 'val' && m.start > same.end);
  const measureMark = marks.find(
    (m): m is Mark & { kind: 'col' } =>
      m.kind === 'col' && m.start > same.start && m.end < (anchorMark?.start ?? 0),
  );
  if (!anchorMark || !measureMark) return undefined;
  // "the same YEAR … for their date": a part of the value, which this does not compare.
  const part = marks.find(
    (m) => m.start > same.end && m.end < anchorMark.start && m.kind === 'kw' && m.kw.startsWith('unit:'),
  );
  if (part) return fail('unknown_words', [r.tokens[part.start]!.raw]);
  const anchorColumn = anchorMark.entry.column.column;
  const i = x.fr.filters.findIndex(
    (f) => f.kind === 'eq' && f.column === anchorColumn && f.values.includes(anchorMark.entry.value),
  );
  if (i < 0) return undefined;
  const anchor = x.fr.filters.splice(i, 1) as Filter[];
  used.add(same);
  used.add(measureMark);
  // "the same goals AGAINST as Granada had goals FOR": the anchor's value is read from the column named after it.
  const other = marks.find(
    (m): m is Mark & { kind: 'col' } =>
      m.kind === 'col' &&
      m.start > anchorMark.end &&
      m.col !== measureMark.col &&
      m.col.numeric &&
      measureMark.col.numeric,
  );
  if (other) used.add(other);
  const table = r.index.table;
  const filters: Filter[] = [
    ...x.fr.filters,
    {
      kind: 'same',
      column: measureMark.col.column,
      anchor,
      table: table.name,
      ...(other ? { from: other.col.column } : {}),
    },
    { kind: 'eq', column: anchorColumn, values: [anchorMark.entry.value], negate: true },
  ];
  if (x.countMark && x.countAgg?.agg === 'count') return { shape: 'aggregate', table, agg: 'count', filters };
  const columns = answerColumns(x, anchorColumn);
  if ('ok' in columns) return columns;
  return { shape: 'list', table, columns, distinct: false, filters };
}
