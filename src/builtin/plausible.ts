/**
 * Readings that are well-formed SQL but cannot be what the question meant, given what the catalog says about the
 * columns (issue 13): they are refused, or turned the one way they can make sense. Each rule is about the data's
 * shape, never about particular words:
 *
 * - ranking groups by their number of rows when every group is one row ("which employer has the most employees"
 *   where each employer is one row): the count is 1 everywhere, the "winner" arbitrary;
 * - counting the rows of one named row ("how many games did Egli play" → 1): the number asked is in some column;
 * - summing or averaging an ordinal or a year (rank, pick, week, 1998…): they identify rows, they are not amounts;
 * - on an ordinal, "top/first/highest" is the smallest number: rank 1;
 * - answering with the column the question gave a value for ("the winner previous to X" → X): an echo;
 * - answering a question word (what, which, who) with whole rows: the question asked for one thing.
 */
import type { ColumnCatalog, TableCatalog } from '../data/catalog-types.js';
import { isIdentifier, isOrdinal } from './column-roles.js';
import { fail, type ParseFailure } from './reading.js';
import type { Filter, Intent } from './types.js';

/** Every non-empty row has its own value (the catalog's distinct count is an estimate above 1,000 values). */
function uniquePerRow(table: TableCatalog, c: ColumnCatalog): boolean {
  return table.rows > 2 && c.distinct_estimate >= (table.rows - c.null_count) * 0.95;
}

const name = (c: ColumnCatalog) => c.label || c.name;

function pinsOneRow(table: TableCatalog, filters: Filter[]): ColumnCatalog | undefined {
  for (const f of filters)
    if (f.kind === 'eq' && !f.negate && f.values.length === 1 && uniquePerRow(table, f.column))
      return f.column;
  return undefined;
}

/** The answer column is one the question gave a single value for (or looked a name up in). */
function echoes(filters: Filter[], answer: ColumnCatalog): boolean {
  return filters.some(
    (f) =>
      (f.kind === 'eq' && !f.negate && f.values.length === 1 && f.column === answer) ||
      (f.kind === 'anyOf' && f.columns.includes(answer)),
  );
}

/** The columns whose cells the reading answers with. */
function answerColumnsOf(intent: Intent): ColumnCatalog[] {
  switch (intent.shape) {
    case 'list':
    case 'position':
    case 'adjacent':
      return intent.columns;
    case 'toprows':
      return intent.entity ? [intent.entity] : [];
    case 'ranking':
      return [intent.group.column];
    case 'aggregate':
      return intent.group ? [intent.group.column] : [];
    case 'compare':
      return [];
  }
}

/** Every column the reading looks at: conditions, answers, measures, orderings. */
export function columnsRead(intent: Intent): ColumnCatalog[] {
  const cols = [...answerColumnsOf(intent)];
  const filters = [
    ...intent.filters,
    ...(intent.shape === 'compare' ? intent.sides.flat() : []),
    ...(intent.shape === 'adjacent' ? intent.anchor : []),
  ];
  for (const f of filters) cols.push(...(f.kind === 'anyOf' ? f.columns : [f.column]));
  if (intent.shape === 'aggregate' || intent.shape === 'ranking') {
    if (intent.measure) cols.push(intent.measure);
  } else if (intent.shape === 'toprows') {
    cols.push(intent.orderBy, ...intent.extra);
  } else if (intent.shape === 'compare') {
    cols.push(intent.key);
    for (const v of [intent.value].flat()) if (v.kind === 'measure') cols.push(v.column);
  }
  return cols;
}

/**
 * A long list pasted in side-by-side blocks ("Year, Position, Year, Position"): a count, total, ranking or position
 * over one block's columns sees only part of the rows, and so does a condition on a number (the year asked may be
 * in the other block), so they are refused. Looking up a name found in a cell stays right: its row of the block is
 * a whole record.
 */
function foldedColumn(intent: Intent): ColumnCatalog | undefined {
  const lookup =
    (intent.shape === 'list' || intent.shape === 'adjacent' || intent.shape === 'compare') &&
    [...intent.filters, ...(intent.shape === 'compare' ? intent.sides.flat() : [])].every(
      (f) => f.kind === 'eq' || f.kind === 'anyOf',
    );
  if (lookup) return undefined;
  const label = (c: ColumnCatalog) => (c.label || c.name).trim().toLowerCase();
  const labels = intent.table.columns.map(label);
  return columnsRead(intent).find((c) => labels.filter((l) => l === label(c)).length > 1);
}

export function checkPlausible(intent: Intent, asksForOneThing: boolean): Intent | ParseFailure {
  const table = intent.table;
  const folded = foldedColumn(intent);
  if (folded) return fail('folded_table', [name(folded)]);
  // A name looked up in several columns cannot also be what is answered ("who did the Senators play" over Home
  // and Visitor): which side is which is not said.
  const spread = intent.filters.find(
    (f) => f.kind === 'anyOf' && answerColumnsOf(intent).some((c) => f.columns.includes(c)),
  );
  if (spread) return fail('echo', [name(spread.column)]);
  switch (intent.shape) {
    case 'ranking': {
      const g = intent.group;
      if (!g.bucket && echoes(intent.filters, g.column)) return fail('echo', [name(g.column)]);
      const oneRowEach = uniquePerRow(table, g.column) && !g.bucket;
      if (intent.agg === 'count' && oneRowEach) return fail('one_row_each', [name(g.column)]);
      // Groups of one row: their total, average or extreme is the row's own value — rank the rows by it.
      if (intent.measure && intent.agg !== 'count' && oneRowEach) {
        const { measure, dir, limit, filters } = intent;
        const rows: Intent = {
          shape: 'toprows',
          table,
          entity: g.column,
          extra: [measure],
          orderBy: measure,
          dir,
          limit,
          filters,
        };
        return checkPlausible(rows, asksForOneThing);
      }
      if (intent.measure && intent.agg !== 'count' && isIdentifier(intent.measure))
        return fail('identifier_measure', [name(intent.measure)]);
      return intent;
    }
    case 'aggregate': {
      if ((intent.agg === 'count' || intent.agg === 'count_distinct') && !intent.group) {
        const pinned = pinsOneRow(table, intent.filters);
        if (pinned) return fail('one_row', [name(pinned)]);
      }
      const m = intent.measure;
      if (m && ['sum', 'avg', 'median', 'stddev', 'percent'].includes(intent.agg) && isIdentifier(m))
        return fail('identifier_measure', [name(m)]);
      // The highest rank is rank 1.
      if (m && isOrdinal(m) && (intent.agg === 'max' || intent.agg === 'min'))
        return { ...intent, agg: intent.agg === 'max' ? 'min' : 'max' };
      return intent;
    }
    case 'toprows':
      // "which athlete is older than X" misread as "the oldest athlete where athlete = X" answers X.
      if (intent.entity && echoes(intent.filters, intent.entity)) return fail('echo', [name(intent.entity)]);
      if (isOrdinal(intent.orderBy) && !intent.natural)
        return { ...intent, dir: intent.dir === 'desc' ? 'asc' : 'desc' };
      return intent;
    case 'position':
      // "which team was the first to beat Italy" read as "the first row where team = Italy" answers Italy.
      if (intent.columns.length === 1 && echoes(intent.filters, intent.columns[0]!))
        return fail('echo', [name(intent.columns[0]!)]);
      return intent;
    case 'list': {
      if (intent.columns.length === 0 && asksForOneThing) return fail('nothing');
      // "which nations won only bronze medals" read as every nation with its bronze: a condition went unread.
      if (intent.filters.length === 0 && intent.columns.length > 1 && asksForOneThing) return fail('nothing');
      const [answer] = intent.columns;
      if (answer && echoes(intent.filters, answer)) return fail('echo', [name(answer)]);
      return intent;
    }
    default:
      return intent;
  }
}
