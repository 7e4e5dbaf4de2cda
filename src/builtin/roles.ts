/**
 * The roles words play in a question, read once and shared by every shape of answer: the entity asked about ("which
 * X", "who", "when"), aggregate and ranking words, what is counted, the measure, and what unknown words may be.
 * intents.ts builds a Roles object from a Reading (after filters and groupings took their words), then asks the
 * shape readers (row order, comparisons, lookups, aggregates) for an Intent.
 */
import type { ColumnCatalog } from '../data/catalog-types.js';
import { isIdentifier } from './column-roles.js';
import { isContextWord } from './context-words.js';
import type { FilterReading } from './filters.js';
import type { GroupReading } from './grouping.js';
import type { Keyword } from './lexicon.js';
import { concepts, stem } from './lexicon.js';
import { fold, type Token } from './normalize.js';
import { isOutcomeWord } from './outcome.js';
import {
  AGGREGATE_WORDS,
  columnHasConcept,
  fail,
  inVocabulary,
  isKw,
  isPlural,
  isSkippable,
  labelColumn,
  namesThings,
  type ParseFailure,
  type Reading,
  tokenText,
  UNIT_BUCKET,
  unitOf,
  yearColumn,
} from './reading.js';
import { isQuantityNoun, isRowNoun } from './row-nouns.js';
import { isPositionWord, LAST_WORDS } from './row-order.js';
import { type ColumnIndex, isYearToken, type Mark, matchLevel } from './schema-match.js';
import type { Agg, Bucket, GroupKey } from './types.js';

/** The aggregate an aggregate word names. */
const AGG_OF_WORD: Partial<Record<Keyword, Agg>> = {
  avg: 'avg',
  median: 'median',
  stddev: 'stddev',
  sum: 'sum',
  total: 'sum',
  high: 'max',
  low: 'min',
};

export interface CountRole {
  agg: Agg;
  measure?: ColumnCatalog;
  bucket?: Bucket;
  /** Further columns added to the measure ("gold AND SILVER medals"). */
  plus?: ColumnCatalog[];
}

export interface Roles {
  r: Reading;
  fr: FilterReading;
  gr: GroupReading;
  /** The entity asked about: "which X", "quais os 3 X", "who" (the label column), "when" (the date). */
  entity?: GroupKey;
  entityMark?: Mark;
  entityPlural: boolean;
  /** The entity is the rows themselves (a unique label), not the values of a column. */
  entityIsRows: boolean;
  /** "the 3 hottest readings": whole rows ranked. */
  rowsRanked?: Mark;
  limit?: number;
  rankWords: Mark[];
  whenMark?: Mark;
  /** Aggregate, ranking and time-order words not used elsewhere. */
  aggMarks: Mark[];
  /** Whether the question says one of these aggregate/ranking words (or a measure adjective implies it). */
  has: (...kws: Keyword[]) => boolean;
  /**
   * Direction words a comparison with a named row took ("older than X" is a condition): they no longer ask for a
   * ranking through `has`.
   */
  settled: Set<Mark>;
  dir: 'desc' | 'asc';
  distinct: boolean;
  countMark?: Mark;
  countAgg?: CountRole;
  measure?: ColumnIndex;
  measureMark?: Mark & { kind: 'col' };
  measures: (Mark & { kind: 'col' })[];
  /** A date column named without another role ("the latest release date"). */
  temporalTarget?: Mark & { kind: 'col' };
  /** The statistic a word names outright ("mediana", "desvio padrão", "média"), in this order of precedence. */
  namedStat: () => Agg | undefined;
  explicitAgg: () => Agg | undefined;
  /** A word inside the measure's own name carries the aggregate: "max speed" → MAX(speed_max). */
  embeddedAgg: () => Agg | undefined;
  defaultAgg: (col: ColumnIndex) => Agg;
  /** Every aggregate word, in the order asked ("mínimo, médio e máximo" → min, avg, max). */
  aggList: () => Agg[];
  /** The aggregates of a list joined by "and" ("mínimo e máximo"), else none. */
  listedAggs: () => Agg[];
}

/** Verbs that open a request for names, and the words that ask for just one of them. */
const NAMING_VERBS = new Set(['name', 'give', 'list', 'cite', 'diga', 'nomeie', 'mencione', 'liste']);
const ONE = new Set(['a', 'an', 'one', 'um', 'uma']);

export function readRoles(r: Reading, fr: FilterReading, gr: GroupReading): Roles | ParseFailure {
  const { tokens, marks, index, used } = r;
  const table = index.table;
  const prevContent = (i: number, skip?: (m: Mark) => boolean) => r.prevContent(i, skip);
  const nextContent = (i: number, skip?: (m: Mark) => boolean) => r.nextContent(i, skip);
  const date = r.date;
  const { filters, eqByColumn } = fr;
  const { group, groupMark } = gr;

  /**
   * The word at k heads its phrase ("which BUILDING had …", "how many GAMES did Toronto play"): the word right after
   * it is no noun it would qualify ("AMERICAN players", "which AMERICAN country").
   */
  const headNoun = (k: number): boolean => {
    const next = marks[k + 1];
    if (next === undefined || next.kind === 'val') return true;
    if (next.kind === 'table') return false;
    // A column named by a verb ("players WEIGHED more than") starts a clause, it is not qualified.
    if (next.kind === 'col') return /(ed|ing)$/.test(tokens[next.end]!.norm);
    return !(next.kind === 'unknown' && !isContextWord(tokens, next.start, table));
  };
  // ---- the entity asked about: "which X", "quais os 3 X", "top 5 X", "list the X" ----
  let entity: GroupKey | undefined;
  let entityMark: Mark | undefined;
  let entityPlural = false;
  let entityIsRows = false;
  let rowsRanked: Mark | undefined;
  let limit: number | undefined;
  const rankWords: Mark[] = [];
  {
    let i = marks.findIndex((m) => isKw(m, 'which', 'list', 'top', 'who'));
    const startsWithEntity = i < 0 || marks.slice(0, i).some((m) => m.kind !== 'stop' && !isKw(m, 'in'));
    // "the last player picked came from WHAT SCHOOL?": a question word later on, right before a column, names the
    // entity wherever it stands.
    const late = marks.findIndex(
      (m, j) => isKw(m, 'which') && marks[r.nextContent(j, (x) => x.kind === 'stop')]?.kind === 'col',
    );
    if (startsWithEntity) i = late;
    const afterWhich = i >= 0 && isKw(marks[i], 'which');
    /** The first word after "which/what" is a common noun the table has no column or value for. */
    const rowNounAfterWhich = (k: number): boolean => {
      if (!afterWhich || k !== r.nextContent(i, (x) => x.kind === 'stop')) return false;
      const m = marks[k]!;
      if (m.kind === 'kw') return m.kw === 'list' && tokens[m.start]!.norm !== 'list';
      // Another column named later may be what is asked ("which team was the WINNER"): then the noun is no answer.
      const namedLater = marks.some(
        (o, j) =>
          j > k && o.kind === 'col' && o.col.text && !used.has(o) && !isContextWord(tokens, o.start, table),
      );
      return m.kind === 'unknown' && isRowNoun(tokens, m.start, index, true) && headNoun(k) && !namedLater;
    };
    const asksWho = isKw(marks[i], 'who');
    for (let k = i + 1; k < marks.length; k++) {
      const m = marks[k]!;
      // Skipped on the way to the entity: function words, fillers ("the NAME of", "listed") and row-order words
      // ("the LAST location", "the NEXT coach"), which the row-order reading takes — with the "of" after a filler
      // ("the name OF the album", "o nome DO álbum").
      const prev = marks[r.prevContent(k, (x) => x.kind === 'stop')];
      const ofFiller = isKw(m, 'in') && prev?.kind === 'unknown' && isContextWord(tokens, prev.start, table);
      if (
        m.kind === 'stop' ||
        ofFiller ||
        (isKw(m, 'which', 'list', 'top', 'filler', 'distinct', 'prev', 'next') && !rowNounAfterWhich(k)) ||
        (m.kind === 'unknown' && isContextWord(tokens, m.start, table) && !rowNounAfterWhich(k))
      )
        continue;
      if (isKw(m, 'recent', 'oldest', 'top') && isPositionWord(tokens, m)) {
        rankWords.push(m);
        continue;
      }
      if (
        m.kind === 'num' &&
        !used.has(m) &&
        !isYearToken(tokens[m.start]) &&
        Number.isInteger(m.value) &&
        m.value > 0
      ) {
        limit = m.value;
        used.add(m);
        continue;
      }
      // "the 3 windiest days": a measure adjective ranks, and the entity comes after it.
      if (isKw(m, 'high', 'low', 'frequent') || (m.kind === 'col' && m.implied)) {
        rankWords.push(m);
        continue;
      }
      const yc = yearColumn(index);
      const numericEntity =
        m.kind === 'col' &&
        m.col.numeric &&
        (m.col === yc ||
          (m.col.column.type === 'integer' &&
            m.col.column.distinct_estimate <= 60 &&
            marks.some((o) => o !== m && o.kind === 'col' && o.col.numeric && !used.has(o))));
      // "the last winner's ALBUM": the possessed column is what is asked, not the possessor.
      const owned = m.kind === 'col' && tokens[m.end]!.possessive ? marks[k + 1] : undefined;
      if (owned?.kind === 'col' && !used.has(owned) && !owned.col.numeric) {
        entity = { column: owned.col.column };
        entityMark = owned;
      } else if (asksWho && m.kind === 'col' && (!m.full || !m.col.text || !namesThings(m.col))) {
        // "who was the last DEPUTY JUDGE …" where the column is "Term as a Deputy Judge": no names there — the
        // answer is the column that names the rows.
      } else if (m.kind === 'col' && !used.has(m) && (!m.col.numeric || numericEntity)) {
        entity = { column: m.col.column, bucket: m.col.temporal ? unitOf(tokens, m) : undefined };
        if (entity.bucket === 'day' && m.col.column.type === 'date') entity.bucket = undefined;
        entityMark = m;
        entityPlural = isPlural(tokens[m.end]!);
      } else if (isKw(m, 'row')) {
        // "the 3 hottest readings", "os 5 maiores pedidos": whole rows are ranked.
        rowsRanked = m;
      } else if (m.kind === 'table' && labelColumn(index)) {
        // "which car", "os 3 filmes": the table's rows, named by its label column (name, title…).
        entity = { column: labelColumn(index)!.column };
        // Rows are the entity when their label is unique; otherwise the label's values are ("which disaster type").
        entityIsRows = labelColumn(index)!.unique;
        entityMark = m;
        entityPlural = isPlural(tokens[m.end]!);
      } else if (m.kind === 'kw' && m.kw === 'unit:year' && !date && yearColumn(index)) {
        // "in which year …" in a table whose years are an integer column.
        entity = { column: yearColumn(index)!.column };
        entityMark = m;
        entityPlural = isPlural(tokens[m.end]!);
      } else if (rowNounAfterWhich(k) && labelColumn(index)) {
        // "which building …", "which show …": a noun the table has no column for names its rows.
        const label = labelColumn(index)!;
        entity = { column: label.column };
        entityIsRows = label.unique;
        entityMark = m;
        entityPlural = isPlural(tokens[m.end]!);
      } else if (m.kind === 'kw' && UNIT_BUCKET[m.kw] && date) {
        const bucket = UNIT_BUCKET[m.kw]!;
        entity = {
          column: date.column,
          bucket: bucket === 'day' && date.column.type === 'date' ? undefined : bucket,
        };
        entityMark = m;
        entityPlural = isPlural(tokens[m.end]!);
      } else if (m === groupMark && group) {
        // "qual região …" then "por região"? keep as entity too
        entity = group;
        entityMark = m;
      }
      break;
    }
    if (entityMark) used.add(entityMark);
  }
  const whoMark = marks.find((m) => isKw(m, 'who'));
  // "who DIRECTED the most cartoons", "quem ESCREVEU …": the verb right after "who" names a column of agents
  // ("Directed by", "Written by") — the names asked for.
  const agent = whoMark ? marks[marks.indexOf(whoMark) + 1] : undefined;
  if (
    !entity &&
    agent?.kind === 'col' &&
    !used.has(agent) &&
    agent.col.text &&
    agent.start === agent.end &&
    /(ed|ou|eu|iu)$/.test(tokens[agent.start]!.norm) &&
    agent.col.wordSets.some((set) => ['by', 'por'].includes(set.at(-1)?.norm ?? ''))
  ) {
    entity = { column: agent.col.column };
    entityMark = agent;
    used.add(agent);
    used.add(whoMark!);
  }
  if (!entity && whoMark && labelColumn(index)) {
    // "who is the tallest person?": the rows, named by the label column.
    entity = { column: labelColumn(index)!.column };
    entityMark = whoMark;
    entityIsRows = true;
    used.add(whoMark);
  }
  // "When was …?", "quando …?" asks for a date; inside a question ("average battery when status is fault") "when"
  // only joins a condition, which the filters read.
  const whenAt = marks.findIndex((m) => isKw(m, 'when'));
  const whenMark = whenAt >= 0 && whenAt === nextContent(-1) ? marks[whenAt] : undefined;
  if (whenAt >= 0 && !whenMark) used.add(marks[whenAt]!);
  if (!entity && whenMark && date) {
    entity = { column: date.column };
    entityMark = whenMark;
    used.add(whenMark);
  }

  // ---- aggregate words ----
  const aggMarks = marks.filter(
    (m) =>
      !used.has(m) &&
      isKw(m, ...AGGREGATE_WORDS, 'high', 'low', 'howmuch', 'frequent', 'recent', 'oldest', 'top'),
  );
  const implied = marks.flatMap((m) => (m.kind === 'col' && m.implied ? [m.implied] : []));
  const settled = new Set<Mark>();
  // Without a date column, "earliest"/"latest" can only order by a number ("which monarch started earliest").
  const hasMark = (kw: Keyword) => aggMarks.some((m) => isKw(m, kw));
  const timeAsRank = (kws: Keyword[]) =>
    !date && ((kws.includes('high') && hasMark('recent')) || (kws.includes('low') && hasMark('oldest')));
  // A word another reading took since ("more … than X" became a condition) no longer asks for a ranking.
  const has = (...kws: Keyword[]) =>
    timeAsRank(kws) ||
    aggMarks.some((m) => isKw(m, ...kws) && !used.has(m)) ||
    rankWords.some((m) => isKw(m, ...kws) && !settled.has(m)) ||
    marks.some((m) => m.kind === 'col' && m.implied && kws.includes(m.implied) && !settled.has(m));
  // "…, top 3": a limit given after the request.
  if (limit === undefined) {
    const top = marks.findIndex((m) => isKw(m, 'top'));
    const n = marks[top + 1];
    if (top >= 0 && n?.kind === 'num' && !used.has(n) && Number.isInteger(n.value) && n.value > 0) {
      limit = n.value;
      used.add(n);
    }
  }
  // "name A manufacturer other than Honda", "cite UM país": one of them is asked, not all of them.
  if (limit === undefined && NAMING_VERBS.has(tokens[0]?.norm ?? '') && ONE.has(tokens[1]?.norm ?? '')) {
    limit = 1;
    for (const m of marks) if (m.start === 1 && m.kind === 'num') used.add(m);
  }
  const distinct = marks.some((m) => isKw(m, 'distinct'));
  // A measure adjective ("mais barato") fixes the direction, whatever "mais" says.
  let dir: 'desc' | 'asc' =
    implied.length > 0
      ? implied[0] === 'low'
        ? 'asc'
        : 'desc'
      : has('low', 'oldest') && !has('high')
        ? 'asc'
        : 'desc';

  // ---- what is counted ----
  let countAgg: CountRole | undefined;
  // "porcentagem de vendas …" is read like "quantas vendas …", then turned into a share (asPercent).
  const countMark = marks.find((m) => isKw(m, 'count', 'percent') && !used.has(m));
  const totalOfRows = (() => {
    // "total de pedidos", "how much … records": a count when no numeric column follows.
    const t = marks.findIndex((m) => isKw(m, 'total', 'howmuch'));
    if (t < 0) return false;
    const n = marks[nextContent(t)];
    return (
      isKw(n, 'row') ||
      (n?.kind === 'table' && !marks.some((m) => m.kind === 'col' && m.col.numeric && !used.has(m)))
    );
  })();
  if (countMark || totalOfRows) {
    if (countMark) used.add(countMark);
    const start = countMark ? marks.indexOf(countMark) : marks.findIndex((m) => isKw(m, 'total', 'howmuch'));
    let k = start + 1;
    // Skip function words, what the filters already explain ("how many RAINY days") and verbs that only say what a
    // row records ("how many are OWNED by …", "quantos PERTENCEM ao …").
    // "the total number of LOSES" with nothing to say whose: a quantity the table has no column for, not its rows
    // (with a name — "wins for Harvard" in a list of winners — the rows are the wins).
    const countsOutcomesOfAll = (m: Mark & { kind: 'unknown' }) =>
      isOutcomeWord(m.token.norm) && isPlural(m.token) && fr.filters.length === 0;
    const skip = (m: Mark) =>
      isSkippable(m) ||
      isKw(m, 'distinct', 'total') ||
      (used.has(m) && m !== groupMark) ||
      (m.kind === 'unknown' && isContextWord(tokens, m.start, table) && !countsOutcomesOfAll(m));
    while (k < marks.length && skip(marks[k]!)) k++;
    // "how many REMIX VERSIONS": one word of a longer header before a column named whole is a modifier — the noun
    // counted is the whole one, and the modifier stays a condition to explain.
    const modifier = marks[k];
    const head = marks[k + 1];
    if (
      modifier?.kind === 'col' &&
      !modifier.full &&
      head?.kind === 'col' &&
      head.full &&
      head.start === modifier.end + 1
    )
      k++;
    // "quantas MEDALHAS de ouro", "o número total de PONTOS da casa": a quantity noun, then "de" and the number
    // column it is a quantity of — that column is what is counted (English puts it first: "gold medals").
    const quantityOf = marks[k + 2];
    if (
      (marks[k]?.kind === 'unknown' || marks[k]?.kind === 'table') &&
      isQuantityNoun(tokens[marks[k]!.start]!) &&
      isKw(marks[k + 1], 'in') &&
      ['de', 'do', 'da', 'dos', 'das'].includes(tokens[marks[k + 1]!.start]!.norm) &&
      quantityOf?.kind === 'col' &&
      quantityOf.col.numeric &&
      !used.has(quantityOf)
    ) {
      used.add(marks[k]!);
      used.add(marks[k + 1]!);
      k += 2;
    }
    const noun = marks[k];
    // "the number of people HURT", "quantas pessoas FERIDAS": a column named right after the people counted is
    // the number asked — its total when it holds numbers; otherwise counting rows would answer something else.
    // "ATTENDED by the least number of people": a verb elsewhere naming a number column says the same.
    const verbCol = marks.find(
      (m) =>
        m.kind === 'col' &&
        !used.has(m) &&
        m.col.numeric &&
        m.start === m.end &&
        /ed$/.test(tokens[m.start]!.norm) &&
        !isIdentifier(m.col.column),
    );
    const right = noun && isKw(noun, 'row') ? marks[k + 1] : undefined;
    const named =
      right?.kind === 'col' && right.start === noun!.end + 1
        ? right
        : noun && isKw(noun, 'row')
          ? verbCol
          : undefined;
    // "how many HOME GAMES did Toronto play": a column word before the noun the rows are only qualifies them (it
    // says which column holds Toronto); the rows are counted.
    const rows = noun?.kind === 'col' && !noun.col.numeric ? marks[k + 1] : undefined;
    const qualified =
      rows?.kind === 'unknown' &&
      rows.start === noun!.end + 1 &&
      isPlural(rows.token) &&
      isRowNoun(tokens, rows.start, index) &&
      fr.filters.length > 0;
    if (named?.kind === 'col' && !used.has(named)) {
      if (!named.col.numeric || isIdentifier(named.col.column)) return fail('no_measure');
      used.add(noun!);
      used.add(named);
      countAgg = { agg: 'sum', measure: named.col.column };
    } else if (qualified) {
      used.add(noun!);
      used.add(rows);
      countAgg = { agg: 'count' };
    } else if (
      noun === undefined ||
      isKw(noun, 'row', 'filler') ||
      noun.kind === 'table' ||
      noun === groupMark
    ) {
      countAgg = { agg: 'count' };
      if (noun && noun !== groupMark) used.add(noun);
    } else if (noun.kind === 'kw' && UNIT_BUCKET[noun.kw]) {
      used.add(noun);
      const bucket = UNIT_BUCKET[noun.kw]!;
      // "how many years did X serve" in a table with no dates: a span, not a count of rows — unless the rows are
      // years ("how many years was X the top scorer" where each row is a year).
      if (!date && !(bucket === 'year' && yearColumn(index)))
        return fail('no_date_column', [tokenText(tokens, noun)]);
      if (!date) countAgg = { agg: 'count' };
      else if (bucket === 'day' && date.unique) countAgg = { agg: 'count' };
      else
        countAgg = {
          agg: 'count_distinct',
          measure: date.column,
          bucket: bucket === 'day' && date.column.type === 'date' ? undefined : bucket,
        };
    } else if (noun.kind === 'col') {
      const others = marks.filter(
        (m): m is Mark & { kind: 'col' } => m.kind === 'col' && m !== noun && !used.has(m),
      );
      // "how many goals did X score": the verb says which goals column.
      let col = noun.alts.length > 0 ? mergeNamingWords([noun, ...others], used)[0]! : noun;
      // "LED how many LAPS" over Laps and Laps Led: a column named by both words.
      for (const o of others) {
        const cover = coveringColumn([col, o], tokens, used);
        if (cover.length === 1) col = cover[0]!;
      }
      used.add(noun);
      if (col.col.numeric && !distinct && !isIdentifier(col.col.column)) {
        // "how many units were sold": a numeric amount is summed — not a year or a rank ("how many elections").
        countAgg = { agg: 'sum', measure: col.col.column };
      } else if (col.col.numeric && !distinct) {
        countAgg = { agg: 'count' };
      } else if (col.col.temporal && !col.full) {
        countAgg = { agg: 'count' };
      } else if (distinct) {
        countAgg = { agg: 'count_distinct', measure: col.col.column };
      } else {
        // "how many players from France", "how many models were made in Korea": the rows that have one — distinct
        // values only when the question says so ("different", "unique"): a repeated name is still another row.
        countAgg = { agg: 'count' };
        const named = fr.filters.some((f) => f.column === col.col.column);
        // Only a column named whole ("how many world green cars" = rows that have one), not a word of a longer
        // header ("mills" in "Name of mill and grid reference").
        if (col.col.column.null_count > 0 && !named && col.full)
          fr.filters.push({ kind: 'null', column: col.col.column, negate: true });
      }
      if (col.alts.length > 0 && countAgg.agg !== 'count')
        return fail(
          'ambiguous_column',
          [tokenText(tokens, col)],
          [col.col.column, ...col.alts.map((a) => a.column)],
        );
    } else if (
      noun.kind === 'unknown' &&
      isPlural(noun.token) &&
      !noun.token.capitalized &&
      !inVocabulary(noun.token) &&
      noun.token.stem.length >= 4 &&
      fold(`${table.name} ${table.label}`).includes(noun.token.stem)
    ) {
      // "How many strikes were there?" in a table named birdstrikes: the noun the rows are named by, written
      // differently. Any other unknown noun ("quantos gatos…") is something the table does not have.
      used.add(noun);
      countAgg = { agg: 'count' };
      r.confidence -= 0.3;
    } else if (noun.kind === 'unknown' && isRowNoun(tokens, noun.start, index) && headNoun(k)) {
      // "how many games did Toronto play", "quantos golfistas …": the noun the rows are.
      used.add(noun);
      countAgg = { agg: 'count' };
    } else if (noun.kind === 'unknown') {
      return fail('unknown_words', [tokenText(tokens, noun)]);
    } else if (isKw(noun, 'by', 'which', 'in', 'high', 'low', 'with', 'recent', 'oldest')) {
      countAgg = { agg: 'count' };
    } else {
      countAgg = { agg: 'count' };
    }
  }

  // ---- measures: numeric columns without another role ----
  const colMarks = marks.filter((m): m is Mark & { kind: 'col' } => m.kind === 'col' && !used.has(m));
  // A number column a condition already holds ("the 2001 SEASON") is no measure; nor a verb that happens to name
  // one when another is named ("points WON by …").
  const filtered = new Set(fr.filters.map((f) => f.column));
  let measures = colMarks.filter((m) => m.col.numeric && !filtered.has(m.col.column));
  measures = mergeNamingWords(measures, used);
  measures = coveringColumn(measures, tokens, used);
  const verbal = (m: Mark & { kind: 'col' }) =>
    m.start === m.end && /(ed|ing|won|lost)$/.test(tokens[m.start]!.norm);
  if (measures.length > 1 && measures.some((m) => !verbal(m))) measures = measures.filter((m) => !verbal(m));
  if (measures.some((m) => m.full)) measures = measures.filter((m) => m.full);
  const distinctMeasures = [...new Set(measures.map((m) => m.col))];
  // "quantas medalhas de ouro E prata", "total gold and silver": counted or totalled together, added up.
  const [a, b] = measures;
  if (
    measures.length === 2 &&
    distinctMeasures.length === 2 &&
    (countAgg?.agg === 'count' || countAgg?.agg === 'sum') &&
    !countAgg.measure &&
    b!.start === a!.end + 2 &&
    ['and', 'e'].includes(tokens[a!.end + 1]!.norm) &&
    !isIdentifier(a!.col.column) &&
    !isIdentifier(b!.col.column)
  ) {
    countAgg = { agg: 'sum', measure: a!.col.column, plus: [b!.col.column] };
    for (const m of measures) used.add(m);
    measures = [];
  }
  // "the same goals conceded as X had goals SCORED": the second column is the anchor's (compare.ts reads it).
  if (distinctMeasures.length > 1 && marks.some((m) => isKw(m, 'same'))) measures = measures.slice(0, 1);
  if (distinctMeasures.length > 1 && measures.length > 1)
    return fail(
      'several_measures',
      measures.map((m) => tokenText(tokens, m)),
    );
  let measureMark = measures[0];
  if (measureMark && measureMark.alts.length > 0) {
    // "lowest speed" between speed_max and speed_min: the column named for that direction.
    const options = [measureMark.col, ...measureMark.alts.filter((a) => a.numeric)];
    const wanted = has('high') ? 'maximum' : has('low') ? 'minimum' : undefined;
    const fitting = wanted ? options.filter((c) => columnHasConcept(c, wanted)) : [];
    if (fitting.length === 1) measureMark = { ...measureMark, col: fitting[0]!, alts: [] };
  }
  if (measureMark && measureMark.alts.length > 0) {
    // "which team SCORED the most goals" between Goals scored and Goals conceded: another word of the question
    // names one of them.
    const options = [measureMark.col, ...measureMark.alts.filter((a) => a.numeric)];
    const others = marks.filter(
      (m) => m !== measureMark && (m.kind === 'unknown' || m.kind === 'stop') && !used.has(m),
    );
    const names = (c: ColumnIndex, m: Mark) =>
      c.wordSets.some((set) => set.some((w) => matchLevel(tokens[m.start]!, w) >= 2));
    const named = options.filter((c) => others.some((m) => names(c, m)));
    if (named.length === 1) {
      const word = others.find((m) => names(named[0]!, m));
      if (word) used.add(word);
      measureMark = { ...measureMark, col: named[0]!, alts: [] };
    }
  }
  if (measureMark && measureMark.alts.length > 0) {
    const altsNumeric = measureMark.alts.filter((a) => a.numeric);
    if (altsNumeric.length > 0)
      return fail(
        'ambiguous_column',
        [tokenText(tokens, measureMark)],
        [measureMark.col.column, ...altsNumeric.map((a) => a.column)],
      );
  }
  for (const m of measures) used.add(m);
  let measure = measureMark?.col;
  // "SCORED the most GOALS", both words of "Goals scored": the column is named once, by either (the mark resolved
  // among its alternatives is a copy, so the question's own mark is found by its columns).
  for (const m of colMarks) if (measure && (m.col === measure || m.alts.includes(measure))) used.add(m);
  // "how many gold and silver medals": a second number column beside the one counted is not dropped — unless it is
  // a verb that happens to name a column ("points WON by …").
  const verbalMeasure = measureMark && verbal(measureMark);
  if (
    measure &&
    countAgg?.measure &&
    countAgg.agg === 'sum' &&
    countAgg.measure !== measure.column &&
    !verbalMeasure
  ) {
    // "how many gold AND silver medals", "quantas medalhas de ouro E prata": both counted, added together.
    const joined =
      ['and', 'e'].includes(tokens[measureMark!.start - 1]?.norm ?? '') && !isIdentifier(measure.column);
    if (!joined) return fail('several_measures', [countAgg.measure.label, measure.column.label]);
    countAgg = { ...countAgg, plus: [measure.column] };
    measure = undefined;
  }
  // "ranked FIRST in gold medals": first or top by an amount is its highest, last its lowest.
  const directions = [...aggMarks, ...rankWords].filter((m) =>
    isKw(m, 'high', 'low', 'recent', 'oldest', 'top'),
  );
  if (measure && directions.length > 0 && directions.every((m) => isPositionWord(tokens, m)))
    dir = LAST_WORDS.has(tokens[directions[0]!.start]!.norm) ? 'asc' : 'desc';
  if (measureMark && !used.has(measureMark)) used.add(measureMark);
  if (measureMark && !measureMark.full) r.confidence -= 0.15;
  const temporalTarget = colMarks.find((m) => m.col.temporal && !used.has(m));

  // A word inside the column's own name can carry the aggregate: "What is the max speed?" → MAX(speed_max).
  const embeddedAgg = (): Agg | undefined => {
    if (!measureMark) return undefined;
    const words = tokens.slice(measureMark.start, measureMark.end + 1).map((t) => t.stem);
    const c = concepts().byStem;
    const hit = (w: string) => (c.get(w) ?? []).map((id) => id);
    const maxIds = hit(stem('maximum'));
    const minIds = hit(stem('minimum'));
    if (words.some((w) => hit(w).some((id) => maxIds.includes(id)))) return 'max';
    if (words.some((w) => hit(w).some((id) => minIds.includes(id)))) return 'min';
    return undefined;
  };

  /** The statistic a word names outright ("mediana", "desvio padrão", "média"), in this order of precedence. */
  const namedStat = (): Agg | undefined =>
    has('median') ? 'median' : has('stddev') ? 'stddev' : has('avg') ? 'avg' : undefined;
  const explicitAgg = (): Agg | undefined => {
    const named = namedStat();
    if (named) return named;
    if (has('sum', 'total', 'howmuch')) return 'sum';
    if (has('high')) return 'max';
    if (has('low')) return 'min';
    return undefined;
  };
  const defaultAgg = (col: ColumnIndex): Agg => (col.intensive ? 'avg' : 'sum');
  const aggOfMark = (m: Mark): Agg | undefined => (m.kind === 'kw' ? AGG_OF_WORD[m.kw] : undefined);
  /** Every aggregate word, in the order asked ("mínimo, médio e máximo" → min, avg, max). */
  const aggList = (): Agg[] => {
    const list = aggMarks.flatMap((m) => {
      const a = aggOfMark(m);
      return a ? [a] : [];
    });
    return list.filter((a, i) => list.indexOf(a) === i);
  };
  /**
   * The aggregates of a list joined by "and" ("mínimo e máximo", "average and max"), else none: "maior preço médio
   * por loja" names two aggregate words too, but one ranks by the other.
   */
  const listedAggs = (): Agg[] => {
    const list = aggList();
    const at = aggMarks.filter((m) => aggOfMark(m)).map((m) => marks.indexOf(m));
    const joined = marks.slice(Math.min(...at), Math.max(...at)).some((m) => isKw(m, 'and'));
    return list.length > 1 && joined ? list : [];
  };

  // ---- unknown words ----
  // Fillers and event verbs ("listed", "finished") are understood without a role (context-words.ts); a noun that may
  // stand for the rows ("the last GAME") is left for the readings to take — coverage refuses it if none does.
  const unknown = marks.filter(
    (m): m is Mark & { kind: 'unknown' } =>
      m.kind === 'unknown' &&
      !used.has(m) &&
      !isContextWord(tokens, m.start, table) &&
      !(isRowNoun(tokens, m.start, index) && headNoun(marks.indexOf(m))),
  );
  if (unknown.length > 0) {
    // A word of our general vocabulary ("neve", "country", "salary") that this table does not have names something
    // absent from the data: answering without it would answer another question. Except right beside the measure
    // it qualifies ("gas PRICE", "wheat PRICE"), where it only says what the number is.
    const besideMeasure = (u: Mark): boolean => {
      const i = marks.indexOf(u);
      const near = (k: number) => marks[k] === measures[0];
      // "velocidade média do vento", "gas price": qualifiers around the measure, across function words.
      // Before the measure, across prepositions ("velocidade média do vento", "deaths from disease"); after it only
      // directly ("gas price") — "idade média DOS VENDEDORES" names another population, not the measure.
      const across = (x: Mark) => x.kind === 'stop' || isKw(x, 'in', ...AGGREGATE_WORDS, 'high', 'low');
      const direct = (x: Mark) => x.kind === 'stop';
      return !!measureMark && (near(nextContent(i, across)) || near(prevContent(i, direct)));
    };
    const vocab = unknown.filter((u) => inVocabulary(u.token) && !besideMeasure(u));
    if (vocab.length > 0)
      return fail(
        'unknown_words',
        vocab.map((u) => u.token.raw),
      );
    // An unknown word right where the request names its subject ("the most UNICORNS", "average SALARY").
    const critical = unknown.filter((u) => {
      if (besideMeasure(u)) return false;
      const pi = prevContent(marks.indexOf(u), (x) => x.kind === 'stop');
      const p = marks[pi];
      // "a idade média das vítimas": the aggregate already has its column just before it.
      const pp = marks[prevContent(pi, (x) => x.kind === 'stop')];
      if (isKw(p, ...AGGREGATE_WORDS, 'high', 'low') && pp?.kind === 'col' && pp.col.numeric) return false;
      // Names may follow "by"/"list" ("directed by Steven Spielberg"); nothing unknown may be the thing computed.
      if (u.token.capitalized && isKw(p, 'by', 'list')) return false;
      const subjectSlot: Keyword[] = [...AGGREGATE_WORDS, 'high', 'low', 'count', 'by', 'frequent', 'top'];
      return isKw(p, ...subjectSlot, 'howmuch', 'which', 'list', 'who', 'when');
    });
    if (critical.length > 0)
      return fail(
        'unknown_words',
        critical.map((u) => u.token.raw),
      );
    const named = unknown.filter((u) => u.token.capitalized || /\d/.test(u.token.raw));
    // A name the catalog does not list ("Paris", "Brazil") may be a value of a column whose values are not all
    // known; with exactly one such column it is compared there (case-insensitively), otherwise it cannot be placed.
    const open = index.columns.filter(
      (c) => c.text && c.column.distinct_estimate > c.column.top_values.length && !c.temporal,
    );
    if (named.length > 0 && named.length === unknown.length && open.length >= 1) {
      const first = named[0]!;
      const firstIdx = marks.indexOf(first);
      const before = marks[prevContent(firstIdx, (x) => isSkippable(x) || isKw(x, 'by'))];
      const target =
        before?.kind === 'col' && open.includes(before.col)
          ? before.col
          : open.length === 1
            ? open[0]
            : undefined;
      const contiguous = named.every((u, j) => j === 0 || u.start === named[j - 1]!.end + 1);
      // A second, unlisted value for a column that already has a listed one is not a value.
      if (!target || !contiguous || eqByColumn.has(target.column))
        return fail(
          'unknown_words',
          unknown.map((u) => u.token.raw),
        );
      if (before?.kind === 'col' && before.col === target) used.add(before);
      filters.push({ kind: 'like', column: target.column, value: named.map((u) => u.token.raw).join(' ') });
      r.confidence -= 0.25;
    } else if (unknown.length > 1 || named.length > 0) {
      return fail(
        'unknown_words',
        unknown.map((u) => u.token.raw),
      );
    } else {
      // One ordinary word nobody claimed ("registradas", "hottest"): tolerated only beside a complete request.
      r.confidence -= 0.3;
    }
  }

  return {
    r,
    fr,
    gr,
    entity,
    entityMark,
    entityPlural,
    entityIsRows,
    rowsRanked,
    limit,
    rankWords,
    whenMark,
    aggMarks,
    settled,
    has,
    dir,
    distinct,
    countMark,
    countAgg,
    measure,
    measureMark,
    measures,
    temporalTarget,
    namedStat,
    explicitAgg,
    embeddedAgg,
    defaultAgg,
    aggList,
    listedAggs,
  };
}

/**
 * "How many goals did X SCORE", "qual time SOFREU mais gols": a noun naming two columns (Goals scored, Goals conceded)
 * beside a word naming only one of them is that one column, read once.
 */
function mergeNamingWords(measures: (Mark & { kind: 'col' })[], used: Set<Mark>): (Mark & { kind: 'col' })[] {
  const ambiguous = measures.find((m) => m.alts.length > 0);
  if (!ambiguous) return measures;
  const options = [ambiguous.col, ...ambiguous.alts];
  const naming = measures.filter((m) => m !== ambiguous && m.alts.length === 0 && options.includes(m.col));
  const chosen = new Set(naming.map((m) => m.col));
  if (chosen.size !== 1) return measures;
  for (const m of naming) used.add(m);
  const merged = { ...ambiguous, col: naming[0]!.col, alts: [] };
  return measures.filter((m) => !naming.includes(m)).map((m) => (m === ambiguous ? merged : m));
}

/**
 * "Scott Dixon LED how many LAPS" over Laps and Laps Led: two words naming two columns, where one column's name holds
 * both, name that column — read once.
 */
function coveringColumn(
  measures: (Mark & { kind: 'col' })[],
  tokens: Token[],
  used: Set<Mark>,
): (Mark & { kind: 'col' })[] {
  const columns = [...new Set(measures.flatMap((m) => [m.col, ...m.alts]))];
  if (new Set(measures.map((m) => m.col)).size < 2) return measures;
  const names = (c: ColumnIndex, m: Mark) =>
    tokens
      .slice(m.start, m.end + 1)
      .every((t) => c.wordSets.some((set) => set.some((w) => matchLevel(t, w) >= 2)));
  const covering = columns.filter((c) => c.numeric && measures.every((m) => names(c, m)));
  if (covering.length !== 1) return measures;
  for (const m of measures) used.add(m);
  return [{ ...measures[0]!, col: covering[0]!, alts: [], full: true }];
}
