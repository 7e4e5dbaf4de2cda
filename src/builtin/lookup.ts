/**
 * Lookups (issue 13): "what was Phil Lockyer's party?", "where did Carlos Peña go to school?", "in which year did Y
 * win?" — a question word asks for one column, and the values it names pick the rows. No aggregate, no ranking: the
 * cell itself. Read after comparisons and row order, when the question names no entity the aggregate shapes would
 * list ("which X …" is theirs).
 */
import { answerColumns, asksWhere } from './answer-column.js';
import { isIdentifier } from './column-roles.js';
import { AGGREGATE_WORDS, isKw, type ParseFailure } from './reading.js';
import type { Roles } from './roles.js';
import type { Intent } from './types.js';

export function lookupShape(x: Roles): Intent | ParseFailure | undefined {
  const { r } = x;
  const { marks, used } = r;
  const asks =
    asksWhere(r.tokens) ||
    marks.some(
      (m) =>
        isKw(m, 'which', 'who', 'when') ||
        (m.kind === 'kw' && m.kw === 'with' && r.tokens[m.start]!.norm === 'where'),
    );
  // A rank or a year is looked up, never summed ("what was the world RANK of Paris").
  const rank = x.measure && isIdentifier(x.measure.column) ? x.measure : undefined;
  if (x.measure && !rank) return undefined;
  if (!asks || x.entity || x.countMark || x.gr.group || x.fr.having || x.fr.filters.length === 0)
    return undefined;
  // Anything to compute or to order by belongs to the other shapes.
  if (
    x.aggMarks.some(
      (m) =>
        !used.has(m) &&
        isKw(m, ...AGGREGATE_WORDS, 'high', 'low', 'top', 'frequent', 'recent', 'oldest', 'howmuch'),
    )
  )
    return undefined;
  // Only a column the question names (or a question word points to): otherwise the other shapes may read it.
  const columns = rank ? [rank.column] : answerColumns(x, undefined);
  if ('ok' in columns || columns.length === 0) return undefined;
  return { shape: 'list', table: r.index.table, columns, distinct: true, filters: x.fr.filters };
}
