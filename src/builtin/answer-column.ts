/**
 * Which column a question asks for, when it asks for cells rather than a computation (issue 13): the column it names
 * ("which NATION is before Peru", "what was X's PARTY", "the last LOCATION on the chart"), else the one a question
 * word points to ("when" → the date or year, "who" → the column that names the rows), else the column of the value
 * the question starts from ("who finished after Claudia Poll": the same column, another row).
 */
import type { ColumnCatalog } from '../data/catalog-types.js';
import { fail, isKw, labelColumn, type ParseFailure, yearColumn } from './reading.js';
import type { Roles } from './roles.js';
import type { Mark } from './schema-match.js';

export function answerColumns(x: Roles, fallback: ColumnCatalog | undefined): ColumnCatalog[] | ParseFailure {
  const { r } = x;
  const { marks, used, index, tokens } = r;
  if (x.entityMark?.kind === 'col' && x.entity) return [x.entity.column];
  // A column named with no other role: "what was Phil Lockyer's party".
  const idle = marks.filter((m): m is Mark & { kind: 'col' } => m.kind === 'col' && !used.has(m));
  const named = [...new Set(idle.map((m) => m.col))];
  if (named.length > 1)
    return fail(
      'several_measures',
      idle.map((m) =>
        tokens
          .slice(m.start, m.end + 1)
          .map((t) => t.raw)
          .join(' '),
      ),
    );
  if (named.length === 1) {
    for (const m of idle) used.add(m);
    return [named[0]!.column];
  }
  if (x.whenMark) {
    const time = r.date ?? yearColumn(index);
    if (!time) return fail('no_date_column', [tokens[x.whenMark.start]!.raw]);
    return [time.column];
  }
  if (fallback && fallback.type === 'text') {
    if (x.entityMark) used.add(x.entityMark);
    return [fallback];
  }
  const who = isKw(x.entityMark, 'who') || x.entityIsRows;
  const label = labelColumn(index);
  if (who && label) return [label.column];
  if (fallback) return [fallback];
  return fail('nothing');
}
