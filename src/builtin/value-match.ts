/**
 * Values named by part of a cell (issue 13, item 7): "united states" in "Indianapolis, United States", "scott dixon" in
 * "Scott Dixon (W)1", "karl behting" in "Karl Behting (Latvia)", "japan" in "Osaka, Japan". A question rarely types a
 * cell whole; footnote marks, units, qualifiers in parentheses and the rest of a place or a list come with it.
 *
 * A phrase of several words matches a contiguous run of a cell's words. A single word is riskier ("single" is in
 * "Non-album single", "match" in "This was a no-disqualification match."): it must be a name — capitalized in the
 * cell, and no word of the engine's vocabulary, a function word or a verb. All the cells that contain the phrase are
 * meant ("in japan": every venue in Japan); when they are in several columns, filters.ts decides which.
 */
import { isContextWord } from './context-words.js';
import { concepts, isNameWord, KEYWORD_PHRASES, NUMBER_WORDS, STOPWORDS } from './lexicon.js';
import type { Token } from './normalize.js';
import { inVocabulary } from './reading.js';
import type { TableIndex, ValueEntry } from './schema-match.js';

export interface PartialValue {
  start: number;
  end: number;
  /** Every cell of one column that contains the phrase. */
  entries: ValueEntry[];
}

const MAX_PHRASE = 5;
/** Longest cells (in words) a single word or a phrase is looked for in. */
const SHORT_CELL = 4;
const PHRASE_CELL = 8;

function sameWord(tok: Token, w: { norm: string; stem: string }, loose: boolean): boolean {
  if (tok.norm === w.norm) return true;
  // A place named in the other language ("Alemanha" in "Germany (GER)").
  if (isNameWord(tok.norm) && isNameWord(w.norm) && sameConcept(tok.norm, w.norm)) return true;
  // Within a phrase, the same stem ("Olympic Games" for "olympic game"); alone, the word itself — "films" is not
  // "Filming", and a name is not said in the plural ("operas" is not "Vienna State Opera").
  return loose && tok.stem === w.stem && tok.stem.length >= 4;
}

/** Where the phrase tokens[start..end] stands inside the entry's words, or -1. */
function findRun(tokens: Token[], start: number, end: number, entry: ValueEntry): number {
  const n = end - start + 1;
  for (let j = 0; j + n <= entry.words.length; j++) {
    let k = 0;
    while (k < n && sameWord(tokens[start + k]!, entry.words[j + k]!, n > 1)) k++;
    if (k === n) return j;
  }
  return -1;
}

/** A single question word that may stand for a name inside a cell. */
function nameLike(tokens: Token[], i: number, index: TableIndex): boolean {
  const t = tokens[i]!;
  return (
    t.norm.length >= 3 &&
    t.num === undefined &&
    !STOPWORDS.has(t.norm) &&
    !KEYWORD_PHRASES.has(t.norm) &&
    !NUMBER_WORDS.has(t.norm) &&
    (!inVocabulary(t) || isNameWord(t.norm)) &&
    !isContextWord(tokens, i, index.table)
  );
}

function phraseOk(tokens: Token[], start: number, end: number, index: TableIndex): boolean {
  if (start === end) return nameLike(tokens, start, index);
  // A phrase neither starts nor ends with a function word, and is not only numbers.
  if (STOPWORDS.has(tokens[start]!.norm) || STOPWORDS.has(tokens[end]!.norm)) return false;
  return tokens.slice(start, end + 1).some((t) => t.num === undefined);
}

/** Partial matches of free question phrases inside catalog values, longest first. */
export function partialValues(
  tokens: Token[],
  index: TableIndex,
  free: (i: number) => boolean,
): PartialValue[] {
  const out: PartialValue[] = [];
  for (let start = 0; start < tokens.length; start++) {
    if (!free(start)) continue;
    for (let end = start; end < tokens.length && end < start + MAX_PHRASE && free(end); end++) {
      if (!phraseOk(tokens, start, end, index)) continue;
      const single = end === start;
      const hits = index.values.filter((entry) => {
        const n = entry.words.length;
        // Short cells only: a word inside a paragraph of notes names nothing in particular.
        if (n <= end - start + 1 || n > (single ? SHORT_CELL : PHRASE_CELL)) return false;
        const at = findRun(tokens, start, end, entry);
        // A single word must be a capitalized word of the cell: a name, not "single" in "Non-album single".
        return at >= 0 && (!single || entry.caps[at] === true);
      });
      // A single word in several cells is a common word of names ("Award") — unless it is a whole part of each, as a
      // country in "Lyon, France" and "Nice, France".
      // ("França" is the part "France" too: a name said in the other language.)
      const word = tokens[start]!.norm;
      const wholePart = hits.every((h) =>
        h.parts.some((p) => p === word || (isNameWord(word) && isNameWord(p) && sameConcept(word, p))),
      );
      const cells = new Set(hits.map((h) => h.value));
      if (hits.length === 0 || (single && cells.size > 1 && !wholePart)) continue;
      out.push({ start, end, entries: hits });
    }
  }
  return out.sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start);
}

function sameConcept(a: string, b: string): boolean {
  const ca = concepts().byStem.get(a);
  const cb = concepts().byStem.get(b);
  return !!ca && !!cb && ca.some((c) => cb.includes(c));
}
