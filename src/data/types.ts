/**
 * Type inference and conversion per the contract (ARCHITECTURE.md, "Naming and types of imported data").
 *
 * Every non-null value yields a bit mask of the interpretations it admits; a column's mask is the AND over all
 * its values, so the type is decided by the whole column, not by the first rows. Ambiguity is kept as bits until
 * the end: `1.234` is both 1.234 (en) and 1234 (pt-BR), `01/02/2023` is both 1 Feb and 2 Jan; the file's number
 * locale and the dd/mm default settle what is still open when the last row has been seen.
 *
 * Hand-written scanners instead of regular expressions on the hot path: 8 million values per benchmark file.
 */
import type { ColumnType } from './catalog-types.js';
import { isIsoDate, parseDate, parseNamedDate } from './dates.js';
import { footnoteEnd, mayBeMarked, numberSuffix, startsLikeNumber, suffixAt } from './units.js';

export { parseDate, parseNamedDate } from './dates.js';

/** Parses as a number with `.` decimals (`1,234.56`). */
export const NUM_EN = 1;
/** Parses as a number with `,` decimals (`1.234,56`). */
export const NUM_BR = 2;
/** Integral under the en reading. */
export const INT_EN = 4;
/** Integral under the pt-BR reading. */
export const INT_BR = 8;
/** A date or date-time readable with day before month (or unambiguous: ISO, month names). */
export const DATE_DMY = 16;
/** … with month before day. */
export const DATE_MDY = 32;
export const BOOL = 64;

export const ALL_TYPES = NUM_EN | NUM_BR | INT_EN | INT_BR | DATE_DMY | DATE_MDY | BOOL;
const NUMERIC = NUM_EN | NUM_BR;
const DATES = DATE_DMY | DATE_MDY;

export type Locale = 'en' | 'br';

/** Result of classifying one value: admissible interpretations, plus extra facts the column needs. */
export interface Classified {
  mask: number;
  /** The value has a time part (`31/12/2023 18:05`). */
  time: boolean;
  /**
   * The value to store right away, when it is the same under every interpretation it admits and converts back to
   * exactly the original text (so it can be turned back into text if the column ends up text): plain integers,
   * unambiguous decimals, ISO dates. `undefined` when the raw text must be stored and converted at the end.
   */
  canonical: number | string | undefined;
  /** The canonical value is an ISO date / date-time string (canonical only for that type). */
  isoDate: boolean;
  isoDatetime: boolean;
  /** For a canonical number: its number of decimals, 0 for an integer (a column's decimals must agree). */
  frac: number;
  /**
   * For a number: what was written around it, '' for nothing: a currency prefix (`R$`, `US$`, `$`, `€`, `£`), `%`,
   * a unit (`years`, `m`) or ORDINAL (units.ts). A column's units must agree (RowBuilder).
   */
  unit: string;
  /** Typed only once footnote marks, a unit or an ordinal suffix were set aside (`12[3]`, `17 years`, `3rd`). */
  marked: boolean;
}

/** Is `c` a character String.prototype.trim removes (WhiteSpace or LineTerminator)? */
export function isTrimmable(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 160) return false;
  return (
    c === 160 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

export function isNullToken(raw: string): boolean {
  const n = raw.length;
  if (n === 0) return true;
  if (n === 4) {
    const c = raw.charCodeAt(0) | 0x20;
    return c === 110 && raw.toLowerCase() === 'null';
  }
  if (n > 6) return false;
  // Nothing to trim (the common case): not blank, and not `null` (4 characters, above).
  if (!isTrimmable(raw.charCodeAt(0)) && !isTrimmable(raw.charCodeAt(n - 1))) return false;
  return raw.trim().length === 0 || raw.trim().toLowerCase() === 'null';
}

const isDigit = (c: number) => c >= 48 && c <= 57;

/**
 * The one result object classify fills and returns (no allocation per value: 8 million values per benchmark file).
 * Read it before the next call.
 */
const R: Classified = {
  mask: 0,
  time: false,
  canonical: undefined,
  isoDate: false,
  isoDatetime: false,
  frac: -1,
  unit: '',
  marked: false,
};

function result(
  mask: number,
  canonical: number | string | undefined,
  frac = -1,
  time = false,
  isoDate = false,
  isoDatetime = false,
): Classified {
  R.mask = mask;
  R.time = time;
  R.canonical = canonical;
  R.isoDate = isoDate;
  R.isoDatetime = isoDatetime;
  R.frac = frac;
  R.unit = '';
  R.marked = false;
  return R;
}

/**
 * Classifies `raw` (non-null), testing only the families still possible in `want` (the column's mask): once a
 * column is known to be text, nothing is tested any more.
 */
export function classify(raw: string, want: number): Classified {
  let s = raw;
  let c0 = s.charCodeAt(0);
  if (c0 === 32 || c0 === 9 || s.charCodeAt(s.length - 1) === 32) {
    s = s.trim();
    if (s.length === 0) return result(0, undefined);
    c0 = s.charCodeAt(0);
  }
  if (want & NUMERIC) {
    // Fast path for the common shapes: unsigned digits with at most one inner `.` (`42`, `1234.56`), no leading
    // zero, at most 16 characters. Same results as classifyNumber; anything else (including the `1.234` readable
    // both ways) goes there.
    const n = s.length;
    if (n <= 16 && c0 >= 48 && c0 <= 57 && !(c0 === 48 && n > 1 && isDigit(s.charCodeAt(1)))) {
      let value = 0;
      let dot = -1;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 48 && c <= 57) value = value * 10 + (c - 48);
        else if (c === 46 && dot === -1) dot = i;
        else break;
      }
      if (i === n) {
        if (dot === -1) return result(NUM_EN | NUM_BR | INT_EN | INT_BR, n <= 15 ? value : undefined, 0);
        const frac = n - dot - 1;
        if (frac > 0 && !(dot <= 3 && frac === 3)) return result(NUM_EN, value / POW10[frac]!, frac);
      }
    }
    const num = classifyNumber(s);
    if (num !== null) {
      // A plain number can also never be a date or boolean in our grammar: done.
      num.unit = bodyUnit;
      return num;
    }
  }
  if (want & DATES) {
    const d = classifyDate(s);
    if (d !== null) return d;
  }
  if (want & BOOL && s.length <= 10 && BOOLEANS.has(s.toLowerCase())) {
    return result(BOOL, undefined);
  }
  return classifyMarked(s, want);
}

/**
 * The values that are not plain numbers, dates or booleans, tried last so the common shapes pay nothing: footnote
 * marks set aside (`12[3]`, `2008†`, `11/26/1985*`), then a number with a unit or an ordinal (`17 years`, `3rd`).
 * Stored as raw text (no canonical value), so the original prints back if the column ends up text.
 */
function classifyMarked(s: string, want: number): Classified {
  if (!mayBeMarked(s)) return result(0, undefined);
  const end = footnoteEnd(s);
  if (end < s.length) {
    if (end === 0) return result(0, undefined);
    // What the marks follow, classified whole (units included: `12.5 kg[2]`); it has no marks left to strip.
    const r = classify(s.slice(0, end), want);
    return r.mask !== 0 ? marked(r, r.unit) : r;
  }
  if (want & NUMERIC && startsLikeNumber(s)) {
    const unit = numberSuffix(s);
    if (unit !== null) {
      const num = classifyNumber(s.slice(0, suffixAt));
      if (num !== null) return marked(num, unit);
    }
  }
  return result(0, undefined);
}

function marked(r: Classified, unit: string): Classified {
  r.canonical = undefined;
  r.isoDate = false;
  r.isoDatetime = false;
  r.frac = -1;
  r.unit = unit;
  r.marked = true;
  return r;
}

// ---------------------------------------------------------------- numbers

const TRUE_WORDS = ['true', 'yes', 'sim', 'verdadeiro'];
const FALSE_WORDS = ['false', 'no', 'não', 'nao', 'falso'];
const BOOLEANS = new Set([...TRUE_WORDS, ...FALSE_WORDS]);
const TRUE_SET = new Set(TRUE_WORDS);

/** Bounds of the number body found by numberBody (module state: no allocation per value). */
let bodyStart = 0;
let bodyEnd = 0;
let bodyNeg = false;
/** The currency prefix or `%` numberBody set aside ('' for none; '' too for both at once). */
let bodyUnit = '';

/** `-`, and the minus sign U+2212 that Wikipedia and typeset tables use (`−7`). */
const isMinus = (c: number) => c === 45 || c === 0x2212;

/**
 * Strips `R$`, `US$`, `$`, `€`, `£` prefixes and a `%` suffix: sets bodyStart/bodyEnd/bodyNeg/bodyUnit; false when
 * not number-like.
 */
function numberBody(s: string): boolean {
  let start = 0;
  let end = s.length;
  let neg = false;
  let unit = '';
  let c = s.charCodeAt(0);
  if (isMinus(c) || c === 43) {
    neg = c !== 43;
    start++;
    c = s.charCodeAt(start);
  }
  if (!isDigit(c)) {
    // Currency prefix: R$ / US$ / $ / € / £ (optionally followed by spaces and a sign).
    if (c === 82 && s.charCodeAt(start + 1) === 36) {
      start += 2;
      unit = 'R$';
    } else if (c === 85 && s.charCodeAt(start + 1) === 83 && s.charCodeAt(start + 2) === 36) {
      start += 3;
      unit = 'US$';
    } else if (c === 36 || c === 0x20ac || c === 0xa3) {
      start += 1;
      unit = c === 36 ? '$' : c === 0xa3 ? '£' : '€';
    } else if (c !== 46) return false;
    while (s.charCodeAt(start) === 32 || s.charCodeAt(start) === 0xa0) start++;
    c = s.charCodeAt(start);
    if (isMinus(c) && !neg) {
      neg = true;
      start++;
    }
  }
  if (s.charCodeAt(end - 1) === 37) {
    end--;
    while (s.charCodeAt(end - 1) === 32 || s.charCodeAt(end - 1) === 0xa0) end--;
    unit = unit === '' ? '%' : '';
  }
  if (start >= end) return false;
  bodyStart = start;
  bodyEnd = end;
  bodyNeg = neg;
  bodyUnit = unit;
  return true;
}

/** Are the groups between separators `1-3 digits` then `3 digits` each (thousands grouping)? */
function validGrouping(s: string, from: number, to: number, sep: number): boolean {
  let group = 0;
  let first = true;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === sep) {
      if (first ? group < 1 || group > 3 : group !== 3) return false;
      first = false;
      group = 0;
    } else group++;
  }
  return !first && group === 3;
}

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

function classifyNumber(s: string): Classified | null {
  if (!numberBody(s)) return null;
  const start = bodyStart;
  const end = bodyEnd;
  const neg = bodyNeg;
  // `−7` (U+2212) is not plain: it is stored as text and converted, so it prints back as written.
  const plain = end === s.length && (start === 0 || (neg && start === 1 && s.charCodeAt(0) === 45));
  let dots = 0;
  let commas = 0;
  let lastDot = -1;
  let lastComma = -1;
  let digits = 0;
  // The digits as one integer (exact up to 15 digits): the canonical value without parsing the text again.
  let value = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      digits++;
      value = value * 10 + (c - 48);
    } else if (c === 46) {
      dots++;
      lastDot = i;
    } else if (c === 44) {
      commas++;
      lastComma = i;
    } else if ((c === 101 || c === 69) && i > start) {
      return classifyScientific(s);
    } else return null;
  }
  if (digits === 0) return null;
  const c0 = s.charCodeAt(start);
  // Leading zeros mark identifiers (`00501`): text. `0`, `0.5`, `0,5` are numbers.
  if (c0 === 48 && end - start > 1 && isDigit(s.charCodeAt(start + 1))) return null;
  if (c0 === 44) return null;
  let mask = 0;
  if (dots === 0 && commas === 0) {
    // Plain integer. More than 18 digits does not fit SQLite's 64-bit integers: an identifier, keep as text.
    if (digits > 18) return null;
    // frac 0 marks an integer (stored as SQLite INTEGER, see RowBuilder).
    return result(
      NUM_EN | NUM_BR | INT_EN | INT_BR,
      digits <= 15 && plain && !(neg && value === 0) ? (neg ? -value : value) : undefined,
      0,
    );
  }
  // en reading: commas only as thousands separators before an optional single decimal dot.
  if (dots <= 1 && (commas === 0 || lastComma < (lastDot === -1 ? end : lastDot))) {
    if (commas === 0 || validGrouping(s, start, lastDot === -1 ? end : lastDot, 44)) {
      if (lastDot !== end - 1 || dots === 0) {
        mask |= NUM_EN;
        if (dots === 0) mask |= INT_EN;
      }
    }
  }
  // pt-BR reading: dots only as thousands separators before an optional single decimal comma.
  if (commas <= 1 && (dots === 0 || lastDot < (lastComma === -1 ? end : lastComma))) {
    if (dots === 0 || validGrouping(s, start, lastComma === -1 ? end : lastComma, 46)) {
      if (lastComma !== end - 1 || commas === 0) {
        mask |= NUM_BR;
        if (commas === 0) mask |= INT_BR;
      }
    }
  }
  if (mask === 0) return null;
  // Stored at once only when there is one reading and the text can be restored exactly from the number and the
  // count of decimals (`1234.50` ↔ 1234.5 with 2 decimals; at most 15 significant digits so doubles are exact).
  if (plain && mask === NUM_EN && commas === 0 && dots === 1 && end - start <= 16) {
    // digits ≤ 15 and one IEEE division of exact integers: the correctly rounded value, as Number(s) gives.
    const frac = end - lastDot - 1;
    const v = value / POW10[frac]!;
    if (v !== 0 || !neg) return result(mask, neg ? -v : v, frac);
  }
  return result(mask, undefined);
}

function classifyScientific(s: string): Classified | null {
  if (!/^[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d{1,3}$/.test(s)) return null;
  return result(NUM_EN, undefined);
}

/** The text left for typing once footnote marks are set aside (`12[3]` → `12`, `2008†` → `2008`). */
function unmarked(raw: string): string {
  const s = raw.trim();
  const end = footnoteEnd(s);
  return end < s.length ? s.slice(0, end) : s;
}

/** The number's own text: without footnote marks, unit or ordinal suffix (`17 years` → `17`, `3rd` → `3`). */
function numberText(raw: string): string {
  const s = unmarked(raw);
  // Most values converted here are plain (`1.234,56`, `12,5%`): ending in `%`, or in a digit after a digit, they
  // have no unit to look for (`km2` ends in a digit after a letter).
  const last = s.charCodeAt(s.length - 1);
  if (last === 37 || (isDigit(last) && isDigit(s.charCodeAt(s.length - 2)))) return s;
  return startsLikeNumber(s) && numberSuffix(s) !== null ? s.slice(0, suffixAt) : s;
}

/** Converts a value admitted as a number under `locale` (see classifyNumber and classifyMarked). */
export function toNumber(raw: string, locale: Locale, integer: boolean): number | bigint | null {
  const s = numberText(raw);
  if (!numberBody(s)) return null;
  const neg = bodyNeg;
  let body = s.slice(bodyStart, bodyEnd);
  if (locale === 'en') body = body.replace(/,/g, '');
  else body = body.replace(/\./g, '').replace(',', '.');
  if (integer) {
    // BigInt so that SQLite stores an INTEGER (a JS number would be bound as REAL).
    const digits = body.replace(/\.0*$/, '');
    const big = digits.length > 15 ? BigInt(digits) : BigInt(Number(digits));
    return neg ? -big : big;
  }
  const v = Number(body);
  if (!Number.isFinite(v)) return null;
  return neg ? -v : v;
}

// ---------------------------------------------------------------- dates (parsing in dates.ts)

function classifyDate(s: string): Classified | null {
  if (isIsoDate(s)) return result(DATE_DMY | DATE_MDY, s, -1, false, true, false);
  const c0 = s.charCodeAt(0);
  const p = isDigit(c0) ? (parseDate(s) ?? parseNamedDate(s)) : parseNamedDate(s);
  if (!p) return null;
  const mask = (p.dmy ? DATE_DMY : 0) | (p.mdy ? DATE_MDY : 0);
  const time = p.time !== null;
  return result(mask, p.iso ? s : undefined, -1, time, p.iso && !time, p.iso && time);
}

// ---------------------------------------------------------------- column decision

export interface ColumnDecision {
  type: ColumnType;
  locale: Locale;
  dateOrder: 'dmy' | 'mdy';
}

/**
 * The number locale of a file from its values readable only one way (`ev`), e.g. `1.5` (en) or `1,5` (br).
 * The delimiter decides a tie: `;`-separated files are Brazilian, `,`-separated ones English (a Brazilian decimal
 * comma has to be quoted in a comma-separated file, so spreadsheets export `;`). Against the delimiter it takes
 * two such values, not one: a single typo (`1,1024` among `11,306` and `3,373`) must not turn every thousands
 * separator of the file into a decimal comma.
 */
export function fileNumberLocale(ev: { en: number; br: number }, delimiter: string | null): Locale {
  const byDelimiter: Locale = delimiter === ';' ? 'br' : 'en';
  const other: Locale = byDelimiter === 'br' ? 'en' : 'br';
  const against = ev[other];
  const along = ev[byDelimiter];
  return against > along && against >= 2 ? other : byDelimiter;
}

/** The final type of a column from its mask; `fileLocale` settles numbers readable both ways. */
export function decideType(
  mask: number,
  sawTime: boolean,
  nonNull: number,
  fileLocale: Locale,
): ColumnDecision {
  const none: ColumnDecision = { type: 'text', locale: fileLocale, dateOrder: 'dmy' };
  if (nonNull === 0) return none;
  if (mask & NUMERIC) {
    const locale: Locale = mask & NUM_EN && mask & NUM_BR ? fileLocale : mask & NUM_EN ? 'en' : 'br';
    const integral = locale === 'en' ? mask & INT_EN : mask & INT_BR;
    return { type: integral ? 'integer' : 'real', locale, dateOrder: 'dmy' };
  }
  if (mask & DATES) {
    return {
      type: sawTime ? 'datetime' : 'date',
      locale: fileLocale,
      dateOrder: mask & DATE_DMY ? 'dmy' : 'mdy',
    };
  }
  if (mask & BOOL) return { type: 'boolean', locale: fileLocale, dateOrder: 'dmy' };
  return none;
}

/** The value to store for `raw` in a column decided as `d` (raw must have been admitted by the column's mask). */
export function convert(raw: string, d: ColumnDecision): number | bigint | string | null {
  switch (d.type) {
    case 'integer':
    case 'real':
      return toNumber(raw, d.locale, d.type === 'integer');
    case 'date':
    case 'datetime': {
      const s = unmarked(raw);
      const p = isDigit(s.charCodeAt(0)) ? (parseDate(s) ?? parseNamedDate(s)) : parseNamedDate(s);
      if (!p) return raw;
      const date = d.dateOrder === 'dmy' ? p.dmy : p.mdy;
      if (!date) return raw;
      return d.type === 'date' ? date : `${date} ${p.time ?? '00:00:00'}`;
    }
    case 'boolean':
      return TRUE_SET.has(unmarked(raw).toLowerCase()) ? 1n : 0n;
    default:
      return raw;
  }
}

/** What a family of types is called in warnings. */
export function describeMask(mask: number): string {
  if (mask & NUMERIC) return 'a number';
  if (mask & DATES) return 'a date';
  if (mask & BOOL) return 'a true/false value';
  return 'text';
}

/** The SQL declared type for a column type (dates keep ISO text; DATE/DATETIME names tell readers what it is). */
export function sqlType(type: ColumnType): string {
  switch (type) {
    case 'integer':
      return 'INTEGER';
    case 'real':
      return 'REAL';
    case 'date':
      return 'DATE';
    case 'datetime':
      return 'DATETIME';
    case 'boolean':
      return 'BOOLEAN';
    default:
      return 'TEXT';
  }
}
