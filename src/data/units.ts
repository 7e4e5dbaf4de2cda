/**
 * The text around a number in real tables (issue 13, item 6): footnote marks (`12[3]`, `1,234*`, `2008†`), units
 * (`17 years`, `2,345 m`, `100 km/h`) and ordinals (`3rd`, `1º`, `1.`). Pure text splitting, no typing: types.ts
 * decides whether what is left is a number, a date or a boolean, and RowBuilder whether a column's units agree.
 *
 * Precision first: a unit is one word (or a known symbol), never something with digits, dashes, colons or
 * parentheses in it, so `3-1`, `1:45.3`, `1999–2000`, `10-20`, `12 (3)`, `5 ft 11 in` never get here as numbers;
 * words that change the value's meaning or magnitude (`12 March`, `3 pm`, `300 BC`, `1.2 million`) are not units.
 * Values that start with a letter (`Route 66`, `Boeing 747`) are never numbers, and a currency prefix takes no
 * unit after it (`$ 1.2 million` stays text).
 */
import { isMonthName } from './dates.js';

/** The unit RowBuilder and the catalog use for ordinals (`1st`, `2nd`, `3º`, `4.`): not a real unit's text. */
export const ORDINAL = '#ordinal';

/** A space between a number and its unit: space, no-break space, thin / narrow no-break space. */
function isGap(c: number): boolean {
  return c === 32 || c === 0xa0 || c === 0x2009 || c === 0x202f;
}

const isDigit = (c: number) => c >= 48 && c <= 57;

function isLetter(c: number): boolean {
  return (
    (c >= 97 && c <= 122) ||
    (c >= 65 && c <= 90) ||
    (c >= 0xc0 && c <= 0x24f && c !== 0xd7 && c !== 0xf7) ||
    (c >= 0x391 && c <= 0x3c9) ||
    c === 0xb5
  );
}

/**
 * Where the trailing footnote marks of `s` begin (spaces before them excluded), or `s.length` when it has none:
 * `[1]`, `[a]`, `[note 3]` (up to 20 letters, digits, spaces or dots between the brackets), `*`, `†`, `‡`, `§`,
 * in any number and order.
 */
export function footnoteEnd(s: string): number {
  let end = s.length;
  for (;;) {
    const c = s.charCodeAt(end - 1);
    if (c === 93) {
      const open = s.lastIndexOf('[', end - 2);
      const inside = end - open - 2;
      if (open < 0 || inside < 1 || inside > 20) break;
      for (let k = open + 1; k < end - 1; k++) {
        const d = s.charCodeAt(k);
        if (!(isDigit(d) || isLetter(d) || d === 32 || d === 46)) return end;
      }
      end = open;
    } else if (c === 42 || c === 0x2020 || c === 0x2021 || c === 0xa7) end--;
    else break;
    while (end > 0 && isGap(s.charCodeAt(end - 1))) end--;
  }
  return end;
}

/** Does `s` start like a number (a digit, or a sign and a digit)? Units and ordinals follow only those. */
export function startsLikeNumber(s: string): boolean {
  const c = s.charCodeAt(0);
  return isDigit(c) || ((c === 45 || c === 43 || c === 0x2212) && isDigit(s.charCodeAt(1)));
}

/** Could `s` carry marks or a unit? The cheap test before any splitting (text values fail it at once). */
export function mayBeMarked(s: string): boolean {
  const last = s.charCodeAt(s.length - 1);
  if (last === 93 || last === 42 || last === 0x2020 || last === 0x2021 || last === 0xa7) return true;
  return startsLikeNumber(s);
}

/**
 * Unit symbols accepted right after the digits (`100m`, `5kg`, `30°C`): a closed list, because an open one would
 * read identifiers (`4WD`, `3D`, `12A`, `1990s`) as quantities. The same symbols are accepted after a space.
 */
const SYMBOLS = new Set([
  '‰',
  '°',
  '°C',
  '°F',
  '℃',
  '℉',
  'm',
  'km',
  'cm',
  'mm',
  'nm',
  'µm',
  'μm',
  'mi',
  'ft',
  'in',
  'yd',
  'ha',
  'm²',
  'km²',
  'cm²',
  'ft²',
  'mi²',
  'm2',
  'km2',
  'cm2',
  'ft2',
  'mi2',
  'm³',
  'cm³',
  'm3',
  'cm3',
  'cc',
  'kg',
  'g',
  'mg',
  't',
  'lb',
  'lbs',
  'oz',
  'h',
  'hr',
  'hrs',
  'min',
  'mins',
  'sec',
  'ms',
  'l',
  'L',
  'ml',
  'mL',
  'W',
  'kW',
  'MW',
  'GW',
  'kWh',
  'MWh',
  'GWh',
  'hp',
  'bhp',
  'PS',
  'V',
  'kV',
  'Hz',
  'kHz',
  'MHz',
  'GHz',
  'kB',
  'KB',
  'MB',
  'GB',
  'TB',
  'km/h',
  'kph',
  'mph',
  'm/s',
  'kn',
  'pt',
  'pts',
  'yr',
  'yrs',
  'kcal',
  'cal',
  'nmi',
]);

/** One-letter words accepted after a space besides the symbols (`12 s`); other single letters are labels. */
const SPACED_LETTERS = new Set(['s']);

/**
 * Words that follow a number without being its unit: they make it a date or a time (`12 March`, `3 pm`,
 * `300 BC`), change its magnitude (`1.2 million`, `15 mil`, `3 bi`), or are a misread ordinal (`2 th`).
 * Compared in lower case, without a final full stop.
 */
const NOT_UNITS = new Set([
  'am',
  'pm',
  'bc',
  'bce',
  'ad',
  'ce',
  'ac',
  'dc',
  'thousand',
  'thousands',
  'million',
  'millions',
  'billion',
  'billions',
  'trillion',
  'trillions',
  'mil',
  'milhão',
  'milhao',
  'milhões',
  'milhoes',
  'bilhão',
  'bilhao',
  'bilhões',
  'bilhoes',
  'trilhão',
  'trilhao',
  'trilhões',
  'trilhoes',
  'mi',
  'bi',
  'tri',
  'mn',
  'mln',
  'bn',
  'mio',
  'mrd',
  'lakh',
  'crore',
  'st',
  'nd',
  'rd',
  'th',
]);

/** `sq mi`, `square km`: the only two-word units. */
const AREA_WORDS = new Set(['sq', 'square']);

/** One word of letters (inner `/` between letters, a final full stop allowed), 2–15 characters. */
function isWord(u: string, from: number, to: number): boolean {
  const n = to - from;
  if (n < 1 || n > 15) return false;
  let prev = 0;
  for (let i = from; i < to; i++) {
    const c = u.charCodeAt(i);
    if (isLetter(c)) prev = c;
    else if (c === 47 && i > from && i < to - 1 && isLetter(prev)) prev = c;
    else if (c === 46 && i === to - 1 && i > from) prev = c;
    else return false;
  }
  return true;
}

function wordIsUnit(w: string): boolean {
  if (SYMBOLS.has(w)) return true;
  const lower = (w.charCodeAt(w.length - 1) === 46 ? w.slice(0, -1) : w).toLowerCase();
  if (w.length === 1) return SPACED_LETTERS.has(w);
  return isWord(w, 0, w.length) && !NOT_UNITS.has(lower) && !isMonthName(lower);
}

/** Is `u` a unit after `<number>` (`spaced`: with a space between them)? */
function isUnit(u: string, spaced: boolean): boolean {
  if (!spaced) return SYMBOLS.has(u);
  const space = u.indexOf(' ');
  if (space < 0) return wordIsUnit(u);
  // Two words: only an area (`sq mi`).
  const first = u.slice(0, space).toLowerCase();
  const second = u.slice(space + 1);
  return AREA_WORDS.has(first) && second.indexOf(' ') < 0 && wordIsUnit(second);
}

/** The English ordinal suffix of `n` (`st` for 1, 21; `th` for 11–13). */
function ordinalSuffix(n: number): string {
  const t = n % 100;
  if (t >= 11 && t <= 13) return 'th';
  const u = n % 10;
  return u === 1 ? 'st' : u === 2 ? 'nd' : u === 3 ? 'rd' : 'th';
}

/** Where the number text of the last numberSuffix match ends (module state: no allocation per value). */
export let suffixAt = 0;

/**
 * `<number><unit>` (`17 years`, `2,345 m`, `5kg`), an ordinal (`3rd`, `21st`, `1º`, `2ª`, `4.`): returns the unit
 * (ORDINAL for ordinals) and sets `suffixAt` to the end of the number text, which is `s.slice(0, suffixAt)` and
 * still has to be read as a number by the caller. Null for anything else. `s` is trimmed, without footnote marks.
 */
export function numberSuffix(s: string): string | null {
  const n = s.length;
  let i = 0;
  const c0 = s.charCodeAt(0);
  if (c0 === 45 || c0 === 43 || c0 === 0x2212) i = 1;
  const from = i;
  let seps = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 44 || c === 46) seps++;
    else if (!isDigit(c)) break;
  }
  if (i === from || !isDigit(s.charCodeAt(from))) return null;
  const plainDigits = from === 0 && seps === 0 && i <= 9;
  if (i === n) {
    // `4.`: a position written the German way (other shapes made only of digits and separators are not ours).
    if (from === 0 && seps === 1 && s.charCodeAt(n - 1) === 46 && n <= 10) {
      suffixAt = n - 1;
      return ORDINAL;
    }
    return null;
  }
  const last = s.charCodeAt(i - 1);
  if (last === 44 || last === 46) return null; // `1. HNL`, `5, x`
  if (plainDigits) {
    if (n - i === 2 && s.slice(i).toLowerCase() === ordinalSuffix(Number(s.slice(0, i)))) {
      suffixAt = i;
      return ORDINAL;
    }
    const c = s.charCodeAt(i);
    if (n - i === 1 && (c === 0xba || c === 0xaa)) {
      suffixAt = i;
      return ORDINAL;
    }
  }
  let j = i;
  while (j < n && isGap(s.charCodeAt(j))) j++;
  const unit = j === i ? s.slice(i) : s.slice(j).replace(/[\s\u00a0]+/g, ' ');
  if (!isUnit(unit, j > i)) return null;
  suffixAt = i;
  return unit;
}

/**
 * Units compared within a column: case and a final full stop ignored, and a plural `s` (`1 year`, `17 years`;
 * `lbs`, `hrs`), but not in two-letter symbols (`ms` is not `m`).
 */
export function unitKey(unit: string): string {
  let k = unit.toLowerCase();
  if (k.charCodeAt(k.length - 1) === 46) k = k.slice(0, -1);
  if (k.length >= 3 && k.endsWith('s') && !k.endsWith('ss')) k = k.slice(0, -1);
  return k;
}

/**
 * Currency prefixes and `%` (`R$ 1.467,97`, `12,5%`): typed as numbers before units existed, so a column mixing two
 * of them keeps its number type (without a unit) instead of turning to text.
 */
export function isSoftUnit(unit: string): boolean {
  return unit === '%' || unit === 'R$' || unit === 'US$' || unit === '$' || unit === '€' || unit === '£';
}
