/**
 * Units after a number (issue 13, "numbers with units"): "4,500 m", "30 mph", "128 kbit/s", "10 square kilometers".
 * A unit says what the number measures, so it is understood, not an unknown word; and when exactly one number column
 * is recorded in that unit — the importer's catalog `unit`, or a header like "Elevation (m)" — it says which column
 * the number is of.
 */
import type { ColumnCatalog } from '../data/catalog-types.js';
import { isTimeText, textUnit, timeColons } from './column-roles.js';
import { fold, type Token } from './normalize.js';
import { isKw, type Reading } from './reading.js';
import { type ColumnIndex, columnsOfConcept, type Mark, type TableIndex } from './schema-match.js';

/** Units of measure, both languages, as the question may write them. */
const UNITS = new Set(
  (
    'm km cm mm ft feet foot inch inches mi mile miles yd yards meters metres meter metre kg lb lbs pounds ton ' +
    'tons mph kmh kph sec secs seconds mins minutes hr hrs hours mts metros quilometros pes ' +
    'polegadas libras toneladas segundos minutos horas usd eur gbp kilometers kilometres km2 sqmi'
  ).split(' '),
);

/** Words that count people: the unit of a population. */
const PEOPLE = new Set([
  'people',
  'persons',
  'inhabitants',
  'residents',
  'pessoas',
  'habitantes',
  'moradores',
]);

/** Spellings of one unit, to the short form tables use in headers and the importer records. */
const ALIASES: Record<string, string> = {
  meters: 'm',
  metres: 'm',
  meter: 'm',
  metre: 'm',
  metros: 'm',
  mts: 'm',
  kilometers: 'km',
  kilometres: 'km',
  quilometros: 'km',
  feet: 'ft',
  foot: 'ft',
  pes: 'ft',
  miles: 'mi',
  mile: 'mi',
  squarekilometers: 'km2',
  squarekilometres: 'km2',
  sqkm: 'km2',
  squaremiles: 'sqmi',
  kg: 'kg',
  kilograms: 'kg',
  tons: 'tons',
  toneladas: 'tons',
};

/** Whether a number said in that unit compares with the column: amounts written as text must use the same one. */
export function sameUnit(key: string, column: ColumnIndex): boolean {
  const unit = textUnit(column.column);
  return unit === undefined || unit === '' || unitKey(unit) === key || unitKey(`${unit}s`) === key;
}

/** A unit folded for comparison: letters and digits only ("km²" → "km2", "kbit/s" → "kbits"), alias resolved. */
function unitKey(text: string): string {
  const key = fold(text)
    .replace(/²/g, '2')
    .replace(/[^a-z0-9$%]/g, '');
  return ALIASES[key] ?? key;
}

/** The number columns measured in that unit: the importer's recorded unit (catalog `unit`), or a header's "(m)". */
function columnsWithUnit(key: string, index: TableIndex): ColumnIndex[] {
  // "longer than three minutes": the column of times.
  if (TIME_UNITS[key] !== undefined) return index.columns.filter((c) => isTimeText(c.column));
  return index.columns.filter((c) => {
    if (!c.numeric) return false;
    if (c.column.unit && unitKey(c.column.unit) === key) return true;
    const inParens = /\(([^)]*)\)/.exec(c.column.label)?.[1];
    return inParens !== undefined && unitKey(inParens) === key;
  });
}

/**
 * The unit written right after the number at marks[i] — one to three words ("m", "kbit/s", "square kilometers") —
 * with the marks it spans and the columns recorded in it; undefined when no unit follows.
 */
export function unitAfter(
  r: Reading,
  i: number,
): { marks: Mark[]; columns: ColumnIndex[]; key: string } | undefined {
  const words: Mark[] = [];
  let found: { marks: Mark[]; columns: ColumnIndex[]; key: string } | undefined;
  for (let k = i + 1; k <= i + 3 && k < r.marks.length; k++) {
    const m = r.marks[k]!;
    if (m.start !== m.end || !(m.kind === 'unknown' || m.kind === 'kw' || m.kind === 'stop')) break;
    words.push(m);
    const key = unitKey(words.map((w) => r.tokens[w.start]!.norm).join(''));
    // "100,000 people", "10 mil habitantes": counted in the Population column.
    const columns = PEOPLE.has(key) ? columnsOfConcept(r.index, 'population') : columnsWithUnit(key, r.index);
    // A function word ("in", "a") is a unit only where a column is recorded in it.
    const listed = words.length === 1 && (m.kind === 'unknown' || isKw(m, 'filler')) && UNITS.has(key);
    if (columns.length > 0 || listed) found = { marks: [...words], columns, key };
  }
  return found;
}

/** Seconds per unit of time, as the question may write it. */
const TIME_UNITS: Record<string, number> = {
  s: 1,
  sec: 1,
  secs: 1,
  seconds: 1,
  second: 1,
  segundos: 1,
  min: 60,
  mins: 60,
  minutes: 60,
  minute: 60,
  minutos: 60,
  h: 3600,
  hr: 3600,
  hrs: 3600,
  hours: 3600,
  hour: 3600,
  horas: 3600,
};

/**
 * A number said against a column of times, in seconds: a time as written ("4:10"; "39:00:00" against cells like
 * "38:29.7" is minutes, seconds and hundredths), or a number with its unit ("over 5 minutes"). Undefined when the
 * number says no unit of time — a bare "35" could be minutes or seconds.
 */
export function timeValue(column: ColumnCatalog, tok: Token, unit: string | undefined): number | undefined {
  if (tok.time) {
    const parts = tok.raw.split(':').map(Number);
    if (parts.length === 3 && timeColons(column) === 1) return parts[0]! * 60 + parts[1]! + parts[2]! / 100;
    return tok.num;
  }
  const scale = unit === undefined ? undefined : TIME_UNITS[unit];
  return scale === undefined || tok.num === undefined ? undefined : tok.num * scale;
}
