/**
 * Which column a question asks for, when it asks for cells rather than a computation (issue 13): the column it names
 * ("which NATION is before Peru", "what was X's PARTY", "the last LOCATION on the chart"), else the one a question
 * word points to ("when" → the date or year, "who" → the column that names the rows), else the column of the value
 * the question starts from ("who finished after Claudia Poll": the same column, another row).
 */
import type { ColumnCatalog } from '../data/catalog-types.js';
import { isContextWord } from './context-words.js';
import type { Token } from './normalize.js';
import { fail, isKw, labelColumn, namesThings, type ParseFailure, yearColumn } from './reading.js';
import type { Roles } from './roles.js';
import type { Mark } from './schema-match.js';

export function answerColumns(x: Roles, fallback: ColumnCatalog | undefined): ColumnCatalog[] | ParseFailure {
  const { r } = x;
  const { marks, used, index, tokens } = r;
  if (x.entityMark?.kind === 'col' && x.entity) return [x.entity.column];
  // "which building …": the rows, named by the label column.
  if (x.entity && x.entityIsRows && !isKw(x.entityMark, 'who')) return [x.entity.column];
  // A column named with no other role: "what was Phil Lockyer's party" — not a verb that happens to be a column's
  // name ("which album was RELEASED before …").
  // "Who" asks for a name: a column only partly named ("deputy judge" in "Term as a Deputy Judge", "office" in
  // "Took office") or holding no names (dates, numbers) is context there, not the answer.
  const asksWho = marks.some((m) => isKw(m, 'who'));
  const idle = marks.filter(
    (m): m is Mark & { kind: 'col' } =>
      m.kind === 'col' &&
      !used.has(m) &&
      !(m.start === m.end && isContextWord(tokens, m.start, index.table)) &&
      !(asksWho && (!m.full || !m.col.text || !namesThings(m.col))),
  );
  // "when …" asks for a time, "where …" for a place, whatever else the question names ("when did the last EPISODE
  // air"), unless what it names is itself a time or a place.
  const opening = tokens[marks.find((m) => m.kind !== 'stop')?.start ?? -1]?.norm;
  const wanted = x.whenMark ? timeColumns(x) : asksWhere(tokens) ? placeColumns(x) : undefined;
  // A place asked where the table holds none: the column the question names ("where did X go to SCHOOL").
  if (wanted && (wanted.length > 0 || idle.length === 0)) {
    const named = idle.find((m) => wanted.includes(m.col.column));
    if (named) used.add(named);
    const column = named?.col.column ?? wanted[0];
    if (!column) return fail(x.whenMark ? 'no_date_column' : 'nothing', [opening ?? '']);
    return [column];
  }
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

/** Prepositions a Portuguese "onde" takes at the start of a question: "DE onde", "PARA onde", "EM onde". */
const WHERE_PREPOSITIONS = new Set(['de', 'da', 'do', 'para', 'pra', 'em', 'from', 'to']);

/**
 * The question opens by asking where: "where …", "onde …", "de onde era …" — not a "where"/"onde" that joins a
 * condition later on ("a média onde a região é Sul").
 */
export function asksWhere(tokens: readonly Token[]): boolean {
  const first = WHERE_PREPOSITIONS.has(tokens[0]?.norm ?? '') ? 1 : 0;
  return ['where', 'onde', 'aonde'].includes(tokens[first]?.norm ?? '');
}

/** Columns a "when" can be answered from, best first: dates, then text named as dates, then integer years. */
function timeColumns(x: Roles): ColumnCatalog[] {
  const { index } = x.r;
  const dated = index.columns.filter((c) => c.temporal).map((c) => c.column);
  const named = index.columns.filter((c) => c.text && /date|data/.test(c.column.name)).map((c) => c.column);
  const year = yearColumn(index);
  return [...dated, ...named, ...(year ? [year.column] : [])];
}

/** Words of column names that hold places, most specific first. */
const PLACE_WORDS = [
  ['venue', 'location', 'site', 'stadium', 'arena', 'ground', 'circuit', 'track', 'local', 'estadio', 'sede'],
  ['city', 'town', 'place', 'host', 'cidade', 'municipio', 'lugar'],
  ['country', 'state', 'region', 'nation', 'pais', 'estado', 'regiao'],
];

/** Columns a "where" can be answered from, most specific first. */
function placeColumns(x: Roles): ColumnCatalog[] {
  const words = (c: ColumnCatalog) => c.name.split('_');
  return PLACE_WORDS.flatMap((level) =>
    x.r.index.columns
      .filter((c) => c.text && words(c.column).some((w) => level.includes(w)))
      .map((c) => c.column),
  );
}
