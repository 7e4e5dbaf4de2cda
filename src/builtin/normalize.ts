/**
 * Text normalization shared by questions and catalog entries: accents and case are folded the same way on both
 * sides (as the naming contract does for column names), so "Preço Médio", "preco_medio" and "preço medio"
 * meet. Numbers are read in both conventions ("1.234,56", "1,234.56", "12,5").
 */
import { EN_MARKERS, type Lang, MULTIPLIERS, NUMBER_WORDS, PT_MARKERS, stem } from './lexicon.js';

/** NFKD, combining marks removed, lower case: `Preço` → `preco`. */
export function fold(text: string): string {
  let folded = folds.get(text);
  if (folded === undefined) {
    folded = text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
    // Cells and words repeat: a bounded memo (cleared when full) keeps folding off the hot path.
    if (folds.size >= MAX_MEMO) folds.clear();
    folds.set(text, folded);
  }
  return folded;
}

const MAX_MEMO = 50_000;
const folds = new Map<string, string>();

export interface Token {
  /** Position in the question's token list. */
  index: number;
  /** As typed (accents and case kept) — short codes like "SP" are only values when typed in capitals. */
  raw: string;
  /** Folded. */
  norm: string;
  stem: string;
  /** Set for numerals ("20", "1.234,56", "12,5%") and number words ("três", "five"). */
  num?: number;
  /** The numeral was written with digits (years must be). */
  digits?: boolean;
  /** Raw text started with a capital letter (and is not the question's first word). */
  capitalized: boolean;
  /** Written with a possessive 's ("winner's"). */
  possessive?: boolean;
  /** Inside double quotes: the name of something, never a keyword or a function word. */
  quoted?: boolean;
  /** A time written with colons ("4:10", "2:13:09"); `num` holds it in seconds. */
  time?: boolean;
  /** The suffix of an ordinal written against its numeral: "rd" of "3rd", "º" (folded "o") of "3º". */
  ordinal?: boolean;
}

/** Suffixes of ordinals, folded: English "1st 2nd 3rd 4th", Portuguese "1º 1ª" (NFKD folds º/ª to o/a). */
export const ORDINAL_SUFFIXES: ReadonlySet<string> = new Set(['st', 'nd', 'rd', 'th', 'o', 'a']);

const TOKEN_RE = /\d+:\d{2}(?::\d{2})?(?:\.\d+)?|\d+(?:[.,]\d+)*%?|[\p{L}\p{M}\p{N}]+|>=|<=|!=|<>|[<>=]/gu;

/** Reads a numeral written in either convention; `lang` decides "1.234" (pt thousands) vs "1.234" (en decimal). */
export function parseNumeral(text: string, lang: Lang): number | undefined {
  const t = text.replace(/%$/, '');
  const dots = (t.match(/\./g) ?? []).length;
  const commas = (t.match(/,/g) ?? []).length;
  let normalized: string;
  if (dots > 0 && commas > 0) {
    // The separator that comes last is the decimal one.
    normalized =
      t.lastIndexOf(',') > t.lastIndexOf('.') ? t.replace(/\./g, '').replace(',', '.') : t.replace(/,/g, '');
  } else if (commas > 0) {
    const thousands = commas > 1 || (lang === 'en' && /,\d{3}$/.test(t));
    normalized = thousands ? t.replace(/,/g, '') : t.replace(',', '.');
  } else if (dots > 0) {
    const thousands = dots > 1 || (lang === 'pt' && /\.\d{3}$/.test(t));
    normalized = thousands ? t.replace(/\./g, '') : t;
  } else {
    normalized = t;
  }
  const n = Number(normalized);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * The question's (or a cell's, a header's) tokens. Memoized (bounded): cells and headers are tokenized again for
 * every catalog object, and the same words come back question after question. Callers never change tokens.
 */
export function tokenize(question: string, lang: Lang): Token[] {
  // One memo per language, keyed by the text itself: a key built per call (lang + text) had to be hashed anew.
  const cache = tokenCaches[lang];
  let tokens = cache.get(question);
  if (tokens === undefined) {
    tokens = tokenizeText(question, lang);
    if (cache.size >= MAX_MEMO) cache.clear();
    cache.set(question, tokens);
  }
  return tokens;
}

const tokenCaches: Record<Lang, Map<string, Token[]>> = { en: new Map(), pt: new Map() };

function tokenizeText(question: string, lang: Lang): Token[] {
  const tokens: Token[] = [];
  // Possessives: "Japan's" → "Japan", remembered ("the last winner's album": the album is what is asked).
  const text = question.replace(/(\p{L})['’]s\b/gu, '$1\u0001');
  // Spans inside double quotes name something exactly ("listed as \"all\"", "\"Miss You\"").
  const quoted: Array<[number, number]> = [];
  for (const q of text.matchAll(/["“”]([^"“”]+)["“”]/gu))
    quoted.push([q.index ?? 0, (q.index ?? 0) + q[0].length]);
  // Where the last numeral ended: a suffix right against it is an ordinal's ("3rd", "3º").
  let lastEnd = -1;
  for (const match of text.matchAll(TOKEN_RE)) {
    const raw = match[0];
    const at = match.index ?? 0;
    const possessive = text[at + raw.length] === '\u0001';
    const numeralEnd = lastEnd;
    lastEnd = /^\d/.test(raw) ? at + raw.length : -1;
    const inQuotes = quoted.some(([from, to]) => at > from && at < to);
    // Underscores join words in snake_case names and values ("north_america"): split them like spaces.
    for (const part of raw.split('_')) {
      if (part === '') continue;
      const norm = fold(part);
      const token: Token = {
        index: tokens.length,
        raw: part,
        norm,
        stem: stem(norm),
        capitalized: tokens.length > 0 && /^\p{Lu}/u.test(part),
      };
      if (possessive) token.possessive = true;
      const prev = tokens[tokens.length - 1];
      if (at === numeralEnd && prev?.digits && ORDINAL_SUFFIXES.has(norm)) token.ordinal = true;
      if (inQuotes) token.quoted = true;
      if (/^\d+:\d{2}/.test(part)) {
        // "4:10", "2:13:09", "1:53.2": a time, in seconds (compared with columns of times).
        const [a, b, c] = part.split(':').map(Number) as [number, number, number | undefined];
        token.num = c === undefined ? a * 60 + b : a * 3600 + b * 60 + c;
        token.digits = true;
        token.time = true;
      } else if (/^\d/.test(part)) {
        const n = parseNumeral(part, lang);
        if (n !== undefined) {
          token.num = n;
          token.digits = true;
        }
      } else if (NUMBER_WORDS.has(norm)) {
        token.num = NUMBER_WORDS.get(norm);
      }
      const mult = MULTIPLIERS.get(norm);
      if (mult !== undefined && prev?.num !== undefined && !prev.time) {
        // "10 mil", "2 million", "cinco milhões": fold the multiplier into the previous numeral or number word.
        prev.num *= mult;
        prev.raw = `${prev.raw} ${part}`;
        continue;
      }
      tokens.push(token);
    }
  }
  return tokens;
}

/** Portuguese or English, by counting marker words; accents are a strong Portuguese signal. Ties → English. */
export function detectLang(question: string): Lang {
  let pt = /[ãõçáéíóúâêô]/i.test(question) ? 2 : 0;
  let en = 0;
  for (const word of fold(question).split(/[^a-z0-9]+/)) {
    if (PT_MARKERS.has(word)) pt++;
    if (EN_MARKERS.has(word)) en++;
  }
  return pt > en ? 'pt' : 'en';
}
