/**
 * The noun a question uses for the table's rows (issue 13): "how many GAMES did Toronto play", "the last EPISODE",
 * "which BUILDING had the fewest floors" — no column is named games, episode or building; the noun is what every row
 * is. Two limits keep this from answering questions about things the table does not hold:
 *
 * - quantities are not rows: "how many POINTS/GOALS/VOTES …" asks for a number recorded in a column (summed or
 *   looked up), so counting rows would answer another question;
 * - a table whose name already says what its rows are ("vendas.csv", "flights.json") has its rows named: another
 *   noun there is something the table lacks ("how many employees are in each store" over sales). Only a table named
 *   by a code ("t203_74.csv") or a generic word ("data", "export", "Sheet1") leaves the noun to the question.
 */
import { isContextWord } from './context-words.js';
import { KEYWORD_PHRASES, STOPWORDS, stem } from './lexicon.js';
import type { Token } from './normalize.js';
import { editDistance, type TableIndex } from './schema-match.js';

/** Quantities usually recorded as numbers: counted, they are a column's values, not rows. Both languages. */
const QUANTITIES = new Set(
  [
    'point points goal goals win wins victory victories loss losses defeat defeats draw draws tie ties lap laps',
    'medal medals vote votes seat seats title titles run runs yard yards assist assists rebound rebounds',
    'appearance appearances cap caps floor floors stroke strokes death deaths casualty casualties kill kills try',
    'tries touchdown touchdowns sack sacks save saves hit hits error errors passenger passengers viewer viewers',
    'spectator spectators attendee attendees visitor visitors acre acres kilometre kilometres kilometer',
    'kilometers km mile miles meter meters metre metres foot feet inch inches pound pounds ton tons dollar dollars',
    'ponto pontos gol gols vitoria vitorias derrota derrotas empate empates volta voltas medalha medalhas voto',
    'votos assento assentos cadeira cadeiras titulo titulos corrida corridas jarda jardas assistencia',
    'assistencias rebote rebotes aparicao aparicoes andar andares tacada tacadas morte mortes vitima vitimas',
    'passageiro passageiros espectador espectadores visitante visitantes metro metros quilometro quilometros',
    'milha milhas pe pes polegada polegadas libra libras tonelada toneladas dolar dolares real reais',
  ]
    .join(' ')
    .split(' '),
);

/** Words that name no kind of row in a file name. */
const GENERIC_NAMES = new Set(
  'data dados export exported sheet sheet1 planilha tabela table tables file arquivo untitled book pasta list lista download query result results output'.split(
    ' ',
  ),
);

const rowsNamed = new WeakMap<TableIndex, boolean>();

/** Whether the table's own name says what its rows are (a word that is neither a code nor generic). */
function tableNamesItsRows(index: TableIndex): boolean {
  let named = rowsNamed.get(index);
  if (named === undefined) {
    named = index.tableWords.some((w) => /^\p{L}{3,}$/u.test(w.norm) && !GENERIC_NAMES.has(w.norm));
    rowsNamed.set(index, named);
  }
  return named;
}

/** A quantity noun ("points", "votos"): what a number column records. */
export function isQuantityNoun(tok: Token): boolean {
  return QUANTITIES.has(tok.norm) || QUANTITIES.has(stem(tok.norm));
}

/** The unknown word at `i` can stand for the table's rows ("games", "episode", "golfistas"). */
export function isRowNoun(tokens: Token[], i: number, index: TableIndex, afterWhich = false): boolean {
  const t = tokens[i];
  if (!t || t.quoted || t.num !== undefined || !/^\p{L}{3,}$/u.test(t.norm)) return false;
  // A past participle is a verb ("which was SCUTTLED earlier"), not what the rows are.
  if (t.norm.length > 4 && /(ed|ado|ada|ados|adas|ido|ida|idos|idas)$/.test(t.norm)) return false;
  if (STOPWORDS.has(t.norm) || KEYWORD_PHRASES.has(t.norm) || isQuantityNoun(t) || misspeltQuantity(t))
    return false;
  // Right after "which", an -ing word is a noun ("which BUILDING", "which RECORDING"), not a verb.
  if (isContextWord(tokens, i, index.table) && !(afterWhich && t.norm.endsWith('ing'))) return false;
  return !tableNamesItsRows(index);
}

/** "loses" for "losses": a quantity noun one letter off is still no name for the rows. */
function misspeltQuantity(t: Token): boolean {
  if (t.norm.length < 5) return false;
  for (const q of QUANTITIES)
    if (q.length >= 5 && q[0] === t.norm[0] && editDistance(q, t.norm, 1) <= 1) return true;
  return false;
}
