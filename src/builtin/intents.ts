/**
 * From recognized marks to an Intent: which aggregate, which measure, which grouping, which filters, whether it is a
 * ranking or a listing. Every decision is made from the roles of words (keywords, columns, values, numbers), never
 * from particular questions, and anything left unexplained makes the parse fail rather than guess.
 */
import type { ColumnCatalog } from '../data/catalog-types.js';
import { readFilters } from './filters.js';
import { readGroups } from './grouping.js';
import type { Keyword, Lang } from './lexicon.js';
import { concepts, stem } from './lexicon.js';
import { fold, type Token } from './normalize.js';
import {
  AGGREGATE_WORDS,
  columnHasConcept,
  fail,
  inVocabulary,
  isKw,
  isPlural,
  isSkippable,
  labelColumn,
  type ParseFailure,
  Reading,
  tokenText,
  UNIT_BUCKET,
  unitOf,
  yearColumn,
} from './reading.js';
import { type ColumnIndex, isYearToken, type Mark, type TableIndex } from './schema-match.js';
import type { Agg, Bucket, GroupKey, Intent } from './types.js';

export type { FailCode, ParseFailure } from './reading.js';
export { tokenText } from './reading.js';

export interface ParseSuccess {
  ok: true;
  intent: Intent;
  confidence: number;
}

export type ParseResult = ParseSuccess | ParseFailure;

export interface ParseInput {
  tokens: Token[];
  marks: Mark[];
  index: TableIndex;
  lang: Lang;
}

const BEST_WORST: Record<string, Keyword | undefined> = {
  best: 'high',
  melhor: 'high',
  melhores: 'high',
  worst: 'low',
  pior: 'low',
  piores: 'low',
};

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

export function parseIntent({ tokens, marks: recognized, index }: ParseInput): ParseResult {
  let marks = recognized;
  const table = index.table;
  // "best/melhor" right before a number column only means highest ("the best average mpg"); elsewhere it is an
  // opinion ("a melhor categoria para investir").
  marks = marks.map((m, i) => {
    const dir = m.kind === 'kw' && m.kw === 'refuse' ? BEST_WORST[tokens[m.start]!.norm] : undefined;
    if (!dir) return m;
    let k = i + 1;
    while (k < marks.length && (marks[k]!.kind === 'stop' || isKw(marks[k], ...AGGREGATE_WORDS))) k++;
    const next = marks[k];
    return next?.kind === 'col' && next.col.numeric ? { ...m, kw: dir } : m;
  });
  const refuse = marks.find((m) => isKw(m, 'refuse'));
  if (refuse) return fail('refuse_topic', [tokenText(tokens, refuse)]);

  const r = new Reading(tokens, marks, index);
  const { used } = r;
  const prevContent = (i: number, skip?: (m: Mark) => boolean) => r.prevContent(i, skip);
  const nextContent = (i: number, skip?: (m: Mark) => boolean) => r.nextContent(i, skip);
  const date = r.date;

  const fr = readFilters(r);
  if ('ok' in fr) return fr;
  const { filters, eqByColumn } = fr;
  const gr = readGroups(r);
  if ('ok' in gr) return gr;
  const { group, group2, groupMark } = gr;
  let confidence = r.confidence;

  // ---- the entity asked about: "which X", "quais os 3 X", "top 5 X", "list the X" ----
  let entity: GroupKey | undefined;
  let entityMark: Mark | undefined;
  let entityPlural = false;
  let entityIsRows = false;
  let rowsRanked: Mark | undefined;
  let limit: number | undefined;
  const rankWords: Mark[] = [];
  {
    let i = marks.findIndex((m) => isKw(m, 'which', 'list', 'top'));
    const startsWithEntity = i < 0 || marks.slice(0, i).some((m) => m.kind !== 'stop');
    if (startsWithEntity) i = -1;
    for (let k = i + 1; k < marks.length; k++) {
      const m = marks[k]!;
      if (m.kind === 'stop' || isKw(m, 'which', 'list', 'top', 'filler', 'distinct')) continue;
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
      if (m.kind === 'col' && !used.has(m) && (!m.col.numeric || numericEntity)) {
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
  // Without a date column, "earliest"/"latest" can only order by a number ("which monarch started earliest").
  const hasMark = (kw: Keyword) => aggMarks.some((m) => isKw(m, kw));
  const timeAsRank = (kws: Keyword[]) =>
    !date && ((kws.includes('high') && hasMark('recent')) || (kws.includes('low') && hasMark('oldest')));
  const has = (...kws: Keyword[]) =>
    timeAsRank(kws) ||
    aggMarks.some((m) => isKw(m, ...kws)) ||
    rankWords.some((m) => isKw(m, ...kws)) ||
    implied.some((d) => kws.includes(d));
  // "…, top 3": a limit given after the request.
  if (limit === undefined) {
    const top = marks.findIndex((m) => isKw(m, 'top'));
    const n = marks[top + 1];
    if (top >= 0 && n?.kind === 'num' && !used.has(n) && Number.isInteger(n.value) && n.value > 0) {
      limit = n.value;
      used.add(n);
    }
  }
  const distinct = marks.some((m) => isKw(m, 'distinct'));
  // A measure adjective ("mais barato") fixes the direction, whatever "mais" says.
  const dir: 'desc' | 'asc' =
    implied.length > 0
      ? implied[0] === 'low'
        ? 'asc'
        : 'desc'
      : has('low', 'oldest') && !has('high')
        ? 'asc'
        : 'desc';

  // ---- what is counted ----
  let countAgg: { agg: Agg; measure?: ColumnCatalog; bucket?: Bucket } | undefined;
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
    // Skip function words and what the filters already explain ("how many RAINY days").
    while (
      k < marks.length &&
      (isSkippable(marks[k]) || isKw(marks[k], 'distinct') || (used.has(marks[k]!) && marks[k] !== groupMark))
    )
      k++;
    const noun = marks[k];
    if (noun === undefined || isKw(noun, 'row', 'filler') || noun.kind === 'table' || noun === groupMark) {
      countAgg = { agg: 'count' };
      if (noun && noun !== groupMark) used.add(noun);
    } else if (noun.kind === 'kw' && UNIT_BUCKET[noun.kw]) {
      used.add(noun);
      const bucket = UNIT_BUCKET[noun.kw]!;
      if (!date) countAgg = { agg: 'count' };
      else if (bucket === 'day' && date.unique) countAgg = { agg: 'count' };
      else
        countAgg = {
          agg: 'count_distinct',
          measure: date.column,
          bucket: bucket === 'day' && date.column.type === 'date' ? undefined : bucket,
        };
    } else if (noun.kind === 'col') {
      used.add(noun);
      if (noun.col.numeric && !distinct) {
        // "how many units were sold": a numeric amount is summed.
        countAgg = { agg: 'sum', measure: noun.col.column };
      } else if (noun.col.temporal && !noun.full) {
        countAgg = { agg: 'count' };
      } else if (distinct || !noun.col.unique) {
        countAgg = { agg: 'count_distinct', measure: noun.col.column };
      } else countAgg = { agg: 'count' };
      if (noun.alts.length > 0 && countAgg.agg !== 'count')
        return fail(
          'ambiguous_column',
          [tokenText(tokens, noun)],
          [noun.col.column, ...noun.alts.map((a) => a.column)],
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
      confidence -= 0.3;
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
  let measures = colMarks.filter((m) => m.col.numeric);
  if (measures.some((m) => m.full)) measures = measures.filter((m) => m.full);
  const distinctMeasures = [...new Set(measures.map((m) => m.col))];
  if (distinctMeasures.length > 1)
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
    const altsNumeric = measureMark.alts.filter((a) => a.numeric);
    if (altsNumeric.length > 0)
      return fail(
        'ambiguous_column',
        [tokenText(tokens, measureMark)],
        [measureMark.col.column, ...altsNumeric.map((a) => a.column)],
      );
  }
  for (const m of measures) used.add(m);
  const measure = measureMark?.col;
  if (measureMark && !used.has(measureMark)) used.add(measureMark);
  if (measureMark && !measureMark.full) confidence -= 0.15;
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
  const unknown = marks.filter((m): m is Mark & { kind: 'unknown' } => m.kind === 'unknown' && !used.has(m));
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
      confidence -= 0.25;
    } else if (unknown.length > 1 || named.length > 0) {
      return fail(
        'unknown_words',
        unknown.map((u) => u.token.raw),
      );
    } else {
      // One ordinary word nobody claimed ("registradas", "hottest"): tolerated only beside a complete request.
      confidence -= 0.3;
    }
  }

  // A comparison with nothing to compare ("price above", "entre") would be silently dropped: say so instead.
  const dangling = marks.find(
    (m) => !used.has(m) && isKw(m, 'gt', 'gte', 'lt', 'lte', 'between', 'after', 'before'),
  );
  if (dangling) return fail('number_target', [tokenText(tokens, dangling)]);

  // A number nothing used would be silently ignored: better to say so.
  const strayNumber = marks.find((m) => m.kind === 'num' && !used.has(m));
  if (strayNumber) return fail('number_target', [tokenText(tokens, strayNumber)]);

  // Time words with no date column to refer to ("nos dias de neve" in a table without dates).
  if (!date && !yearColumn(index)) {
    const timeWord = marks.find(
      (m) => !used.has(m) && m.kind === 'kw' && UNIT_BUCKET[m.kw] && m.kw !== 'unit:day',
    );
    if (timeWord) return fail('no_date_column', [tokenText(tokens, timeWord)]);
  }

  // ---- decide the shape ----
  const wantsRank =
    has('high', 'low', 'frequent', 'top') ||
    (limit !== undefined && entity !== undefined && measure !== undefined);
  const entityIdx = entityMark ? index.columns.find((c) => c.column === entity?.column) : undefined;
  const entityUnique = entityIsRows || (!!entityIdx && entityIdx.unique && !entity?.bucket);
  const singularLimit = limit ?? (entityPlural ? 5 : 1);
  let intent: Intent | undefined;

  if (fr.having) {
    // "quais lojas têm mais de 10 vendas", "which sensor has an average humidity above 60": the groups are the
    // entity asked about, kept when their aggregate meets the comparison. Anything asked besides (a ranking, another
    // aggregate or measure, another grouping) is refused rather than dropped.
    const besides =
      !!countMark ||
      !!measure ||
      !!group2 ||
      (group !== undefined && group.column !== entity?.column) ||
      has(...AGGREGATE_WORDS, 'high', 'low', 'howmuch', 'frequent', 'top');
    if (!entity || entityIsRows || besides) return fail('aggregate_filter', [fr.havingText!]);
    intent = {
      shape: 'aggregate',
      table,
      agg: fr.having.agg,
      measure: fr.having.measure,
      group: entity,
      filters,
      having: fr.having,
    };
  } else if (entity && entityIdx?.temporal && !entity.bucket && has('recent', 'oldest') && !measure) {
    // "Qual a data do pedido mais recente?" → MAX of that date.
    intent = {
      shape: 'aggregate',
      table,
      agg: has('recent') ? 'max' : 'min',
      measure: entity.column,
      filters,
    };
  } else if (entity && has('recent', 'oldest') && date && !wantsRank) {
    const cols = [entity.column, ...(measure ? [measure.column] : [])];
    intent = {
      shape: 'toprows',
      table,
      entity: entity.column,
      extra: [...cols.slice(1), date.column].filter((c) => c !== entity.column),
      orderBy: date.column,
      dir: has('recent') ? 'desc' : 'asc',
      limit: singularLimit,
      filters,
    };
  } else if (
    rowsRanked &&
    !entity &&
    !countAgg &&
    !group &&
    measure &&
    has('high', 'low') &&
    !has(...AGGREGATE_WORDS)
  ) {
    used.add(rowsRanked);
    intent = { shape: 'toprows', table, extra: [], orderBy: measure.column, dir, limit: limit ?? 1, filters };
  } else if (entity && !countAgg && (wantsRank || (whenMark && measure))) {
    if (has('frequent') || !measure) {
      intent = { shape: 'ranking', table, agg: 'count', group: entity, dir, limit: singularLimit, filters };
    } else if (entityUnique && !has(...AGGREGATE_WORDS)) {
      intent = {
        shape: 'toprows',
        table,
        entity: entity.column,
        extra: [measure.column],
        orderBy: measure.column,
        dir,
        limit: singularLimit,
        filters,
      };
    } else {
      // An intensity (price, rate) ranks by its extreme, an amount by its total, unless the question says.
      const agg =
        namedStat() ??
        (has('sum', 'total') ? 'sum' : measure.intensive ? (dir === 'desc' ? 'max' : 'min') : 'sum');
      intent = {
        shape: 'ranking',
        table,
        agg,
        measure: measure.column,
        group: entity,
        dir,
        limit: singularLimit,
        filters,
      };
    }
  } else if (countAgg) {
    if (entity && wantsRank) {
      intent = { shape: 'ranking', table, agg: 'count', group: entity, dir, limit: singularLimit, filters };
    } else if (group && has('top') && limit && countAgg.agg === 'count') {
      intent = { shape: 'ranking', table, agg: 'count', group, dir, limit, filters };
    } else {
      intent = {
        shape: 'aggregate',
        table,
        agg: countAgg.agg,
        measure: countAgg.measure,
        measureBucket: countAgg.bucket,
        group: group ?? (entity && !entityUnique ? entity : undefined),
        filters,
      };
    }
  } else if (measure && (explicitAgg() || embeddedAgg())) {
    const agg = explicitAgg() ?? embeddedAgg()!;
    if (group && has('top') && limit) {
      intent = { shape: 'ranking', table, agg, measure: measure.column, group, dir, limit, filters };
    } else if (group && listedAggs().length > 1) {
      // "preço mínimo e máximo por loja": several aggregates of one column per group, side by side.
      const [first, ...more] = listedAggs();
      intent = { shape: 'aggregate', table, agg: first!, measure: measure.column, group, filters, more };
    } else if (
      group &&
      (agg === 'avg' || agg === 'median' || agg === 'stddev' || agg === 'sum') &&
      has('high', 'low') &&
      !has('top')
    ) {
      // "maior preço médio por categoria": rank the groups by the inner aggregate.
      intent = {
        shape: 'ranking',
        table,
        agg,
        measure: measure.column,
        group,
        dir,
        limit: limit ?? 1,
        filters,
      };
    } else if (!group && aggList().length > 1) {
      // "preço mínimo, médio e máximo": several aggregates of one column, side by side.
      const [first, ...more] = aggList();
      intent = { shape: 'aggregate', table, agg: first!, measure: measure.column, filters, more };
    } else if (
      !group &&
      limit &&
      (has('top') || (limit > 1 && (agg === 'max' || agg === 'min') && !namedStat()))
    ) {
      // "top 3 prices", and "os 5 maiores preços", "the 5 highest humidity readings": the rows, not one extreme.
      intent = {
        shape: 'toprows',
        table,
        extra: [measure.column],
        orderBy: measure.column,
        dir,
        limit,
        filters,
      };
    } else {
      intent = { shape: 'aggregate', table, agg, measure: measure.column, group, filters };
    }
  } else if (temporalTarget && has('recent', 'oldest', 'high', 'low')) {
    used.add(temporalTarget);
    intent = {
      shape: 'aggregate',
      table,
      agg: has('recent', 'high') ? 'max' : 'min',
      measure: temporalTarget.col.column,
      group,
      filters,
    };
  } else if (has('recent', 'oldest') && date) {
    intent = {
      shape: 'toprows',
      table,
      extra: measure ? [measure.column, date.column] : [],
      orderBy: date.column,
      dir: has('recent') ? 'desc' : 'asc',
      limit: limit ?? 1,
      filters,
    };
  } else if (measure && group) {
    intent = { shape: 'aggregate', table, agg: defaultAgg(measure), measure: measure.column, group, filters };
  } else if (entity && !group) {
    // "What time is it?" is not "list the values of time_of_day": a bare listing needs the column's whole name.
    if (filters.length === 0 && entityMark?.kind === 'col' && !entityMark.full) return fail('nothing');
    // "What time is it?" asks for one value, not a listing: without filters, list only plural or explicit asks.
    if (filters.length === 0 && !entityPlural && !marks.some((m) => isKw(m, 'list'))) return fail('nothing');
    const extra = entityUnique
      ? filters
          .flatMap((f) => (f.kind === 'cmp' || f.kind === 'between' ? [f.column] : []))
          .concat(measure ? [measure.column] : [])
      : [];
    const columns = [entity.column, ...extra.filter((c, j) => c !== entity.column && extra.indexOf(c) === j)];
    intent = { shape: 'list', table, columns, distinct: !entityUnique, filters, limit };
    if (entity.bucket) return fail('nothing');
  } else if (measure && filters.length > 0 && !measure.intensive && !marks.some((m) => isKw(m, 'list'))) {
    // "Qual a quantidade vendida de Café no Nordeste?": an amount asked for a subset is its total.
    intent = { shape: 'aggregate', table, agg: 'sum', measure: measure.column, filters };
    confidence -= 0.1;
  } else if (measure && filters.length > 0) {
    const cols = [...(date ? [date.column] : []), measure.column];
    intent = { shape: 'list', table, columns: cols, distinct: false, filters, limit };
    confidence -= 0.15;
  } else if (group) {
    // "média das vendas por loja" names a computation over a numeric column but no column: a count per group would
    // answer another question.
    if (has('avg', 'median', 'stddev')) return fail('no_measure');
    intent = { shape: 'aggregate', table, agg: 'count', group, filters };
  } else if (
    filters.length > 0 &&
    !has(...AGGREGATE_WORDS, 'howmuch', 'high', 'low') &&
    (marks.some((m) => isKw(m, 'list', 'which')) || marks.every((m) => m.kind !== 'unknown'))
  ) {
    intent = { shape: 'list', table, columns: [], distinct: false, filters, limit };
    confidence -= 0.1;
  } else if (
    marks.some((m) => isKw(m, 'list')) &&
    marks.some((m) => isKw(m, 'row') || m.kind === 'table') &&
    limit
  ) {
    intent = { shape: 'list', table, columns: [], distinct: false, filters, limit };
  }

  if (intent && group2) {
    // Two groupings only make sense for a per-group aggregate.
    if (intent.shape !== 'aggregate' || !intent.group) return fail('several_groups');
    intent.group2 = group2;
  }

  const percentMark = marks.find((m) => isKw(m, 'percent'));
  if (percentMark) {
    const share = intent && asPercent(intent);
    if (!share) return fail('percent_form', [tokenText(tokens, percentMark)]);
    intent = share;
  }

  if (!intent) {
    if (has(...AGGREGATE_WORDS, 'high', 'low', 'howmuch') && !measure) return fail('no_measure');
    return fail('nothing');
  }

  // Words that pointed at columns but ended with no role lower confidence a little (they may be context: "dos países").
  const idle = marks.filter((m) => m.kind === 'col' && !used.has(m));
  confidence -= 0.05 * idle.length;
  if (index.dateColumns.length > 1 && filters.some((f) => f.kind === 'datepart' || f.kind === 'datebetween'))
    confidence -= 0.1;
  return { ok: true, intent, confidence: Math.max(0, Math.min(1, confidence)) };
}

/**
 * A percentage question, read as a count, becomes one of the two shares it can mean — or none, and the question is
 * refused rather than guessed:
 *  - one condition: the percentage of rows that meet it, per group if grouped ("porcentagem de vendas da loja
 *    Centro", "percentage of faults by sensor");
 *  - no condition and a grouping: each group's share of the total count or sum ("percentual de vendas por loja").
 * With several conditions it would be unclear which one defines the whole.
 */
function asPercent(intent: Intent): Intent | undefined {
  if (intent.shape !== 'aggregate' || intent.more || intent.group2 || intent.measureBucket || intent.having)
    return undefined;
  if (intent.agg === 'count' && intent.filters.length === 1) {
    return { ...intent, agg: 'percent', measure: undefined, share: intent.filters[0], filters: [] };
  }
  if (intent.group && intent.filters.length === 0 && (intent.agg === 'count' || intent.agg === 'sum')) {
    return { ...intent, agg: 'percent', measure: intent.agg === 'sum' ? intent.measure : undefined };
  }
  return undefined;
}
