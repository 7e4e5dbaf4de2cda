/**
 * A finishing place said in words (issue 13): "which season placed FIRST in its division", "who finished SECOND",
 * "quem ficou em TERCEIRO lugar", "came in 3rd". The place is a value of the table's place column (Place, Pos.,
 * Rank, Colocação — integers, or text like "1st", "2.", "3º"), not the table's row order: a season list is in time
 * order, its first row is not its best place.
 *
 * An order word is a place only when the question says so — a placing verb before it, a place noun after it, or the
 * place column itself beside it; "the first album" stays row order (row-order.ts). "Ranked first IN gold medals"
 * ranks by the medals and is left to the ranking shapes.
 */
import type { ColumnCatalog } from '../data/catalog-types.js';
import { isOrdinal, namedAsPlace } from './column-roles.js';
import { isKw, type Reading } from './reading.js';
import type { Mark } from './schema-match.js';
import type { Filter } from './types.js';

const ORDINALS: Record<string, number> = {
  first: 1,
  second: 2,
  third: 3,
  fourth: 4,
  fifth: 5,
  sixth: 6,
  seventh: 7,
  eighth: 8,
  ninth: 9,
  tenth: 10,
  primeiro: 1,
  primeira: 1,
  segundo: 2,
  segunda: 2,
  terceiro: 3,
  terceira: 3,
  quarto: 4,
  quarta: 4,
  quinto: 5,
  quinta: 5,
  sexto: 6,
  sexta: 6,
  setimo: 7,
  setima: 7,
  oitavo: 8,
  oitava: 8,
  nono: 9,
  nona: 9,
  decimo: 10,
  decima: 10,
};

/** Verbs that say where someone ended up: "finished", "placed", "came", "ficou", "terminou", "chegou". */
const PLACING_VERBS = new Set(
  (
    'finish finished finishes place placed places came come comes end ended ends rank ranked ranks ' +
    'ficou ficaram fica terminou terminaram termina chegou chegaram chega classificou classificaram colocou'
  ).split(' '),
);

/** Nouns that follow a place: "first PLACE", "segundo LUGAR", "terceira POSIÇÃO". */
const PLACE_NOUNS = new Set(
  'place places position positions spot spots lugar lugares posicao posicoes colocacao colocacoes'.split(' '),
);

/** "entre os 10 PRIMEIROS": the order word of a Portuguese top N. */
const FIRST_ONES = new Set(['primeiros', 'primeiras']);

/** "1st", "2.", "3º", "T4", "=5": a cell naming place n. */
function namesPlace(cell: string, n: number): boolean {
  const m = /^\s*[T=]?(\d+)\s*(st|nd|rd|th|º|ª|°|\.)?\s*$/i.exec(cell);
  return !!m && Number(m[1]) === n;
}

export function placeColumn(columns: ColumnCatalog[]): ColumnCatalog | undefined {
  const places = columns.filter((c) => {
    if (!namedAsPlace(c)) return false;
    if (c.type === 'integer') return typeof c.min === 'number' && c.min >= 0;
    return c.type === 'text' && c.top_values.some((v) => namesPlace(v.value, 1) || namesPlace(v.value, 2));
  });
  // Two place columns (a group's place and the overall place) leave the question unsure which: no reading.
  return places.length === 1 ? places[0] : undefined;
}

/** The place number an order word or an ordinal numeral says ("second", "3rd", "primeiro"). */
function placeNumber(r: Reading, m: Mark): number | undefined {
  const t = r.tokens[m.start]!;
  if (m.start !== m.end) return undefined;
  if (ORDINALS[t.norm] !== undefined) return ORDINALS[t.norm];
  const suffix = r.tokens[m.start + 1]?.norm;
  if (m.kind === 'num' && t.digits && Number.isInteger(t.num) && /^(st|nd|rd|th|o|a)$/.test(suffix ?? ''))
    return t.num;
  return undefined;
}

/**
 * Reads a place said in words into a condition on the place column, marking the words it explains. Returns the
 * filter, or undefined when the question names no place (or the table has no single place column).
 */
export function readPlacing(r: Reading): Filter | undefined {
  const { marks, tokens, used } = r;
  const top = readTopPlaces(r);
  if (top) return top;
  for (let i = 0; i < marks.length; i++) {
    const m = marks[i]!;
    const n = placeNumber(r, m);
    if (n === undefined || used.has(m)) continue;
    // Only now: most questions say no place, and finding the place column reads every column's name and cells.
    const column = placeColumn(r.index.table.columns);
    // "the SECOND ROUND", "a terceira rodada": an ordinal before a numbering column is its number.
    const numbered = marks.find((x) => x.start === m.end + (m.kind === 'num' ? 2 : 1));
    if (numbered?.kind === 'col' && isOrdinal(numbered.col.column) && !used.has(numbered)) {
      useOrdinal(r, m);
      used.add(numbered);
      return { kind: 'cmp', column: numbered.col.column, op: '=', value: n };
    }
    if (!column) continue;
    const before = marks[r.prevContent(i, (x) => x.kind === 'stop' || (x.kind === 'kw' && x.kw === 'in'))];
    const afterIdx = m.end + (m.kind === 'num' ? 2 : 1);
    const after = marks.find((x) => x.start === afterIdx);
    // The verb may be a function word of the lexicon ("placed"): look at the words themselves.
    let k = m.start - 1;
    while (k >= 0 && /^(in|at|em|no|na|the|o|a)$/.test(tokens[k]!.norm)) k--;
    const verbMark = marks.find((x) => x.start === k && x.end === k);
    const verb = k >= 0 && PLACING_VERBS.has(tokens[k]!.norm);
    const placeCol = before?.kind === 'col' && before.col.column === column;
    const noun = after && after.start === after.end && PLACE_NOUNS.has(tokens[after.start]!.norm);
    if (!verb && !placeCol && !noun) continue;
    // "ranked first IN gold medals": a ranking by the measure, not a place.
    const next = marks[r.nextContent(i)];
    if (next?.kind === 'col' && next.col.numeric && next.col.column !== column) continue;
    const cells =
      column.type === 'integer' ? [] : column.top_values.map((v) => v.value).filter((v) => namesPlace(v, n));
    if (column.type !== 'integer' && cells.length === 0) continue;
    useOrdinal(r, m);
    if (verb && verbMark) used.add(verbMark);
    if (before && placeCol) used.add(before);
    if (after && noun) used.add(after);
    return column.type === 'integer'
      ? { kind: 'cmp', column, op: '=', value: n }
      : { kind: 'eq', column, values: cells, negate: false };
  }
  return undefined;
}

/** Marks the ordinal read: the word, or the numeral with its suffix ("3" "rd"). */
function useOrdinal(r: Reading, m: Mark): void {
  r.used.add(m);
  const suffix = m.kind === 'num' ? r.marks.find((x) => x.start === m.start + 1) : undefined;
  if (suffix) r.used.add(suffix);
}

/**
 * "how many riders in the TOP 15", "teams in the top five positions": a count over the rows placed 1 to N, on the one
 * column named as a place ("Pos.", even with "Ret" or "DNF" among its numbers). Only when the rows are counted or
 * the places named — "the top 5 teams" lists five rows (a limit, roles.ts).
 */
function readTopPlaces(r: Reading): Filter | undefined {
  const { marks, tokens, used } = r;
  const counted = marks.some((m) => m.kind === 'kw' && m.kw === 'count');
  for (let i = 0; i + 1 < marks.length; i++) {
    const top = marks[i]!;
    // "entre os 15 primeiros": Portuguese for "in the top 15", the order word after the number.
    const among = isKw(top, 'between') ? r.nextContent(i, (m) => m.kind === 'stop') : -1;
    const first = marks[among + 1];
    const topPt =
      among > 0 && first?.start === first?.end && FIRST_ONES.has(tokens[first?.start ?? -1]?.norm ?? '');
    const n = marks[topPt ? among : i + 1]!;
    if (!(isKw(top, 'top') || topPt) || n.kind !== 'num' || !Number.isInteger(n.value)) continue;
    const after = marks[topPt ? among + 2 : i + 2];
    const noun = after && after.start === after.end && PLACE_NOUNS.has(tokens[after.start]!.norm);
    const places = r.index.table.columns.filter((c) => namedAsPlace(c));
    if ((!counted && !noun) || places.length !== 1) continue;
    used.add(top);
    used.add(n);
    if (topPt) used.add(first!);
    if (noun) used.add(after!);
    return { kind: 'cmp', column: places[0]!, op: '<=', value: n.value };
  }
  return undefined;
}
