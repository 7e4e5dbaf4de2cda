/**
 * The aggregate shapes of an answer, decided from the roles words play (roles.ts): a HAVING over groups, the most
 * recent rows or date, top rows by a measure, rankings of groups, counts, aggregates of a measure, listings. Row
 * order and comparisons between named rows are read before this (row-order.ts, compare.ts).
 */
import { countingWords } from './compare.js';
import { AGGREGATE_WORDS, fail, isKw, isPlural, type ParseFailure } from './reading.js';
import type { Roles } from './roles.js';
import { isRowNoun } from './row-nouns.js';
import type { Intent } from './types.js';

export function aggregateShape(x: Roles): Intent | ParseFailure | undefined {
  const { r, fr, gr, entity, entityMark, entityPlural, entityIsRows, rowsRanked, limit, whenMark, has, dir } =
    x;
  const { countMark, countAgg, measure, temporalTarget } = x;
  const { namedStat, explicitAgg, embeddedAgg, defaultAgg, aggList, listedAggs } = x;
  const { marks, index, used } = r;
  const table = index.table;
  const date = r.date;
  const { filters } = fr;
  const { group, group2 } = gr;
  const wantsRank =
    has('high', 'low', 'frequent', 'top') ||
    (limit !== undefined && entity !== undefined && measure !== undefined);
  const entityIdx = entityMark ? index.columns.find((c) => c.column === entity?.column) : undefined;
  const entityUnique = entityIsRows || (!!entityIdx && entityIdx.unique && !entity?.bucket);
  // "the most" is the maximum, ties included, even in the plural ("which years had the most films"); only "top"
  // without a number ("the top products") asks for a few of the first.
  const singularLimit = limit ?? (entityPlural && has('top') ? 5 : 1);
  /** Each entity on a few rows only (fewer than 4 on average): a list of entries, not a ledger. */
  const fewRowsEach = () =>
    !!entityIdx &&
    !entity?.bucket &&
    !measure?.intensive &&
    table.rows < 4 * entityIdx.column.distinct_estimate;
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
      // Ranked by how many rows each has: only for words of number ("the most", "fewest"), not of size or time
      // ("the largest tower", "the earliest winner").
      if (!countingWords(x)) return fail('no_measure');
      // "who directed the most CARTOONS": the noun counted is what the rows are.
      for (const m of x.aggMarks) {
        const noun = marks[r.nextContent(marks.indexOf(m), (o) => o.kind === 'stop')];
        if (noun?.kind === 'unknown' && isPlural(noun.token) && isRowNoun(r.tokens, noun.start, index))
          used.add(noun);
      }
      intent = { shape: 'ranking', table, agg: 'count', group: entity, dir, limit: singularLimit, filters };
    } else if ((entityUnique || fewRowsEach()) && !has(...AGGREGATE_WORDS) && !namedStat()) {
      // One row per team — or a few, as in a list of results where a team's row is one of its entries ("which team
      // did the most laps", "which poll had the largest sample"): the row with the highest value. Only a ledger,
      // where each one fills many rows ("os produtos com maior quantidade vendida"), totals without being told.
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
  } else if (countAgg?.plus && (entity || group)) {
    // Two columns added together, ranked or per group: beyond what is read — refused rather than one dropped.
    return fail('several_measures', [countAgg.measure!.label, ...countAgg.plus.map((c) => c.label)]);
  } else if (countAgg?.agg === 'sum' && countAgg.measure && entity && wantsRank) {
    // "which driver scored the highest number of points": ranked by the points, not by a count of rows.
    const agg = entityUnique ? 'max' : 'sum';
    intent = {
      shape: 'ranking',
      table,
      agg,
      measure: countAgg.measure,
      group: entity,
      dir,
      limit: singularLimit,
      filters,
    };
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
        ...(countAgg.plus ? { plus: countAgg.plus } : {}),
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
  } else if (temporalTarget && has('recent', 'oldest', 'high', 'low') && entity && !entity.bucket) {
    // "which show had the earliest opening date": the show, in the order of that date.
    used.add(temporalTarget);
    const dir = has('recent', 'high') ? 'desc' : 'asc';
    const orderBy = temporalTarget.col.column;
    intent = {
      shape: 'toprows',
      table,
      entity: entity.column,
      extra: [orderBy],
      orderBy,
      dir,
      limit: 1,
      filters,
    };
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
    // "a pontuação TOTAL de X" over a column of text: a listing computes no total, average or median — the cell
    // ("66-72-70=208") would answer another question.
    const at = entityMark ? marks.indexOf(entityMark) : -1;
    const qualifies = [marks[at - 1], marks[at + 1]].some(
      (m) => isKw(m, ...AGGREGATE_WORDS) && !used.has(m!),
    );
    if (qualifies && !entityIdx?.numeric) return fail('no_measure');
    // A number column named besides the one listed ("the TOTAL gold amount" listing Total) would be dropped.
    if (measure && !entityUnique && measure.column !== entity.column)
      return fail('several_measures', [entity.column.label, measure.column.label]);
    const extra = entityUnique
      ? filters
          .flatMap((f) => (f.kind === 'cmp' || f.kind === 'between' ? [f.column] : []))
          .concat(measure ? [measure.column] : [])
      : [];
    const columns = [entity.column, ...extra.filter((c, j) => c !== entity.column && extra.indexOf(c) === j)];
    intent = { shape: 'list', table, columns, distinct: !entityUnique, filters, limit };
    // "what season comes after 1986": one value asked, past a bound on that very column — the nearest one.
    const bound = filters.find((f) => f.kind === 'cmp' && f.column === entity.column && f.op !== '=');
    if (bound?.kind === 'cmp' && !entityPlural && limit === undefined) {
      const dir = bound.op === '>' || bound.op === '>=' ? 'asc' : 'desc';
      const orderBy = entity.column;
      intent = {
        shape: 'toprows',
        table,
        entity: orderBy,
        extra: [],
        orderBy,
        dir,
        limit: 1,
        filters,
        natural: true,
      };
    }
    if (entity.bucket) return fail('nothing');
  } else if (measure && filters.length > 0 && !measure.intensive && !marks.some((m) => isKw(m, 'list'))) {
    // "Qual a quantidade vendida de Café no Nordeste?": an amount asked for a subset is its total — of the rows the
    // values name. Past a bound ("what was the attendance after 2004") one row was probably meant: say so.
    const range = filters.find(
      (f) =>
        f.kind === 'between' ||
        f.kind === 'datebetween' ||
        ((f.kind === 'cmp' || f.kind === 'textYear' || f.kind === 'datepart') && f.op !== '='),
    );
    if (range) return fail('several_rows', [measure.column.label || measure.column.name]);
    intent = { shape: 'aggregate', table, agg: 'sum', measure: measure.column, filters };
    r.confidence -= 0.1;
  } else if (measure && filters.length > 0) {
    const cols = [...(date ? [date.column] : []), measure.column];
    intent = { shape: 'list', table, columns: cols, distinct: false, filters, limit };
    r.confidence -= 0.15;
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
    r.confidence -= 0.1;
  } else if (
    marks.some((m) => isKw(m, 'list')) &&
    marks.some((m) => isKw(m, 'row') || m.kind === 'table') &&
    limit
  ) {
    intent = { shape: 'list', table, columns: [], distinct: false, filters, limit };
  }

  return intent;
}
