/**
 * Date and date-time parsing for type inference (types.ts): ISO, `dd/mm/yyyy` / `mm/dd/yyyy` with `/`, `-` or `.`,
 * optional times, and month names in English and Portuguese.
 */

const isDigit = (c: number) => c >= 48 && c <= 57;

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

export function validYmd(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1 || y < 1000 || y > 9999) return false;
  const days =
    m === 2
      ? y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)
        ? 29
        : 28
      : m === 4 || m === 6 || m === 9 || m === 11
        ? 30
        : 31;
  return d <= days;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

export interface ParsedDate {
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

/** `YYYY-MM-DD` exactly (the common case, checked without allocating). */
export function isIsoDate(s: string): boolean {
  if (s.length !== 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return false;
  const y = num(s, 0, 4);
  const m = num(s, 5, 7);
  const d = num(s, 8, 10);
  return y >= 0 && m >= 0 && d >= 0 && validYmd(y, m, d);
}

/** A month name or abbreviation in English or Portuguese, lower case (`march`, `mar`, `março`). */
export function isMonthName(word: string): boolean {
  return Object.hasOwn(MONTHS, word);
}
