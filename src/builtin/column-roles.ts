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
    'rank ranking ranked pos position place placing no nr num number pick seed week round rnd order draw lane bib heat ' +
    'posicao colocacao lugar ordem rodada semana numero'
  ).split(' '),
);

function nameWords(c: ColumnCatalog): string[] {
  return c.name.split('_').filter((w) => w !== '');
}

/** A rank, position or running number: small positive integers that order or identify rows. */
export function isOrdinal(c: ColumnCatalog): boolean {
  // Running numbers written as text with a mark ("12a", "N/A") order rows too.
  if (c.type !== 'integer' && !isNumericText(c)) return false;
  const label = c.label.trim();
  const last = nameWords(c).at(-1) ?? '';
  const named = ORDINAL_WORDS.has(last) || label === '#' || /^(no|nº|n°)\.?$/i.test(label);
  return named && (typeof c.min !== 'number' || c.min >= 0);
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

/** A number at the start of a cell ("14,375 ft", "2.5 miles (4.0 km)", "$1,200", "8k"), and what follows it. */
const LEADING_NUMBER = /^\s*[$£€]?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\s*([a-z%]*)/i;

/** Cells that start with digits but are not amounts: times, scores and records, ranges, dates, codes. */
const NOT_AMOUNT =
  /^\s*\d+\s*[:–—\-/]\s*\d|^\s*\d+\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)|^\s*\d+(st|nd|rd|th)\b/i;

const numericTextCache = new WeakMap<ColumnCatalog, boolean>();

/**
 * A text column that holds amounts the importer could not store as numbers — a unit on some cells, "N/A" or a
 * repeated header on others ("14,375 ft", "10 m (32 ft)", "N/A"): most listed cells start with a number, followed by
 * the same unit word (or none), and none are times, scores, ranges or dates. Such a column can be summed, ranked
 * and compared by its leading number (see numberOf in sql-builder.ts). Years are not amounts (holdsYears).
 */
export function isNumericText(c: ColumnCatalog): boolean {
  const cached = numericTextCache.get(c);
  if (cached !== undefined) return cached;
  let result = false;
  if (c.type === 'text' && c.top_values.length >= 2 && !holdsYears(c)) {
    const rows = c.top_values.reduce((n, v) => n + v.count, 0);
    const units = new Map<string, number>();
    let amounts = 0;
    let other = 0;
    for (const v of c.top_values) {
      const m = LEADING_NUMBER.exec(v.value);
      if (NOT_AMOUNT.test(v.value)) other += v.count;
      else if (m) {
        amounts += v.count;
        const unit = m[2]!.toLowerCase().replace(/s$/, '');
        units.set(unit, (units.get(unit) ?? 0) + v.count);
      }
    }
    const main = Math.max(0, ...units.values());
    result = other === 0 && amounts * 10 >= rows * 8 && main * 10 >= amounts * 9;
    if (result) textUnits.set(c, [...units].find(([, n]) => n === main)![0]);
  }
  numericTextCache.set(c, result);
  return result;
}

const textUnits = new WeakMap<ColumnCatalog, string>();

/** The unit written after the numbers of an amounts-as-text column ("ft" for "14,375 ft"; "" for none). */
export function textUnit(c: ColumnCatalog): string | undefined {
  return isNumericText(c) ? textUnits.get(c) : undefined;
}

/** A race time: "2:13:09", "4:09.33", "1:10.73", or seconds alone "55.14"; a note may follow ("2:13:09 PB"). */
const TIME_CELL = /^\s*(?:\d{1,2}:)?\d{1,2}:\d{2}(?:\.\d+)?(?:\s|$)|^\s*\d{1,2}\.\d{1,3}\s*$/;

const timeTextCache = new WeakMap<ColumnCatalog, boolean>();

/**
 * A text column of times (most listed rows look like "m:ss.xx" or "h:mm:ss", "DNF" on the others): compared and
 * ranked in seconds (numberOf in sql-builder.ts); "fastest" is its lowest.
 */
export function isTimeText(c: ColumnCatalog): boolean {
  const cached = timeTextCache.get(c);
  if (cached !== undefined) return cached;
  let result = false;
  if (c.type === 'text' && c.top_values.length >= 2) {
    const rows = c.top_values.reduce((n, v) => n + v.count, 0);
    const times = c.top_values.filter((v) => TIME_CELL.test(v.value));
    const colons = times.filter((v) => v.value.includes(':')).reduce((n, v) => n + v.count, 0);
    result = colons > 0 && times.reduce((n, v) => n + v.count, 0) * 10 >= rows * 7;
  }
  timeTextCache.set(c, result);
  return result;
}

/** How many colons the column's times have: 2 for "h:mm:ss", 1 for "m:ss.xx" (the most common among its cells). */
export function timeColons(c: ColumnCatalog): 1 | 2 {
  let one = 0;
  let two = 0;
  for (const v of c.top_values) {
    const n = (v.value.match(/:/g) ?? []).length;
    if (n === 1) one += v.count;
    else if (n === 2) two += v.count;
  }
  return two > one ? 2 : 1;
}
