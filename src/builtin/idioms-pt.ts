/**
 * Portuguese idioms for what English questions say in other words (issue 13, Portuguese parity): keyword phrases
 * that have no English twin in lexicon.ts, and comparatives built with "mais"/"menos" ("mais rápido que 4:10",
 * "mais barato do que") where English has one word ("faster than"). General language only, written folded.
 */
import type { Keyword } from './lexicon.js';
import { MEASURE_ADJECTIVES } from './lexicon.js';
import type { Token } from './normalize.js';

export const PT_PHRASES: ReadonlyArray<readonly [string, Keyword]> = [
  // "a posição da MAIORIA dos jogadores": the value most rows have, like "most of the players".
  ['maioria', 'high'],
  // agreement in number: "os pontos são IGUAIS A 15"
  ['iguais a', 'eq'],
  ['de acordo com', 'filler'],
  // "POR quantas semanas …", "por quantos anos": how long, counted — not a grouping ("por semana").
  ['por quantos', 'count'],
  ['por quantas', 'count'],
  ['durante quantos', 'count'],
  ['durante quantas', 'count'],
];

/** A comparative said in words: the measure's concept, the comparison, and where the "que" that follows stands. */
export interface Comparative {
  /** The last token of "mais rápido". */
  end: number;
  cmp: readonly ['gt' | 'lt', string];
  /** "que" / "do que", when it follows. */
  than?: readonly [number, number];
}

/**
 * "mais rápido que", "menos pesado do que", "mais barato": "mais/menos" before an adjective that names a measure.
 * A bare "o mais rápido" with no "que" is the superlative, read elsewhere (MEASURE_ADJECTIVES): undefined then.
 */
export function comparativeAt(tokens: readonly Token[], i: number): Comparative | undefined {
  const more = tokens[i]?.norm;
  if (more !== 'mais' && more !== 'menos') return undefined;
  const adj = MEASURE_ADJECTIVES.get(tokens[i + 1]?.norm ?? '');
  if (!adj) return undefined;
  const higher = (adj[0] === 'high') === (more === 'mais');
  const next = tokens[i + 2]?.norm;
  const than: [number, number] | undefined =
    next === 'que'
      ? [i + 2, i + 2]
      : next === 'do' && tokens[i + 3]?.norm === 'que'
        ? [i + 2, i + 3]
        : undefined;
  if (!than) return undefined;
  return { end: i + 1, cmp: [higher ? 'gt' : 'lt', adj[1]], than };
}

/** Participles of placing: "o país mais bem COLOCADO", "a equipe melhor CLASSIFICADA". */
const PLACED = /^(colocad|classificad)(o|a|os|as)$/;

/**
 * "mais bem colocado", "melhor classificada": the best place, i.e. the lowest number in the place column (English
 * says "top placed"). Returns the last token of the phrase at i, or undefined.
 */
export function bestPlacedAt(tokens: readonly Token[], i: number): number | undefined {
  const a = tokens[i]?.norm;
  if (a === 'mais' && tokens[i + 1]?.norm === 'bem' && PLACED.test(tokens[i + 2]?.norm ?? '')) return i + 2;
  if (a === 'melhor' && PLACED.test(tokens[i + 1]?.norm ?? '')) return i + 1;
  return undefined;
}

/** Countries whose Portuguese name has several words, in another order than the English one tables are written in. */
const COUNTRY_NAMES: ReadonlyMap<string, string> = new Map([
  ['estados unidos', 'united states'],
  ['reino unido', 'united kingdom'],
  ['coreia do sul', 'south korea'],
  ['coreia do norte', 'north korea'],
  ['africa do sul', 'south africa'],
  ['nova zelandia', 'new zealand'],
  ['paises baixos', 'netherlands'],
  ['republica tcheca', 'czech republic'],
  ['emirados arabes unidos', 'united arab emirates'],
  ['arabia saudita', 'saudi arabia'],
  ['costa do marfim', 'ivory coast'],
]);

/** "Estados Unidos" at i (two to four words, folded): the English name and the last token of the phrase. */
export function countryNameAt(
  tokens: readonly Token[],
  i: number,
): { english: string; end: number } | undefined {
  for (let len = 4; len >= 2; len--) {
    if (i + len > tokens.length) continue;
    const phrase = tokens
      .slice(i, i + len)
      .map((t) => t.norm)
      .join(' ');
    const english = COUNTRY_NAMES.get(phrase);
    if (english) return { english, end: i + len - 1 };
  }
  return undefined;
}
