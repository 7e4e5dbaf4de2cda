/**
 * Answer only what was understood (issue 13): after a reading is built, every word of the question must be accounted
 * for — as a column, a value, an operation the reading performs, or a word known to carry no condition (function
 * words, fillers like "listed" or "on the chart", verbs that only say what a row records). A word left over is a
 * condition the reading would silently drop, so the question is refused, naming that word.
 */
import { isIdentifier } from './column-roles.js';
import { isContextWord } from './context-words.js';
import type { Keyword } from './lexicon.js';
import { fold } from './normalize.js';
import type { Reading } from './reading.js';
import { isRowNoun } from './row-nouns.js';
import type { Mark } from './schema-match.js';
import type { Intent } from './types.js';

/** "sum", "combined", "average": explained by a reading that computes an aggregate. */
const STATISTIC: ReadonlySet<Keyword> = new Set<Keyword>(['sum', 'avg', 'median', 'stddev', 'percent']);

/** "most", "least", "top", "latest": explained by a reading that orders rows or takes an extreme. */
const DIRECTION: ReadonlySet<Keyword> = new Set<Keyword>([
  'high',
  'low',
  'top',
  'frequent',
  'recent',
  'oldest',
]);

/** Keywords that change the answer: left unused, the reading computes something else than what was asked. */
const MEANINGFUL: ReadonlySet<Keyword> = new Set<Keyword>([
  ...['not', 'without', 'empty', 'notEmpty', 'gt', 'gte', 'lt', 'lte', 'eq', 'between', 'after', 'before'],
  ...[
    'orMore',
    'orLess',
    'or',
    'than',
    'same',
    'prev',
    'next',
    'difference',
    'beside',
    'unsupported',
    'moreless',
  ],
  ...STATISTIC,
  ...DIRECTION,
] as Keyword[]);

function ordersOrExtremes(intent: Intent): boolean {
  switch (intent.shape) {
    case 'ranking':
    case 'toprows':
    case 'position':
    case 'adjacent':
    case 'compare':
      return true;
    case 'aggregate':
      return (
        intent.agg === 'max' || intent.agg === 'min' || !!intent.having || (intent.more ?? []).length > 0
      );
    case 'list':
      return false;
  }
}

/** The marks a reading leaves unexplained: conditions it would drop. */
export function unexplained(r: Reading, intent: Intent): Mark[] {
  return r.marks.filter((m) => !r.used.has(m) && !explainedWithoutRole(r, m, intent));
}

/**
 * A column named without a value is no condition ("quantas vendas nas lojas", "which position was represented the
 * most on the team"), as long as the reading computes something definite; when it lists whole rows, the column was
 * probably what the question asked for ("what was X's party?"), so answering with every column is no answer. A number
 * column left aside while another is summed or compared is a second measure dropped ("gold AND SILVER medals").
 */
function idleColumnIsContext(m: Mark & { kind: 'col' }, intent: Intent): boolean {
  if (intent.shape === 'list' && intent.columns.length === 0) return false;
  // "in the 2001 SEASON": the column of a condition, named beside its value.
  if (intent.filters.some((f) => f.column === m.col.column)) return true;
  // Counting every row, one word of a longer header ("REMIX versions" against "Remixed by") is more likely a
  // condition on another column than context.
  if (!m.full && intent.shape === 'aggregate' && intent.agg === 'count' && intent.filters.length === 0)
    return false;
  const weighed =
    (intent.shape === 'aggregate' && intent.agg !== 'count') ||
    intent.shape === 'ranking' ||
    intent.shape === 'toprows' ||
    intent.shape === 'compare' ||
    // "the total GOLD amount" answered with the Total column: another number named and dropped.
    (intent.shape === 'list' && intent.columns.some((c) => c.type === 'integer' || c.type === 'real'));
  // A rank or a year is no second measure ("RANKED first in gold medals").
  return !(m.col.numeric && !m.col.temporal && weighed && !isIdentifier(m.col.column));
}

function explainedWithoutRole(r: Reading, m: Mark, intent: Intent): boolean {
  switch (m.kind) {
    case 'stop':
    case 'table':
      return true;
    case 'kw':
      if (DIRECTION.has(m.kw)) return ordersOrExtremes(intent);
      if (STATISTIC.has(m.kw)) return intent.shape === 'aggregate' || intent.shape === 'ranking';
      return !MEANINGFUL.has(m.kw);
    case 'unknown':
      return isContextWord(r.tokens, m.start, r.index.table) || namedRows(r, m);
    case 'col':
      return idleColumnIsContext(m, intent);
    case 'val':
    case 'num':
    case 'month':
      return false;
  }
}

/**
 * "the September 19th, 1984 GAME", "the 2004 SEASON": a noun for the rows right after the date or number that picks
 * them adds no condition of its own. (After a name it may well be one: "German SPEAKERS", "diesel LOCOMOTIVE".)
 */
function namedRows(r: Reading, m: Mark): boolean {
  const i = r.marks.indexOf(m);
  const before = r.marks[i - 1];
  // Also a people's name for a country cell ("the only SERBIAN player" for Serbia): an adjective of the rows, where
  // a word that is itself a cell ("GERMAN speakers" over a Language column) may name something else to count.
  const byPeople =
    before?.kind === 'val' &&
    before.start === before.end &&
    !fold(before.entry.value).includes(r.tokens[before.start]!.norm);
  const picks =
    before && r.used.has(before) && (before.kind === 'num' || before.kind === 'month' || byPeople);
  if (picks && before.end === m.start - 1) return isRowNoun(r.tokens, m.start, r.index);
  // Portuguese names the rows first: "o JOGO de 19 de setembro de 1984", "a TEMPORADA de 2004".
  const of = r.marks[i + 1];
  const after = r.marks[i + 2];
  const picksAfter =
    ARTICLES.has(r.tokens[m.start - 1]?.norm ?? '') &&
    of?.kind === 'kw' &&
    of.start === m.end + 1 &&
    OF_DATE.has(r.tokens[of.start]!.norm) &&
    after !== undefined &&
    r.used.has(after) &&
    (after.kind === 'num' || after.kind === 'month');
  return picksAfter && isRowNoun(r.tokens, m.start, r.index);
}

/** Prepositions between a noun and the date or number that picks its rows ("o jogo DE 19 de setembro"). */
const OF_DATE = new Set(['de', 'do', 'da', 'em']);
/** Articles, alone or contracted, that make the word after them a noun ("DO jogo", "A temporada"), not a verb. */
const ARTICLES = new Set(['o', 'a', 'os', 'as', 'do', 'da', 'dos', 'das', 'no', 'na', 'nos', 'nas', 'ao']);
