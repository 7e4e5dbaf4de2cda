/**
 * Outcomes said with a verb or a noun (issue 13): "how many games did they WIN", "how many WINS", "number of
 * VICTORIES", "quantas DERROTAS", "how many games ended in a DRAW" — over a column that records each row's outcome
 * ("Result": "W 29–17", "L 16–10"; "Res.": "Win", "Loss"; "Resultado": "V", "E", "D"). The word is a condition on
 * that column: the cells whose first word says that outcome. Without such a column the word stays unexplained and
 * the question is refused (context-words.ts).
 */
import type { ColumnCatalog, TableCatalog } from '../data/catalog-types.js';
import { fold } from './normalize.js';
import type { Reading } from './reading.js';
import type { Filter, Outcome } from './types.js';

/** Words of each outcome, both languages (verbs and nouns; not "-ing" adjectives: "the WINNING score"). */
const WORDS: Record<Outcome, ReadonlySet<string>> = {
  win: new Set(
    'win wins won victory victories vitoria vitorias venceu venceram vencidos vencidas ganhou ganharam'.split(
      ' ',
    ),
  ),
  loss: new Set('lose loses lost loss losses derrota derrotas perdeu perderam perdidos perdidas'.split(' ')),
  draw: new Set('draw draws drew drawn tie ties tied empate empates empatou empataram'.split(' ')),
};

/** First words of cells per outcome, by the language the cells are written in. */
const CELL_WORDS: Record<'en' | 'pt', Record<Outcome, string[]>> = {
  en: {
    win: ['w', 'won', 'win', 'victory'],
    loss: ['l', 'lost', 'loss', 'defeat'],
    draw: ['d', 't', 'draw', 'drawn', 'tie', 'tied'],
  },
  pt: { win: ['v', 'vitoria'], loss: ['d', 'derrota'], draw: ['e', 'empate'] },
};

const firstWord = (cell: string) => fold(cell).match(/[a-z]+/)?.[0] ?? '';

const byTable = new WeakMap<TableCatalog, { column: ColumnCatalog; lang: 'en' | 'pt' } | null>();

/**
 * The one text column most of whose cells start with an outcome ("W 3–1", "Loss", "Empate"), and the language of
 * those cells: "D" is a draw in English and a defeat in Portuguese, told apart by the other letters present.
 */
export function outcomeColumn(table: TableCatalog): { column: ColumnCatalog; lang: 'en' | 'pt' } | undefined {
  const cached = byTable.get(table);
  if (cached !== undefined) return cached ?? undefined;
  const all = new Set([...Object.values(CELL_WORDS.en), ...Object.values(CELL_WORDS.pt)].flat());
  const found = table.columns.flatMap((c) => {
    if (c.type !== 'text' || c.top_values.length === 0) return [];
    const rows = c.top_values.reduce((n, v) => n + v.count, 0);
    const firsts = c.top_values.map((v) => ({ word: firstWord(v.value), count: v.count }));
    const outcome = firsts.filter((f) => all.has(f.word)).reduce((n, f) => n + f.count, 0);
    if (outcome * 10 < rows * 8) return [];
    const words = new Set(firsts.map((f) => f.word));
    const en = ['w', 'l', 'won', 'lost', 'win', 'loss'].some((w) => words.has(w));
    const pt = ['v', 'vitoria', 'derrota', 'empate', 'e'].some((w) => words.has(w));
    if (en === pt) return [];
    return [{ column: c, lang: en ? ('en' as const) : ('pt' as const) }];
  });
  const result = found.length === 1 ? found[0]! : null;
  byTable.set(table, result);
  return result ?? undefined;
}

/** The first words of the cells that say `outcome` in that column's language. */
export function outcomeCellWords(lang: 'en' | 'pt', outcome: Outcome): string[] {
  return CELL_WORDS[lang][outcome];
}

/** A word of an outcome ("wins", "loses", "empates"): never a filler where the rows are counted. */
export function isOutcomeWord(norm: string): boolean {
  return Object.values(WORDS).some((words) => words.has(norm));
}

/** Reads outcome words into conditions on the outcome column, marking them; nothing when there is no such column. */
export function readOutcomes(r: Reading): Filter[] {
  const filters: Filter[] = [];
  for (const m of r.marks) {
    if (r.used.has(m) || m.start !== m.end || !(m.kind === 'unknown' || m.kind === 'stop' || m.kind === 'kw'))
      continue;
    const norm = r.tokens[m.start]!.norm;
    const outcome = (Object.keys(WORDS) as Outcome[]).find((o) => WORDS[o].has(norm));
    if (!outcome) continue;
    // Looked for only once an outcome word is said: finding the column reads every cell of the table.
    const found = outcomeColumn(r.index.table);
    if (!found) return [];
    // One outcome per question: "wins and losses" asks for two numbers.
    if (filters.length > 0) return filters;
    r.used.add(m);
    filters.push({ kind: 'outcome', column: found.column, outcome, lang: found.lang });
  }
  return filters;
}
