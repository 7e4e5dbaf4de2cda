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
  canonical: number | bigint | string | undefined;
  /** The canonical value is an ISO date / date-time string (canonical only for that type). */
  isoDate: boolean;
  isoDatetime: boolean;
  /** For a canonical decimal: its number of decimals (the column must agree, see TableWriter). */
  frac?: number;
}

export function isNullToken(raw: string): boolean {
  const n = raw.length;
  if (n === 0) return true;
  if (n === 4) {
    const c = raw.charCodeAt(0) | 0x20;
    return c === 110 && raw.toLowerCase() === 'null';
  }
  if (n > 6) return false;
  return raw.trim().length === 0 || raw.trim().toLowerCase() === 'null';
}

const isDigit = (c: number) => c >= 48 && c <= 57;

const RESULT_TEXT: Classified = {
  mask: 0,
  time: false,
  canonical: undefined,
  isoDate: false,
  isoDatetime: false,
};

/**
 * Classifies `raw` (non-null), testing only the families still possible in `want` (the column's mask): once a
 * column is known to be text, nothing is tested any more.
 */
export function classify(raw: string, want: number): Classified {
  let s = raw;
  let c0 = s.charCodeAt(0);
  if (c0 === 32 || c0 === 9 || s.charCodeAt(s.length - 1) === 32) {
    s = s.trim();
    if (s.length === 0) return RESULT_TEXT;
    c0 = s.charCodeAt(0);
  }
  if (want & NUMERIC) {
    const num = classifyNumber(s);
    if (num !== null) {
      // A plain number can also never be a date or boolean in our grammar: done.
      return num;
    }
  }
  if (want & DATES) {
    const d = classifyDate(s);
    if (d !== null) return d;
  }
  if (want & BOOL && s.length <= 10 && BOOLEANS.has(s.toLowerCase())) {
    return { mask: BOOL, time: false, canonical: undefined, isoDate: false, isoDatetime: false };
  }
  return RESULT_TEXT;
}

// ---------------------------------------------------------------- numbers

const TRUE_WORDS = ['true', 'yes', 'sim', 'verdadeiro'];
const FALSE_WORDS = ['false', 'no', 'não', 'nao', 'falso'];
const BOOLEANS = new Set([...TRUE_WORDS, ...FALSE_WORDS]);
const TRUE_SET = new Set(TRUE_WORDS);

/** Strips `R$`, `US$`, `$`, `€` prefixes and a `%` suffix; returns [body, negative] or null when not number-like. */
function numberBody(s: string): { body: string; neg: boolean } | null {
  let start = 0;
  let end = s.length;
  let neg = false;
  let c = s.charCodeAt(0);
  if (c === 45 || c === 43) {
    neg = c === 45;
    start++;
    c = s.charCodeAt(start);
  }
  if (!isDigit(c)) {
    // Currency prefix: R$ / US$ / $ / € (optionally followed by spaces and a sign).
    if (c === 82 && s.charCodeAt(start + 1) === 36) start += 2;
    else if (c === 85 && s.charCodeAt(start + 1) === 83 && s.charCodeAt(start + 2) === 36) start += 3;
    else if (c === 36 || c === 0x20ac) start += 1;
    else if (c !== 46) return null;
    while (s.charCodeAt(start) === 32 || s.charCodeAt(start) === 0xa0) start++;
    c = s.charCodeAt(start);
    if (c === 45 && !neg) {
      neg = true;
      start++;
    }
  }
  if (s.charCodeAt(end - 1) === 37) {
    end--;
    while (s.charCodeAt(end - 1) === 32 || s.charCodeAt(end - 1) === 0xa0) end--;
  }
  if (start >= end) return null;
  return { body: start === 0 && end === s.length ? s : s.slice(start, end), neg };
}

/** Are the groups between separators `1-3 digits` then `3 digits` each (thousands grouping)? */
function validGrouping(intPart: string, sep: number): boolean {
  let group = 0;
  let first = true;
  for (let i = 0; i < intPart.length; i++) {
    const c = intPart.charCodeAt(i);
    if (c === sep) {
      if (first ? group < 1 || group > 3 : group !== 3) return false;
      first = false;
      group = 0;
    } else group++;
  }
  return !first && group === 3;
}

function classifyNumber(s: string): Classified | null {
  const parts = numberBody(s);
  if (!parts) return null;
  const { body, neg } = parts;
  const plain = body === s || (neg && body.length === s.length - 1 && s.charCodeAt(0) === 45);
  let dots = 0;
  let commas = 0;
  let lastDot = -1;
  let lastComma = -1;
  let digits = 0;
  const n = body.length;
  for (let i = 0; i < n; i++) {
    const c = body.charCodeAt(i);
    if (isDigit(c)) digits++;
    else if (c === 46) {
      dots++;
      lastDot = i;
    } else if (c === 44) {
      commas++;
      lastComma = i;
    } else if ((c === 101 || c === 69) && i > 0) {
      return classifyScientific(s);
    } else return null;
  }
  if (digits === 0) return null;
  // Leading zeros mark identifiers (`00501`): text. `0`, `0.5`, `0,5` are numbers.
  if (body.charCodeAt(0) === 48 && n > 1 && isDigit(body.charCodeAt(1))) return null;
  if (body.charCodeAt(0) === 44) return null;
  let mask = 0;
  if (dots === 0 && commas === 0) {
    // Plain integer. More than 18 digits does not fit SQLite's 64-bit integers: an identifier, keep as text.
    if (digits > 18) return null;
    mask = NUM_EN | NUM_BR | INT_EN | INT_BR;
    // Integers are bound as BigInt: better-sqlite3 binds every JS number as a REAL.
    const canonical = digits <= 15 && plain ? BigInt(Number(s)) : undefined;
    return { mask, time: false, canonical, isoDate: false, isoDatetime: false };
  }
  // en reading: commas only as thousands separators before an optional single decimal dot.
  if (dots <= 1 && (commas === 0 || lastComma < (lastDot === -1 ? n : lastDot))) {
    const intPart = lastDot === -1 ? body : body.slice(0, lastDot);
    if (commas === 0 || validGrouping(intPart, 44)) {
      if (lastDot !== n - 1 || dots === 0) {
        mask |= NUM_EN;
        if (dots === 0) mask |= INT_EN;
      }
    }
  }
  // pt-BR reading: dots only as thousands separators before an optional single decimal comma.
  if (commas <= 1 && (dots === 0 || lastDot < (lastComma === -1 ? n : lastComma))) {
    const intPart = lastComma === -1 ? body : body.slice(0, lastComma);
    if (dots === 0 || validGrouping(intPart, 46)) {
      if (lastComma !== n - 1 || commas === 0) {
        mask |= NUM_BR;
        if (commas === 0) mask |= INT_BR;
      }
    }
  }
  if (mask === 0) return null;
  let canonical: number | undefined;
  let frac = -1;
  // Stored at once only when there is one reading and the text can be restored exactly from the number and the
  // count of decimals (`1234.50` ↔ 1234.5 with 2 decimals; at most 15 significant digits so doubles are exact).
  if (plain && mask === NUM_EN && commas === 0 && dots === 1 && n <= 16) {
    const v = Number(s);
    if (v !== 0 || !neg) {
      canonical = v;
      frac = n - lastDot - 1;
    }
  }
  return { mask, time: false, canonical, isoDate: false, isoDatetime: false, frac };
}

function classifyScientific(s: string): Classified | null {
  if (!/^[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d{1,3}$/.test(s)) return null;
  return { mask: NUM_EN, time: false, canonical: undefined, isoDate: false, isoDatetime: false };
}

/** Converts a value admitted as a number under `locale` (see classifyNumber). */
export function toNumber(raw: string, locale: Locale, integer: boolean): number | bigint | null {
  const s = raw.trim();
  const parts = numberBody(s);
  if (!parts) return null;
  let body = parts.body;
  if (locale === 'en') body = body.replace(/,/g, '');
  else body = body.replace(/\./g, '').replace(',', '.');
  if (integer) {
    // BigInt so that SQLite stores an INTEGER (a JS number would be bound as REAL).
    const digits = body.replace(/\.0*$/, '');
    const big = digits.length > 15 ? BigInt(digits) : BigInt(Number(digits));
    return parts.neg ? -big : big;
  }
  const v = Number(body);
  if (!Number.isFinite(v)) return null;
  return parts.neg ? -v : v;
}

// ---------------------------------------------------------------- dates

const MONTHS: Record<string, number> = {
  jan: 1,
  january: 1,
  janeiro: 1,
  feb: 2,
  february: 2,
  fev: 2,
  fevereiro: 2,
  mar: 3,
  march: 3,
  marco: 3,
  março: 3,
  apr: 4,
  april: 4,
  abr: 4,
  abril: 4,
  may: 5,
  mai: 5,
  maio: 5,
  jun: 6,
  june: 6,
  junho: 6,
  jul: 7,
  july: 7,
  julho: 7,
  aug: 8,
  august: 8,
  ago: 8,
  agosto: 8,
  sep: 9,
  sept: 9,
  september: 9,
  set: 9,
  setembro: 9,
  oct: 10,
  october: 10,
  out: 10,
  outubro: 10,
  nov: 11,
  november: 11,
  novembro: 11,
  dec: 12,
  december: 12,
  dez: 12,
  dezembro: 12,
};

function validYmd(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1 || y < 1000 || y > 9999) return false;
  const days =
    m === 2
      ? y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)
        ? 29
        : 28
      : [4, 6, 9, 11].includes(m)
        ? 30
        : 31;
  return d <= days;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

interface ParsedDate {
  /** ISO date for day-first and month-first readings; null when that reading is impossible. */
  dmy: string | null;
  mdy: string | null;
  /** `HH:MM:SS` or null. */
  time: string | null;
  /** Already in the stored form. */
  iso: boolean;
}

/** Reads a time suffix `HH:MM[:SS[.fff]]` (with optional `Z`); returns `HH:MM:SS` or null. */
function parseTime(t: string): string | null {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d{1,9})?)?\s*(?:Z|UTC)?$/i.exec(t);
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  const sec = m[3] === undefined ? 0 : Number(m[3]);
  if (h > 23 || min > 59 || sec > 59) return null;
  return `${pad2(h)}:${pad2(min)}:${pad2(sec)}`;
}

function num(s: string, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
  }
  return to > from ? v : -1;
}

export function parseDate(s: string): ParsedDate | null {
  const n = s.length;
  if (n < 8 || n > 40) return null;
  const c0 = s.charCodeAt(0);
  if (isDigit(c0)) {
    // YYYY-MM-DD or YYYY/MM/DD, optionally with a time.
    const c4 = s.charCodeAt(4);
    if ((c4 === 45 || c4 === 47) && isDigit(s.charCodeAt(3))) {
      const y = num(s, 0, 4);
      const sep2 = s.indexOf(String.fromCharCode(c4), 5);
      if (sep2 < 6 || sep2 > 7) return null;
      const m = num(s, 5, sep2);
      let endDay = sep2 + 1;
      while (endDay < n && isDigit(s.charCodeAt(endDay))) endDay++;
      if (endDay - sep2 - 1 < 1 || endDay - sep2 - 1 > 2) return null;
      const d = num(s, sep2 + 1, endDay);
      if (!validYmd(y, m, d)) return null;
      const date = `${y}-${pad2(m)}-${pad2(d)}`;
      let time: string | null = null;
      if (endDay < n) {
        const sep = s.charCodeAt(endDay);
        if (sep !== 32 && sep !== 84) return null;
        time = parseTime(s.slice(endDay + 1).trim());
        if (!time) return null;
      }
      const iso = time ? s === `${date} ${time}` : s === date;
      return { dmy: date, mdy: date, time, iso };
    }
    // D/M/YYYY or M/D/YYYY with `/`, `-` or `.` separators, optionally with a time.
    let i = 0;
    while (i < n && isDigit(s.charCodeAt(i))) i++;
    if (i < 1 || i > 2) return null;
    const sep = s.charCodeAt(i);
    if (sep !== 47 && sep !== 45 && sep !== 46) return null;
    const a = num(s, 0, i);
    let k = i + 1;
    while (k < n && isDigit(s.charCodeAt(k))) k++;
    if (k - i - 1 < 1 || k - i - 1 > 2 || s.charCodeAt(k) !== sep) return null;
    const b = num(s, i + 1, k);
    let e = k + 1;
    while (e < n && isDigit(s.charCodeAt(e))) e++;
    if (e - k - 1 !== 4) return null;
    const y = num(s, k + 1, e);
    let time: string | null = null;
    if (e < n) {
      const ts = s.charCodeAt(e);
      if (ts !== 32 && ts !== 84) return null;
      time = parseTime(s.slice(e + 1).trim());
      if (!time) return null;
    }
    const dmy = validYmd(y, b, a) ? `${y}-${pad2(b)}-${pad2(a)}` : null;
    const mdy = validYmd(y, a, b) ? `${y}-${pad2(a)}-${pad2(b)}` : null;
    if (!dmy && !mdy) return null;
    return { dmy, mdy, time, iso: false };
  }
  // Month names (`Jan 1 2000`) are read by parseNamedDate.
  return null;
}

// `Jan 1 2000`, `January 1, 2000`, `1 Jan 2000`, `01-Jan-2000`, `1 de janeiro de 2000`.

const NAMED_A = /^([A-Za-zçÇ]{3,9})\.? (\d{1,2}),? (\d{4})(?:,? (.+))?$/;
const NAMED_B = /^(\d{1,2})(?: de |[ -])([A-Za-zçÇ]{3,9})\.?(?: de |[ -])(\d{4})(?: (.+))?$/;

export function parseNamedDate(s: string): ParsedDate | null {
  if (s.length < 8 || s.length > 40) return null;
  let month: number | undefined;
  let day: number;
  let year: number;
  let rest: string | undefined;
  let m = NAMED_A.exec(s);
  if (m) {
    month = MONTHS[m[1]!.toLowerCase()];
    day = Number(m[2]);
    year = Number(m[3]);
    rest = m[4];
  } else {
    m = NAMED_B.exec(s);
    if (!m) return null;
    month = MONTHS[m[2]!.toLowerCase()];
    day = Number(m[1]);
    year = Number(m[3]);
    rest = m[4];
  }
  if (month === undefined || !validYmd(year, month, day)) return null;
  let time: string | null = null;
  if (rest !== undefined) {
    time = parseTime(rest.trim());
    if (!time) return null;
  }
  const date = `${year}-${pad2(month)}-${pad2(day)}`;
  return { dmy: date, mdy: date, time, iso: false };
}

function classifyDate(s: string): Classified | null {
  const c0 = s.charCodeAt(0);
  const p = isDigit(c0) ? (parseDate(s) ?? parseNamedDate(s)) : parseNamedDate(s);
  if (!p) return null;
  const mask = (p.dmy ? DATE_DMY : 0) | (p.mdy ? DATE_MDY : 0);
  const canonical = p.iso ? s : undefined;
  return {
    mask,
    time: p.time !== null,
    canonical,
    isoDate: p.iso && p.time === null,
    isoDatetime: p.iso && p.time !== null,
  };
}

// ---------------------------------------------------------------- column decision

export interface ColumnDecision {
  type: ColumnType;
  locale: Locale;
  dateOrder: 'dmy' | 'mdy';
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
      const s = raw.trim();
      const p = isDigit(s.charCodeAt(0)) ? (parseDate(s) ?? parseNamedDate(s)) : parseNamedDate(s);
      if (!p) return raw;
      const date = d.dateOrder === 'dmy' ? p.dmy : p.mdy;
      if (!date) return raw;
      return d.type === 'date' ? date : `${date} ${p.time ?? '00:00:00'}`;
    }
    case 'boolean':
      return TRUE_SET.has(raw.trim().toLowerCase()) ? 1n : 0n;
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
