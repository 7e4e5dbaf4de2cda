/**
 * The shared state of reading one question against one table: its tokens, the marks schema-match gave them, which
 * marks already have a role (`used`), and small helpers to look at neighbouring marks. filters.ts, grouping.ts and
 * intents.ts each take their part of the meaning from it, in that order.
 */
import type { ColumnCatalog } from '../data/catalog-types.js';
import { isYearLike } from './column-roles.js';
import type { Keyword } from './lexicon.js';
import { concepts, KEYWORD_PHRASES, STOPWORDS } from './lexicon.js';
import type { Token } from './normalize.js';
import type { ColumnIndex, Mark, TableIndex } from './schema-match.js';
import type { Bucket } from './types.js';

export type FailCode =
  | 'refuse_topic'
  | 'unknown_words'
  | 'no_measure'
  | 'ambiguous_column'
  | 'several_measures'
  | 'no_date_column'
  | 'group_target'
  | 'number_target'
  | 'nothing'
  | 'several_groups'
  | 'percent_form'
  | 'aggregate_filter'
  | 'one_row_each'
  | 'one_row'
  | 'identifier_measure'
  | 'echo'
  | 'folded_table'
  | 'several_rows'
  | 'order_unclear'
  | 'anchor_unclear';

export interface ParseFailure {
  ok: false;
  code: FailCode;
  /** Words the failure is about (unknown words, ambiguous word, …), as typed. */
  words: string[];
  /** Column names involved (ambiguity candidates). */
  columns: ColumnCatalog[];
}

export const fail = (code: FailCode, words: string[] = [], columns: ColumnCatalog[] = []): ParseFailure => ({
  ok: false,
  code,
  words,
  columns,
});

export const isKw = (m: Mark | undefined, ...kws: Keyword[]): boolean =>
  m?.kind === 'kw' && kws.includes(m.kw);

/** Words that name an aggregate of a measure ("média", "median", "desvio padrão", "soma", "total"). */
export const AGGREGATE_WORDS: readonly Keyword[] = ['avg', 'median', 'stddev', 'sum', 'total'];

/** Marks that never carry meaning on their own and are skipped when looking for a neighbour. */
export const isSkippable = (m: Mark | undefined): boolean =>
  m !== undefined && (m.kind === 'stop' || isKw(m, 'in', 'filler', 'with'));

const CONCEPT_YEAR = () => concepts().byStem.get('year') ?? [];

/** The date column a time word refers to: the only one, or the first when several (less confident). */
export function dateColumn(index: TableIndex): ColumnIndex | undefined {
  return index.dateColumns[0];
}

/**
 * The integer column years filter on: one named like "year"/"ano" (also "Year of election"), else the only integer
 * column whose values are all years ("Election", "Season" holding 1988, 1991 …).
 */
export function yearColumn(index: TableIndex): ColumnIndex | undefined {
  const yearConcepts = CONCEPT_YEAR();
  const named = index.columns.find(
    (c) =>
      c.column.type === 'integer' &&
      c.wordSets.some(
        (s) => s.length <= 3 && s.some((w) => w.concepts.some((k) => yearConcepts.includes(k))),
      ),
  );
  if (named) return named;
  const years = index.columns.filter((c) => isYearLike(c.column));
  return years.length === 1 ? years[0] : undefined;
}

export const UNIT_BUCKET: Record<string, Bucket> = {
  'unit:year': 'year',
  'unit:month': 'month',
  'unit:day': 'day',
  'unit:week': 'week',
  'unit:hour': 'hour',
  'unit:weekday': 'weekday',
};

export class Reading {
  /** Marks that already have a role; what is left at the end is what the question did not explain. */
  readonly used = new Set<Mark>();
  /** Lowered by weak matches and tolerated unknowns; below MIN_CONFIDENCE the engine refuses. */
  confidence = 1;
  readonly date: ColumnIndex | undefined;

  constructor(
    readonly tokens: Token[],
    readonly marks: Mark[],
    readonly index: TableIndex,
  ) {
    this.date = dateColumn(index);
  }

  /** Index of the previous mark that `skip` does not skip (-1 when none). */
  prevContent(i: number, skip: (m: Mark) => boolean = isSkippable): number {
    let k = i - 1;
    while (k >= 0 && skip(this.marks[k]!)) k--;
    return k;
  }

  /** Index of the next mark that `skip` does not skip (marks.length when none). */
  nextContent(i: number, skip: (m: Mark) => boolean = isSkippable): number {
    let k = i + 1;
    while (k < this.marks.length && skip(this.marks[k]!)) k++;
    return k;
  }
}

/** The time unit a word names when it points at a date column ("per year" on a date column named "year"). */
export function unitOf(tokens: Token[], m: Mark): Bucket | undefined {
  for (let i = m.start; i <= m.end; i++) {
    const kw = KEYWORD_PHRASES.get(tokens[i]!.norm);
    if (kw && UNIT_BUCKET[kw]) return UNIT_BUCKET[kw];
  }
  return undefined;
}

export function columnHasConcept(c: ColumnIndex, word: string): boolean {
  const ids = concepts().byStem.get(word) ?? [];
  return c.wordSets.some((set) => set.some((w) => w.concepts.some((id) => ids.includes(id))));
}

/** Values that read as numbers, ordinals, scores or times ("1st", "2–1", "1:54.3"): a column of them names nothing. */
const NUMBERISH = /^\W*\d/;

export function namesThings(c: ColumnIndex): boolean {
  const values = c.column.top_values;
  if (values.length === 0) return typeof c.column.min !== 'string' || !NUMBERISH.test(c.column.min);
  return values.filter((v) => NUMBERISH.test(v.value)).length * 2 < values.length;
}

/**
 * The column that names a table's rows: a name/title-like text column, else the most distinct text column whose values
 * are words (not "1st", "2–1" or times).
 */
export function labelColumn(index: TableIndex): ColumnIndex | undefined {
  const texts = index.columns.filter((c) => c.text && c.column.distinct_estimate > 1 && namesThings(c));
  if (texts.length === 0) return undefined;
  const named = texts.find((c) => columnHasConcept(c, 'name') || columnHasConcept(c, 'title'));
  if (named) return named;
  return [...texts].sort((a, b) => b.column.distinct_estimate - a.column.distinct_estimate)[0];
}

/** Whether [low, high] overlaps the column's known range (from the catalog); unknown ranges count as overlapping. */
export function inRange(c: ColumnIndex, low: number, high: number): boolean {
  const { min, max } = c.column;
  if (typeof min !== 'number' || typeof max !== 'number') return true;
  return high >= min && low <= max;
}

export function inVocabulary(tok: Token): boolean {
  return (concepts().byStem.get(tok.norm) ?? concepts().byStem.get(tok.stem)) !== undefined;
}

/** Nouns spelled the same in singular and plural. */
const INVARIANT = new Set(['series', 'species', 'status', 'news', 'lapis', 'onibus', 'virus', 'campus']);

/** Ends in -s and the stemmer removes a plural ending: "países" yes, "país"/"mês"/"status" no. */
export function isPlural(tok: Token): boolean {
  if (INVARIANT.has(tok.norm)) return false;
  return /s$/.test(tok.norm) && tok.stem !== tok.norm && !STOPWORDS.has(tok.norm);
}

export function tokenText(tokens: Token[], m: Mark): string {
  return tokens
    .slice(m.start, m.end + 1)
    .map((t) => t.raw)
    .join(' ');
}
