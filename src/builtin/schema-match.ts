/**
 * Maps the words of a question onto one table's schema: columns (by normalized name and label, stems and general
 * synonyms), text values (from the catalog's top values), keyword phrases, numbers, months and function words.
 * The output is a list of marks covering every token, in order; intents.ts reads meaning from that list.
 *
 * Precedence (why this order): whole column names beat keywords ("max speed" is the column speed_max, not an
 * aggregate), keywords beat partial column matches ("max" alone is an aggregate even when a column contains "max"),
 * and a word nothing claims is "unknown" — unknown words are how the engine notices it does not understand.
 */
import type { ColumnCatalog, TableCatalog } from '../data/catalog-types.js';
import { isNumericText, isTimeText, namedAsPlace } from './column-roles.js';
import { isContextWord } from './context-words.js';
import { bestPlacedAt, comparativeAt, countryNameAt } from './idioms-pt.js';
import {
  AMBIGUOUS_MONTHS,
  concepts,
  INTENSIVE_STEMS,
  KEYWORD_PHRASES,
  type Keyword,
  MAX_PHRASE_TOKENS,
  MEASURE_ADJECTIVES,
  MEASURE_COMPARATIVES,
  MONTHS,
  NUMBER_WORDS,
  STOPWORDS,
  stem,
} from './lexicon.js';
import { fold, ORDINAL_SUFFIXES, type Token, tokenize } from './normalize.js';
import { placeColumn } from './placing.js';
import { isSummaryValue } from './table-rows.js';
import { partialValues } from './value-match.js';

export interface WordForm {
  norm: string;
  stem: string;
  concepts: readonly number[];
}

export interface ColumnIndex {
  column: ColumnCatalog;
  /** Alternative spellings of the column as word lists: its SQL name and its original label. */
  wordSets: WordForm[][];
  numeric: boolean;
  temporal: boolean;
  text: boolean;
  /** Every row has its own value (an identifier or a name): listing it needs no DISTINCT or grouping. */
  unique: boolean;
  /** An intensity (price, temperature, rate) rather than an amount: averaged, not summed, by default. */
  intensive: boolean;
}

export interface ValueEntry {
  column: ColumnIndex;
  value: string;
  words: WordForm[];
  /** The value is also a common word ("no", "in", "de"): it only matches when typed exactly, in capitals. */
  guarded: boolean;
  /** Per word: capitalized in the cell (a name's word, for partial matches — value-match.ts). */
  caps: boolean[];
  /** The cell's parts when it lists several ("Lyon, France" → lyon, france), folded. */
  parts: string[];
}

export interface TableIndex {
  table: TableCatalog;
  columns: ColumnIndex[];
  values: ValueEntry[];
  tableWords: WordForm[];
  dateColumns: ColumnIndex[];
}

export type Mark =
  | {
      kind: 'col';
      start: number;
      end: number;
      col: ColumnIndex;
      full: boolean;
      alts: ColumnIndex[];
      /** Set by superlative adjectives ("heaviest"): the word also asks for the highest/lowest. */
      implied?: 'high' | 'low';
    }
  | {
      kind: 'val';
      start: number;
      end: number;
      entry: ValueEntry;
      partial: boolean;
      /** Further cells of the same column the words are part of ("japan": "Osaka, Japan" and "Tokyo, Japan"). */
      others?: ValueEntry[];
      /** Other columns holding the same cell. */
      alsoIn?: ColumnIndex[];
    }
  | { kind: 'kw'; start: number; end: number; kw: Keyword }
  | { kind: 'num'; start: number; end: number; value: number; digits: boolean }
  | { kind: 'month'; start: number; end: number; month: number }
  | { kind: 'table'; start: number; end: number }
  | { kind: 'stop'; start: number; end: number }
  | { kind: 'unknown'; start: number; end: number; token: Token };

function wordForm(norm: string): WordForm {
  return formOf(norm, stem(norm));
}

/** A token's forms: it carries its stem already, which saves looking it up again for every cell. */
function tokenForm(tok: Token): WordForm {
  return formOf(tok.norm, tok.stem);
}

function formOf(norm: string, stemmed: string): WordForm {
  const c = concepts().byStem;
  return { norm, stem: stemmed, concepts: c.get(norm) ?? c.get(stemmed) ?? [] };
}

/** Words of a name that say nothing about its meaning: joiners and units ("weight_in_lbs", "Body Mass (g)"). */
const NAME_NOISE = new Set(
  'de do da dos das of in per por para for to e and a o the em no na mm cm km kg lbs lb g ml'.split(' '),
);

function words(text: string): WordForm[] {
  const all = tokenize(text, 'en').map((t) => t.norm);
  const kept = all.filter((w) => !STOPWORDS.has(w) && !NAME_NOISE.has(w) && (w.length > 1 || /\d/.test(w)));
  return (kept.length > 0 ? kept : all).map(wordForm);
}

/** Edit distance, for cognates across languages ("pinguins"/"penguins", "Brasil"/"Brazil"). */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > max) return max + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

/** Same word in another language, spelled nearly the same: same first letter, long enough, 1–2 edits apart. */
export function isCognate(tok: Token, w: WordForm): boolean {
  // A known word of another concept is not a cognate ("country" is not "count").
  const tc = concepts().byStem.get(tok.norm) ?? concepts().byStem.get(tok.stem);
  if (tc && !tc.some((c) => w.concepts.includes(c))) return false;
  return cognate(tok.stem, w.stem) || cognate(tok.norm, w.norm);
}

function cognate(a: string, b: string): boolean {
  if (a.length < 5 || b.length < 5 || a[0] !== b[0] || /\d/.test(a) || /\d/.test(b)) return false;
  const max = Math.min(a.length, b.length) >= 7 ? 2 : 1;
  return editDistance(a, b, max) <= max;
}

const indexCache = new WeakMap<TableCatalog, TableIndex>();

/** Built once per catalog object (memoized, so interpret() stays fast and still pure). */
export function tableIndex(table: TableCatalog): TableIndex {
  const cached = indexCache.get(table);
  if (cached) return cached;
  const columns: ColumnIndex[] = table.columns.map((column) => {
    const sets = [words(column.name.replace(/_/g, ' ')), words(column.label)].filter((s) => s.length > 0);
    const unique = new Map(sets.map((s) => [s.map((w) => w.stem).join(' '), s]));
    // Amounts written as text with a unit ("14,375 ft") are numbers too: summed and ranked by their leading number.
    const numeric =
      column.type === 'integer' || column.type === 'real' || isNumericText(column) || isTimeText(column);
    return {
      column,
      wordSets: [...unique.values()],
      numeric,
      temporal: column.type === 'date' || column.type === 'datetime',
      text: column.type === 'text' && !numeric,
      // 0.95, not 1: above a thousand values the catalog's distinct count is an estimate (HyperLogLog).
      unique: table.rows > 1 && column.distinct_estimate >= (table.rows - column.null_count) * 0.95,
      // "miles_per_gallon", "gols_por_jogo": a ratio is an intensity too.
      intensive:
        [...unique.values()].some((s) => s.some((w) => INTENSIVE_STEMS.has(w.stem))) ||
        /(^|_)(per|por)_/.test(column.name),
    };
  });
  const values: ValueEntry[] = [];
  for (const col of columns) {
    // Amounts written as text keep their cells as values too ("12 months", "1 act").
    if (col.column.type !== 'text') continue;
    for (const tv of col.column.top_values) {
      if (!/\p{L}/u.test(tv.value)) continue;
      if (isSummaryValue(col.column, tv.value)) continue;
      // Footnote marks are not words of the value: "Green Owls[1]" is named "Green Owls".
      const toks = tokenize(tv.value.replace(/\[[^\]]*\]|[*†‡§]+/gu, ' '), 'en');
      if (toks.length === 0 || toks.length > 12) continue;
      const w = toks.map(tokenForm);
      const folded = w.length === 1 ? fold(tv.value).trim() : '';
      const guarded =
        w.length === 1 &&
        (isVerbLike(folded) ||
          STOPWORDS.has(folded) ||
          KEYWORD_PHRASES.has(folded) ||
          NUMBER_WORDS.has(folded) ||
          MONTHS.has(folded) ||
          folded.length === 1);
      const caps = toks.map((t) => /^\p{Lu}/u.test(t.raw));
      const pieces = tv.value.split(/\s*(?:[,;/\n]|\s[-–]\s)\s*/u);
      // Folded only when the cell lists several things: one piece is never kept as parts.
      const parts = (pieces.length > 1 ? pieces : [])
        .map((p) =>
          fold(p)
            .replace(/\[[^\]]*\]|[*†‡§]+/gu, '')
            .trim(),
        )
        .filter((p) => p !== '');
      values.push({
        column: col,
        value: tv.value,
        words: w,
        guarded,
        caps,
        parts: parts.length > 1 ? parts : [],
      });
    }
  }
  const tableWords = words(`${table.name.replace(/_/g, ' ')} ${table.label}`).filter(
    (w) => !['csv', 'tsv', 'json', 'xlsx', 'txt', 'xls', 'jsonl', 'ndjson'].includes(w.norm),
  );
  const index: TableIndex = {
    table,
    columns,
    values,
    tableWords,
    dateColumns: columns.filter((c) => c.temporal),
  };
  indexCache.set(table, index);
  return index;
}

function sharesConcept(tok: Token, w: WordForm, exactOnly = false): boolean {
  if (w.concepts.length === 0) return false;
  const tc = concepts().byStem.get(tok.norm) ?? (exactOnly ? undefined : concepts().byStem.get(tok.stem));
  return !!tc?.some((c) => w.concepts.includes(c));
}

/** 3 same word/stem, 2 same concept (synonym or translation), 1 abbreviation (prefix), 0 no match. */
export function matchLevel(tok: Token, w: WordForm): number {
  if (tok.norm === w.norm || tok.stem === w.stem) return 3;
  // "3º casal" for a header "3rd couple": ordinal suffixes of either language are one.
  if (tok.ordinal && ORDINAL_SUFFIXES.has(w.norm) && w.norm.length === 2) return 3;
  if (sharesConcept(tok, w)) return 2;
  // Abbreviated column names ("temp" for temperature) and abbreviated questions ("precip") — but a word of the
  // general vocabulary is not an abbreviation of a different concept ("country" is not "count").
  const tokConcepts = concepts().byStem.get(tok.norm) ?? concepts().byStem.get(tok.stem);
  if (tokConcepts && !tokConcepts.some((c) => w.concepts.includes(c))) return 0;
  if (
    w.norm.length >= 3 &&
    tok.norm.length > w.norm.length &&
    tok.norm.startsWith(w.norm) &&
    /^\p{L}/u.test(w.norm)
  )
    return 1;
  if (tok.norm.length >= 5 && w.norm.length > tok.norm.length && w.norm.startsWith(tok.norm)) return 1;
  // "directed" → director, "produced" → producer: a verb form whose stem begins the column's word.
  if (
    tok.stem.length >= 5 &&
    w.norm.length > tok.stem.length &&
    w.norm.startsWith(tok.stem) &&
    !KEYWORD_PHRASES.has(tok.norm)
  )
    return 1;
  return 0;
}

// "nota no IMDB", "rating on IMDB": prepositions may also sit inside a span that names one column.
const LINKERS = new Set([
  'de',
  'do',
  'da',
  'dos',
  'das',
  'of',
  'the',
  'per',
  'por',
  'no',
  'na',
  'em',
  'pelo',
  'pela',
  'in',
  'on',
  'at',
]);

interface SpanMatch {
  start: number;
  end: number;
  matched: number;
  full: boolean;
  quality: number;
}

/** How well the question's word at position `i` names a word of a column name (0 when it does not). */
type NameLevel = (i: number, w: WordForm) => number;

/**
 * NameLevel memoized for one question (one recognize call): column names are matched twice (whole names, then
 * partial ones) and every span start compares its word with every word of every name again.
 */
function nameLevels(tokens: Token[]): NameLevel {
  const memo = tokens.map(() => new Map<WordForm, number>());
  return (i, w) => {
    let level = memo[i]!.get(w);
    if (level === undefined) {
      const tok = tokens[i]!;
      // A keyword ("quantos", "media", "maxima") names a column only by its exact form or a synonym, never by a
      // shared stem or prefix: "quantos" and "quantidade" share a stem but one is a question, the other a column.
      const keywordish = KEYWORD_PHRASES.has(tok.norm);
      level = keywordish && tok.norm !== w.norm ? (sharesConcept(tok, w, true) ? 2 : 0) : matchLevel(tok, w);
      memo[i]!.set(w, level);
    }
    return level;
  };
}

/** Longest contiguous run of tokens from `start` that each match a distinct word of `set`. */
function spanAgainst(
  tokens: Token[],
  start: number,
  set: WordForm[],
  free: (i: number) => boolean,
  nameLevel: NameLevel,
): SpanMatch | null {
  // Which words of the set are matched (a plain array and loop: this runs for every token, column and name).
  const used: boolean[] = [];
  let matched = 0;
  let end = -1;
  let quality = 3;
  for (let i = start; i < tokens.length && i < start + set.length * 2 + 1; i++) {
    if (!free(i)) break;
    const tok = tokens[i]!;
    let best = -1;
    let bestLevel = 0;
    for (let k = 0; k < set.length; k++) {
      if (used[k]) continue;
      const level = nameLevel(i, set[k]!);
      if (level > bestLevel) {
        bestLevel = level;
        best = k;
      }
    }
    if (best >= 0) {
      used[best] = true;
      matched++;
      end = i;
      quality = Math.min(quality, bestLevel);
      if (matched === set.length) break;
      continue;
    }
    // Linking words may sit inside a column's name ("data do pedido") but never start or end a span.
    if (i > start && LINKERS.has(tok.norm)) continue;
    break;
  }
  if (end < 0) return null;
  // Numbers alone never name a column ("episode 1-01" is not the column "DVD 1"): some word must match too.
  let words = false;
  for (let i = start; i <= end; i++) if (tokens[i]!.num === undefined) words = true;
  if (!words) return null;
  return { start, end, matched, full: matched === set.length, quality };
}

interface Candidate {
  start: number;
  end: number;
  full: boolean;
  quality: number;
  coverage: number;
  col?: ColumnIndex;
  val?: ValueEntry;
}

function columnCandidates(
  tokens: Token[],
  index: TableIndex,
  free: (i: number) => boolean,
  nameLevel: NameLevel,
): Candidate[] {
  const out: Candidate[] = [];
  for (let start = 0; start < tokens.length; start++) {
    if (!free(start)) continue;
    for (const col of index.columns) {
      let best: SpanMatch | null = null;
      let bestCoverage = 0;
      for (const set of col.wordSets) {
        const m = spanAgainst(tokens, start, set, free, nameLevel);
        if (!m) continue;
        const coverage = m.matched / set.length;
        if (
          !best ||
          m.end - m.start > best.end - best.start ||
          (m.end - m.start === best.end - best.start && (coverage > bestCoverage || m.quality > best.quality))
        ) {
          best = m;
          bestCoverage = coverage;
        }
      }
      if (best) out.push({ ...best, coverage: bestCoverage, col });
    }
  }
  return out;
}

/** Positions in `index.values` of the cells whose first word has a given norm, stem or concept. */
interface FirstWords {
  byNorm: Map<string, number[]>;
  byStem: Map<string, number[]>;
  byConcept: Map<number, number[]>;
}

/** Memo per table index: built once, so a question is compared only with cells its words can begin. */
const firstWordsCache = new WeakMap<TableIndex, FirstWords>();

function firstWords(index: TableIndex): FirstWords {
  const cached = firstWordsCache.get(index);
  if (cached) return cached;
  const add = <K>(map: Map<K, number[]>, key: K, at: number) => {
    const list = map.get(key);
    if (!list) map.set(key, [at]);
    else if (list[list.length - 1] !== at) list.push(at);
  };
  const built: FirstWords = { byNorm: new Map(), byStem: new Map(), byConcept: new Map() };
  index.values.forEach((entry, at) => {
    const w = entry.words[0]!;
    add(built.byNorm, w.norm, at);
    add(built.byStem, w.stem, at);
    for (const c of w.concepts) add(built.byConcept, c, at);
  });
  firstWordsCache.set(index, built);
  return built;
}

/**
 * The cells a value match may start at `tok`, in catalog order: those whose first word matches it at level 2 or 3
 * (same word, same stem or a shared concept — see matchLevel), the least a value match needs. Comparing each token
 * with every cell made recognition the slowest step of interpret() on tables of many cells.
 */
function valuesStartingWith(tok: Token, index: TableIndex): ValueEntry[] {
  const { byNorm, byStem, byConcept } = firstWords(index);
  const at = [...(byNorm.get(tok.norm) ?? []), ...(byStem.get(tok.stem) ?? [])];
  const tc = concepts().byStem.get(tok.norm) ?? concepts().byStem.get(tok.stem) ?? [];
  for (const c of tc) at.push(...(byConcept.get(c) ?? []));
  return [...new Set(at)].sort((a, b) => a - b).map((k) => index.values[k]!);
}

function valueCandidates(tokens: Token[], index: TableIndex, free: (i: number) => boolean): Candidate[] {
  const out: Candidate[] = [];
  for (let start = 0; start < tokens.length; start++) {
    if (!free(start)) continue;
    for (const entry of valuesStartingWith(tokens[start]!, index)) {
      const n = entry.words.length;
      if (start + n > tokens.length) continue;
      let quality = 3;
      let ok = true;
      for (let k = 0; k < n && ok; k++) {
        const tok = tokens[start + k]!;
        if (!free(start + k)) ok = false;
        else {
          const w = entry.words[k]!;
          const level = matchLevel(tok, w);
          // Values match on whole words or synonyms only: a prefix is too loose for data values, and a one-word cell
          // needs the word itself or its plural — a shared stem makes "films" "Filming".
          if (level < 2) ok = false;
          else if (
            n === 1 &&
            level === 3 &&
            tok.norm !== w.norm &&
            !pluralOf(tok.norm, w.norm) &&
            !sameConcept(tok.norm, w.norm)
          )
            ok = false;
          quality = Math.min(quality, level);
        }
      }
      if (!ok) continue;
      if (entry.guarded && !(n === 1 && tokens[start]!.raw === entry.value.trim())) continue;
      out.push({ start, end: start + n - 1, full: true, quality, coverage: 1, val: entry });
    }
    // "American" for a cell "United States (USA)": a country of several words by its people (the whole cell, or
    // its start). "Estados Unidos" for "Denver, United States": its name in Portuguese (also one part of a cell).
    const country = DEMONYM_COUNTRIES.get(tokens[start]!.norm);
    if (country) out.push(...countryCells(index, country, start, start, 4, false));
    const named = countryNameAt(tokens, start);
    if (named) out.push(...countryCells(index, [named.english], start, named.end, 6, true));
  }
  return out;
}

/** Cells that name one of `names` (folded English country names), as candidates over tokens start…end. */
function countryCells(
  index: TableIndex,
  names: string[],
  start: number,
  end: number,
  maxWords: number,
  inParts: boolean,
): Candidate[] {
  const out: Candidate[] = [];
  for (const entry of index.values) {
    if (entry.words.length > maxWords) continue;
    const words = entry.words.map((w) => w.norm).join(' ');
    const named = names.some(
      (c) => words === c || words.startsWith(`${c} `) || (inParts && entry.parts.includes(c)),
    );
    if (named) out.push({ start, end, full: true, quality: 2, coverage: 1, val: entry });
  }
  return out;
}

/** Peoples whose country is named in more than one word (one-word countries are synonyms: synonyms.ts). */
const DEMONYM_COUNTRIES: ReadonlyMap<string, string[]> = new Map([
  ['american', ['united states', 'usa']],
  ['americans', ['united states', 'usa']],
  ['americano', ['united states', 'estados unidos', 'usa']],
  ['americana', ['united states', 'estados unidos', 'usa']],
  ['americanos', ['united states', 'estados unidos', 'usa']],
  ['british', ['united kingdom', 'great britain']],
  ['britanico', ['reino unido', 'united kingdom', 'great britain']],
  ['britanica', ['reino unido', 'united kingdom', 'great britain']],
]);

/**
 * The most words of a keyword phrase that begins with each word (computed once at load): phrases are looked up only
 * at words that can begin one, and no longer than the longest such phrase, instead of joining up to
 * MAX_PHRASE_TOKENS words at every position of every question.
 */
const PHRASE_TOKENS_FROM: ReadonlyMap<string, number> = (() => {
  const longest = new Map<string, number>();
  for (const phrase of KEYWORD_PHRASES.keys()) {
    const words = phrase.split(' ');
    longest.set(words[0]!, Math.max(longest.get(words[0]!) ?? 0, words.length));
  }
  return longest;
})();

const phraseTokensFrom = (tok: Token): number =>
  Math.min(MAX_PHRASE_TOKENS, PHRASE_TOKENS_FROM.get(tok.norm) ?? 0);

/** Recognizes every token of the question against one table. */
export function recognize(tokens: Token[], index: TableIndex): Mark[] {
  const marks: (Mark | undefined)[] = new Array(tokens.length).fill(undefined);
  const free = (i: number) => marks[i] === undefined;
  const nameLevel = nameLevels(tokens);
  const place = (m: Mark) => {
    for (let i = m.start; i <= m.end; i++) marks[i] = m;
  };

  /** A comparative over tokens start…end names its measure's one column; "than"/"que" after it compares. */
  const placeComparative = (
    start: number,
    end: number,
    cmp: readonly ['gt' | 'lt', string],
    than: readonly [number, number] | undefined,
  ) => {
    let cols = columnsOfConcept(index, cmp[1]);
    // "faster than 4:10" where the table has times: a lower time.
    const inverted = cols.length === 0 && cmp[1] === 'speed';
    if (inverted) cols = timeColumns(index);
    if (cols.length !== 1) return;
    const op = inverted ? (cmp[0] === 'gt' ? 'lt' : 'gt') : cmp[0];
    place({
      kind: 'col',
      start,
      end,
      col: cols[0]!,
      full: true,
      alts: [],
      implied: op === 'gt' ? 'high' : 'low',
    });
    if (than) place({ kind: 'kw', start: than[0], end: than[1], kw: op });
  };

  // 0a. Portuguese comparatives of two words or more ("mais rápido que", "menos pesado do que"), before their
  // adjective is read as a superlative.
  for (let i = 0; i < tokens.length; i++) {
    const c = comparativeAt(tokens, i);
    if (c && free(i) && free(c.end)) placeComparative(i, c.end, c.cmp, c.than);
  }
  // 0b. "o mais bem colocado": the best value of a place column of numbers, as English "top placed" reads it ("high"
  // on a place column is its best place, the lowest number: column-roles.ts). Several place columns and none named:
  // the first stands with the others as alternatives (ambiguous: refused). No place column: the phrase stays a
  // keyword, the top of the list.
  for (let i = 0; i < tokens.length; i++) {
    const end = bestPlacedAt(tokens, i);
    const [col, ...alts] = end === undefined ? [] : bestPlaceColumns(index, tokens[end]!);
    if (end !== undefined && col && free(i))
      place({ kind: 'col', start: i, end, col, full: true, alts, implied: 'high' });
  }

  // 0. Superlative adjectives that name a measure ("heaviest" → the weight column, highest first) — before
  // column names, which would otherwise read "windiest" as just the wind column.
  for (let i = 0; i < tokens.length; i++) {
    const adj = MEASURE_ADJECTIVES.get(tokens[i]!.norm);
    if (!adj || !free(i)) continue;
    const cols = columnsOfConcept(index, adj[1]);
    const times = cols.length === 0 && adj[1] === 'speed' ? timeColumns(index) : [];
    if (cols.length === 1)
      place({ kind: 'col', start: i, end: i, col: cols[0]!, full: true, alts: [], implied: adj[0] });
    // "the fastest" where the table has times, not speeds: the lowest time.
    else if (times.length === 1)
      place({ kind: 'col', start: i, end: i, col: times[0]!, full: true, alts: [], implied: flip(adj[0]) });
    // Several such columns: just highest/lowest, the column is named elsewhere.
    else if (cols.length > 1) place({ kind: 'kw', start: i, end: i, kw: adj[0] });
  }

  // 1. Whole column names and catalog values, longest first.
  const strong = [
    ...columnCandidates(tokens, index, free, nameLevel).filter((c) => c.full),
    ...valueCandidates(tokens, index, free),
  ].sort(
    (a, b) =>
      b.end - b.start - (a.end - a.start) ||
      b.quality - a.quality ||
      (a.col ? 0 : 1) - (b.col ? 0 : 1) ||
      a.start - b.start,
  );
  // 0b. A keyword phrase of three words or more beats a shorter name it overlaps: "TOTAL number of" counts even
  // where a column is named Total; "number of seats" stays the column when one is named so. (Two-word phrases do
  // not: "QUANTIDADE de Caneta" is the column Quantidade.)
  for (let i = 0; i < tokens.length; i++) {
    for (let len = Math.min(phraseTokensFrom(tokens[i]!), tokens.length - i); len >= 3; len--) {
      const end = i + len - 1;
      const phrase = tokens
        .slice(i, end + 1)
        .map((t) => t.norm)
        .join(' ');
      const kw = KEYWORD_PHRASES.get(phrase);
      if (!kw) continue;
      let allFree = true;
      for (let k = i; k <= end; k++) if (!free(k)) allFree = false;
      const longer = strong.some((c) => c.start <= end && c.end >= i && c.end - c.start + 1 >= len);
      if (allFree && !longer && strong.some((c) => c.start <= end && c.end >= i)) {
        place({ kind: 'kw', start: i, end, kw });
        i = end;
      }
      break;
    }
  }
  placeCandidates(strong, marks, place, index);

  // 1b. An adjective whose measure this table lacks, right before a named column ("heaviest body mass").
  for (let i = 0; i < tokens.length; i++) {
    const adj = MEASURE_ADJECTIVES.get(tokens[i]!.norm);
    if (adj && free(i) && marks[i + 1]?.kind === 'col') place({ kind: 'kw', start: i, end: i, kw: adj[0] });
  }

  // 1c. Comparatives that name a measure: "older than 40" → the age column, then a comparison; alone ("is X or Y
  // taller?") the column, higher or lower first.
  for (let i = 0; i < tokens.length; i++) {
    const cmp = MEASURE_COMPARATIVES.get(tokens[i]!.norm);
    if (!cmp || !free(i)) continue;
    const than = i + 1 < tokens.length && free(i + 1) && ['than', 'que'].includes(tokens[i + 1]!.norm);
    placeComparative(i, i, cmp, than ? [i + 1, i + 1] : undefined);
  }

  // 1d. Two words written as one in a name: "bird strikes" → birdstrikes, "budget year" → budgetyear.
  for (let i = 0; i + 1 < tokens.length; i++) {
    if (!free(i) || !free(i + 1)) continue;
    const joined = tokenize(tokens[i]!.norm + tokens[i + 1]!.norm, 'en')[0]!;
    const col = index.columns.find((c) =>
      c.wordSets.some((set) => set.length === 1 && matchLevel(joined, set[0]!) >= 3),
    );
    if (col) place({ kind: 'col', start: i, end: i + 1, col, full: true, alts: [] });
    else if (index.tableWords.some((w) => matchLevel(joined, w) >= 3))
      place({ kind: 'table', start: i, end: i + 1 });
  }

  // 2. Keyword phrases, longest first at each position.
  for (let i = 0; i < tokens.length; i++) {
    if (!free(i)) continue;
    // "qual É o país": the verb "é" folds to "e" but is no "and" — a function word, like "is".
    if (tokens[i]!.raw.toLowerCase() === 'é') {
      place({ kind: 'stop', start: i, end: i });
      continue;
    }
    for (let len = Math.min(phraseTokensFrom(tokens[i]!), tokens.length - i); len >= 1; len--) {
      let allFree = true;
      for (let k = i; k < i + len; k++) if (!free(k) || tokens[k]!.quoted) allFree = false;
      if (!allFree) continue;
      const phrase = tokens
        .slice(i, i + len)
        .map((t) => t.norm)
        .join(' ');
      const kw = KEYWORD_PHRASES.get(phrase);
      if (kw) {
        place({ kind: 'kw', start: i, end: i + len - 1, kw });
        i += len - 1;
        break;
      }
    }
  }

  // 2b. Values named by part of a cell ("united states" in "Indianapolis, United States").
  for (const p of partialValues(tokens, index, free)) {
    let allFree = true;
    for (let k = p.start; k <= p.end; k++) if (!free(k)) allFree = false;
    if (!allFree) continue;
    const [entry, ...rest] = p.entries;
    const others = rest.filter((e) => e.column === entry!.column);
    const alsoIn = [...new Set(rest.filter((e) => e.column !== entry!.column).map((e) => e.column))];
    place({
      kind: 'val',
      start: p.start,
      end: p.end,
      entry: entry!,
      partial: true,
      others,
      ...(alsoIn.length ? { alsoIn } : {}),
    });
  }

  // 3. Partial column names on what is left ("preço" for preco_medio), ignoring function words.
  const partial = columnCandidates(
    tokens,
    index,
    (i) => free(i) && !STOPWORDS.has(tokens[i]!.norm),
    nameLevel,
  )
    .filter((c) => !c.full)
    .sort((a, b) => b.end - b.start - (a.end - a.start) || b.coverage - a.coverage || b.quality - a.quality);
  placeCandidates(partial, marks, place, index);

  // 4. The table's own name, numbers, months, function words.
  for (let i = 0; i < tokens.length; i++) {
    if (!free(i)) continue;
    const tok = tokens[i]!;
    if (tok.num !== undefined) {
      place({ kind: 'num', start: i, end: i, value: tok.num, digits: tok.digits === true });
      continue;
    }
    const month = MONTHS.get(tok.norm);
    if (month !== undefined) {
      const next = tokens[i + 1];
      const afterNext = tokens[i + 2];
      const yearFollows =
        isYearToken(next) || (next && ['de', 'of'].includes(next.norm) && isYearToken(afterNext));
      if (!AMBIGUOUS_MONTHS.has(tok.norm) || yearFollows) {
        place({ kind: 'month', start: i, end: i, month });
        continue;
      }
    }
    if (index.tableWords.some((w) => matchLevel(tok, w) >= 2)) {
      place({ kind: 'table', start: i, end: i });
      continue;
    }
    if (STOPWORDS.has(tok.norm) && !tok.quoted) {
      place({ kind: 'stop', start: i, end: i });
      continue;
    }
    place({ kind: 'unknown', start: i, end: i, token: tok });
  }

  // 5. A word nothing claimed may be a cognate of a value, a column or the table ("Brasil", "pinguins"), or part
  // of a longer value ("Beatriz" for "Beatriz Gonçalves") when it is unique.
  for (let i = 0; i < tokens.length; i++) {
    const m = marks[i];
    if (m?.kind !== 'unknown' || tokens[i]!.norm.length < 4) continue;
    const tok = tokens[i]!;
    const values = index.values.filter(
      (v) => v.words.length === 1 && !v.guarded && isCognate(tok, v.words[0]!),
    );
    if (values.length === 1) {
      place({ kind: 'val', start: i, end: i, entry: values[0]!, partial: true });
      continue;
    }
    const cols = index.columns.filter((c) => c.wordSets.some((set) => set.some((w) => isCognate(tok, w))));
    if (cols.length >= 1) {
      const full = cols[0]!.wordSets.some((set) => set.length === 1);
      place({ kind: 'col', start: i, end: i, col: cols[0]!, full, alts: cols.slice(1) });
      continue;
    }
    if (index.tableWords.some((w) => isCognate(tok, w))) place({ kind: 'table', start: i, end: i });
  }

  const out: Mark[] = [];
  for (const m of marks) if (m && out[out.length - 1] !== m) out.push(m);
  return out;
}

function placeCandidates(
  cands: Candidate[],
  marks: (Mark | undefined)[],
  place: (m: Mark) => void,
  index: TableIndex,
): void {
  const taken = (c: Candidate) => {
    for (let i = c.start; i <= c.end; i++) if (marks[i] !== undefined) return true;
    return false;
  };
  for (let k = 0; k < cands.length; k++) {
    const c = cands[k]!;
    if (taken(c)) continue;
    if (c.val) {
      // The same cell in other columns ("Harvard" under several divisions): remembered, so a filter can say which
      // column is meant — by a column word beside it — or refuse to guess (filters.ts).
      const same = cands
        .slice(k + 1)
        .filter((o) => o.val && o.start === c.start && o.end === c.end && o.quality === c.quality);
      const alsoIn = same
        .map((o) => o.val!.column)
        .filter((col, i, all) => col !== c.val!.column && all.indexOf(col) === i);
      // Other cells of the same column that are the same name ("Braves" and "@ Braves") or list it as one of their
      // parts ("Italy" in "France/ Italy"): the question means them too.
      const phrase = c.val.words.map((w) => w.norm).join(' ');
      const others = [
        ...same.filter((o) => o.val!.column === c.val!.column).map((o) => o.val!),
        ...index.values.filter((v) => v.column === c.val!.column && v !== c.val && v.parts.includes(phrase)),
      ].filter((v, i, all) => all.indexOf(v) === i);
      place({
        kind: 'val',
        start: c.start,
        end: c.end,
        entry: c.val,
        partial: false,
        ...(alsoIn.length ? { alsoIn } : {}),
        ...(others.length ? { others } : {}),
      });
      continue;
    }
    if (!c.col) continue;
    // Other columns matching exactly the same span equally well make this word ambiguous.
    const alts = cands
      .slice(k + 1)
      .filter(
        (o) =>
          o.col &&
          o.start === c.start &&
          o.end === c.end &&
          o.full === c.full &&
          o.quality === c.quality &&
          o.coverage === c.coverage,
      )
      .map((o) => o.col!);
    place({ kind: 'col', start: c.start, end: c.end, col: c.col, full: c.full, alts });
  }
}

export function isYearToken(tok: Token | undefined): boolean {
  return (
    !!tok &&
    tok.digits === true &&
    tok.num !== undefined &&
    Number.isInteger(tok.num) &&
    tok.num >= 1000 &&
    tok.num <= 2999 &&
    /^\d{4}$/.test(tok.raw)
  );
}

/** One word is the other with a plural "s" or "es". */
function pluralOf(a: string, b: string): boolean {
  return a === `${b}s` || b === `${a}s` || a === `${b}es` || b === `${a}es`;
}

/** A one-word cell that is an outcome or event verb ("WIN", "Lost", "Released"): a question's verb is not it. */
function isVerbLike(word: string): boolean {
  const toks = tokenize(word, 'en');
  return toks.length === 1 && isContextWord(toks, 0, NO_TABLE);
}

/** A table that records no outcomes: verbs are judged as verbs only. */
const NO_TABLE = { name: '', label: '', rows: 0, columns: [] };

/** Two words listed in one synonym group as they are ("rainy" and "rain"), not merely sharing a stem. */
function sameConcept(a: string, b: string): boolean {
  const table = concepts().byStem;
  const ca = table.get(a);
  const cb = table.get(b);
  return !!ca && !!cb && ca.some((c) => cb.includes(c));
}

/**
 * The number columns an adjective's measure names ("heaviest", "taller" → weight, height): columns whose header IS
 * that measure ("Height (m)", "Weight"), not one where it qualifies another thing ("Col height" of a mountain pass).
 */
export function columnsOfConcept(index: TableIndex, concept: string): ColumnIndex[] {
  const probe = tokenize(concept, 'en')[0]!;
  return index.columns.filter(
    (c) => c.numeric && c.wordSets.some((set) => set.length === 1 && matchLevel(probe, set[0]!) >= 2),
  );
}

/**
 * The place column "mais bem colocado/classificado" ranks by: the one of numbers its participle names ("colocado" →
 * Place, "classificado" → Rank), else the table's one place column; several when it cannot tell (none: no column).
 */
function bestPlaceColumns(index: TableIndex, participle: Token): ColumnIndex[] {
  const places = index.columns.filter((c) => c.numeric && namedAsPlace(c.column));
  const named = places.filter((c) =>
    c.wordSets.some((set) => set.some((w) => matchLevel(participle, w) >= 2)),
  );
  if (named.length === 1) return named;
  const only = places.find((c) => c.column === placeColumn(index.table.columns));
  return only ? [only] : places;
}

/** Columns of times written as text ("4:09.33"): where "fastest" and "faster" point when there is no speed. */
function timeColumns(index: TableIndex): ColumnIndex[] {
  return index.columns.filter((c) => isTimeText(c.column));
}

const flip = (d: 'high' | 'low'): 'high' | 'low' => (d === 'high' ? 'low' : 'high');
