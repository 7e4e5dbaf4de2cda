/**
 * Column roles (issue 13, item 4): a number is not always an amount. Ordinals (rank, position, pick, week, round,
 * No., #) and years identify or order rows — they are counted, looked up or ranked by, never summed or averaged, and
 * on an ordinal "first"/"top"/"best" means the smallest value. Measures (points, votes, population) are what is
 * summed, averaged and ranked by value. Decided from the catalog only: the column's name, label, type and range.
 */
import type { ColumnCatalog } from '../data/catalog-types.js';

/** Last words of a name that make a small integer column an ordinal ("overall rank", "pick no", "week"). */
const ORDINAL_WORDS = new Set(
  (
    'rank ranking ranked pos position place placing no nr num pick seed week round rnd order draw lane bib heat ' +
    'posicao colocacao lugar ordem rodada semana numero'
  ).split(' '),
);

function nameWords(c: ColumnCatalog): string[] {
  return c.name.split('_').filter((w) => w !== '');
}

/** A rank, position or running number: small positive integers that order or identify rows. */
export function isOrdinal(c: ColumnCatalog): boolean {
  if (c.type !== 'integer') return false;
  const label = c.label.trim();
  const last = nameWords(c).at(-1) ?? '';
  const named = ORDINAL_WORDS.has(last) || label === '#' || /^(no|nº|n°)\.?$/i.test(label);
  return named && typeof c.min === 'number' && c.min >= 0;
}

/** Last words of a place column's name: not a pick, week or round, which number rows without ranking them. */
const PLACE_WORDS = new Set(
  'rank ranking pos position place placing finish final posicao colocacao lugar classificacao'.split(' '),
);

/** A column named as where each row finished ("Rank", "Total Rank", "Pos.", "Colocação"), whatever its type. */
export function namedAsPlace(c: ColumnCatalog): boolean {
  return PLACE_WORDS.has(
    nameWords(c)
      .filter((w) => !/^\d+$/.test(w))
      .at(-1) ?? '',
  );
}

/** Identifies or orders rows rather than measuring them: an ordinal or a year. */
export function isIdentifier(c: ColumnCatalog): boolean {
  return isOrdinal(c) || isYearLike(c);
}

const YEAR_IN_TEXT = /(^|\D)(1[5-9]|20)\d\d(\D|$)/;

/** A text column most of whose cells hold a year ("1950", "1824 (special)", "pre-1939"). */
export function holdsYears(c: ColumnCatalog): boolean {
  if (c.type !== 'text' || c.top_values.length < 2) return false;
  const rows = c.top_values.reduce((n, v) => n + v.count, 0);
  const years = c.top_values.filter((v) => YEAR_IN_TEXT.test(v.value)).reduce((n, v) => n + v.count, 0);
  return years * 10 >= rows * 8;
}

/** A text column whose cells start with their year ("1824 (special)", "1950"): comparable by that year. */
export function startsWithYears(c: ColumnCatalog): boolean {
  if (!holdsYears(c)) return false;
  const rows = c.top_values.reduce((n, v) => n + v.count, 0);
  const leading = c.top_values
    .filter((v) => /^\s*(1[5-9]|20)\d\d/.test(v.value))
    .reduce((n, v) => n + v.count, 0);
  return leading * 10 >= rows * 8;
}

/** Integer years: a column whose values all fall in 1000–2100. */
export function isYearLike(c: ColumnCatalog): boolean {
  return (
    c.type === 'integer' &&
    typeof c.min === 'number' &&
    typeof c.max === 'number' &&
    c.min >= 1000 &&
    c.max <= 2100
  );
}
