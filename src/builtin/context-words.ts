/**
 * Words a question may carry that add no condition to it (issue 13, "answer only what was understood"): they are
 * understood without a role, so a reading that leaves them unused still explains the whole question.
 *
 *  - fillers about the table itself: "listed", "on the chart", "shown", "according to the table", and "the name
 *    of" where no column is called name (one that is wins first, as a column);
 *  - verbs that only say what a row records: "released", "played", "held", "finished", "was elected" — a table of
 *    albums lists albums released, a table of races lists races held. Outcome verbs (won, lost, beat) are NOT here:
 *    in a table with a result column they are a condition ("how many games did they win").
 *
 * General vocabulary only, in both languages, compared by stem so every inflection counts ("list", "listed",
 * "listados"). Nothing here names a particular data set.
 */
import type { ColumnCatalog, TableCatalog } from '../data/catalog-types.js';
import { stem } from './lexicon.js';
import { fold, type Token } from './normalize.js';

const FILLERS = [
  // en
  'listed chart charts table tables roster shown mentioned according given currently ever other others one ones',
  'both either also just entire whole overall respectively approximately about exactly altogether name names',
  'amount amounts',
  // pt
  'listado listados listada listadas grafico graficos mostrado mostrados mostrada mostradas citado citados citada',
  'citadas tambem ambos ambas inteiro inteira atualmente aproximadamente cerca nome nomes quadro lista como',
  'outro outra outros outras',
].join(' ');

const EVENT_VERBS = [
  // en: base forms that are not also common nouns, and irregular past forms; regular -ed/-ing forms of any of
  // these reach them through the stem ("placed", "recorded", "hosting").
  'play finish place come came hold held release record scored score elect appoint serve represent present',
  'produce publish begin began begun start end complete compete participate take took taken happen occur',
  'achieve attend feature appear host build built found establish air broadcast locate own earn receive award',
  'give gave given get got make made go went gone join mention call know known enter rank ran run open close',
  'launch sign debut operate compose write wrote written direct star perform sing sang sung record tour visit',
  'select draft pick choose chose chosen ride rode ridden riding drive drove driven driving',
  // pt
  'jogou jogaram jogado jogada terminou terminaram terminado ficou ficaram realizado realizada realizados',
  'realizou realizaram lancado lancada lancados lancadas lancou lancaram gravado gravada gravou eleito eleita',
  'eleitos eleitas nomeado nomeada recebeu receberam disputou disputaram participou participaram construido',
  'construida fundado fundada fundou publicado publicada publicou estreou apareceu aparece aparecem',
  'aparecer entrou entraram marcou marcaram sediou sediado sediada ocorreu aconteceu aconteceram comecou',
  'iniciou representou representa possui possuem pertence pertencem localizado localizada situado situada',
  'chegou chegaram foram teve tiveram atuou atuaram escreveu dirigiu cantou compos veio vieram vem atua atuam',
  'fica ficam enfrentou enfrentaram conquistou conquistaram obteve obtiveram exibido exibidos exibida exibidas',
  'transmitido transmitida disputado disputada disputados disputadas jogam joga selecionado selecionada',
  'selecionados selecionadas escolhido escolhida escolhidos escolhidas ocupar ocupou ocuparam ocupa ocupam',
  'cumpriu cumpriram serviu serviram exerceu exerceram premiado premiada premiados premiadas premiou corria corriam correu correram pilotava pilotavam pilotou',
].join(' ');

const OUTCOME_VERBS = [
  'win wins won winning lose loses lost losing beat beats beaten defeat defeats defeated draw draws drew tie tied',
  'ganhou ganharam ganha venceu venceram vence vencido vencida perdeu perderam perde perdido empatou empataram',
  'derrotou derrotaram derrotado derrotada ganho ganhos ganhas vencidos vencidas conquistado conquistados',
  'conquistada conquistadas',
].join(' ');

/** First words of cells that record an outcome: "W 3–1", "L", "Won", "Draw", "Vitória". */
const OUTCOME_CELL =
  /^\W*(w|l|d|t|won|lost|win|loss|draw|drawn|tie|tied|victory|defeat|v|e|vitoria|derrota|empate)\b/i;

const fillerStems = new Set(FILLERS.split(/\s+/).map(stem));
const outcomeNorms = new Set(OUTCOME_VERBS.split(/\s+/));
const verbStems = new Set(EVENT_VERBS.split(/\s+/).map(stem));
/** Base forms that are also common nouns: they count only when inflected ("placed", not "first place"). */
const NOUN_LIKE = new Set(
  'place record score rank run open close end start found air host feature present award call mention release tour star visit sign debut pick draft'.split(
    ' ',
  ),
);
const verbNorms = new Set(EVENT_VERBS.split(/\s+/).filter((w) => !NOUN_LIKE.has(w)));
// Nouns spelled like a verb ("the score", "a record", "first place") are not verbs: only inflected forms count by stem.
const INFLECTED = /(ed|ing)$/;
const outcomeByTable = new WeakMap<TableCatalog, boolean>();
const TAKE = new Set(['take', 'takes', 'took', 'taken', 'taking']);
const ONLY = new Set(['only', 'unico', 'unica', 'unicos', 'unicas']);
const ARTICLES = new Set(['the', 'o', 'a', 'os', 'as']);
const AUXILIARY = new Set(['did', 'does', 'do', 'will']);
/** Words after which an -ing/-ed outcome is a verb again ("won BY", "winning IN"). */
const STOP_AFTER = new Set(['by', 'in', 'at', 'on', 'the', 'a', 'an', 'to', 'against', 'over', 'of']);

/** Column names that hold outcomes in another form: "W–L" records, results, scores. */
const OUTCOME_COLUMN =
  /(^|_)(w_l|wl|w_d_l|result|results|outcome|outcomes|record|score|decision|res|resultado|placar)($|_)/;

/**
 * Whether the table records outcomes: a column named for them ("Result", "W–L", "Score"), or a text column most of
 * whose cells start like "W", "Lost", "Draw".
 */
function recordsOutcomes(table: TableCatalog): boolean {
  return table.columns.some((c) => {
    if (OUTCOME_COLUMN.test(c.name)) return true;
    const values = c.top_values;
    if (c.type !== 'text' || values.length === 0) return false;
    const rows = values.reduce((n, v) => n + v.count, 0);
    const outcome = values.filter((v) => OUTCOME_CELL.test(fold(v.value))).reduce((n, v) => n + v.count, 0);
    return outcome * 2 >= rows;
  });
}

/**
 * Verbs whose doer is a column of its own ("who OWNS the yacht" → Owner, "who WROTE it" → Writer/Author): where the
 * table has that column the verb says which column the question is about, so a reading that neither answers with
 * it nor filters on it has dropped the verb (it would answer with the row's label instead): see agentVerbs.
 */
const AGENT_NOUNS: ReadonlyArray<readonly [string, RegExp]> = [
  ['own owns owned owning possui possuem pertence pertencem', /^(owner|owners|proprietario|dono|donos)$/],
  [
    'write wrote written writes writing escreveu escreveram escrito escrita',
    /^(writer|writers|author|authors|escritor|autor|autores|lyricist)$/,
  ],
  [
    'direct directed directs directing dirigiu dirigido dirigida',
    /^(director|directors|diretor|diretores|diretora)$/,
  ],
  ['compose composed composes compos composto composta', /^(composer|composers|compositor|compositores)$/],
  [
    'sing sang sung sings cantou cantado cantada',
    /^(singer|singers|vocalist|vocals|cantor|cantora|cantores)$/,
  ],
  ['perform performed performs performing', /^(performer|performers)$/],
  ['build built builds construido construida construiu', /^(builder|builders|construtor|construtora)$/],
  ['found founded founds fundou fundado fundada', /^(founder|founders|fundador|fundadores)$/],
  ['publish published publishes publicou publicado publicada', /^(publisher|publishers|editora)$/],
  ['produce produced produces produziu produzido produzida', /^(producer|producers|produtor|produtora)$/],
];
const agentOf = new Map<string, RegExp>();
for (const [verbs, noun] of AGENT_NOUNS) for (const v of verbs.split(' ')) agentOf.set(v, noun);
const agentColumns = new WeakMap<TableCatalog, Map<RegExp, ColumnCatalog[]>>();

/** The table's columns named for the doer of this verb (none for other words). */
function doerColumns(norm: string, table: TableCatalog): ColumnCatalog[] {
  const noun = agentOf.get(norm);
  if (!noun) return [];
  let known = agentColumns.get(table);
  if (!known) {
    known = new Map();
    agentColumns.set(table, known);
  }
  let cols = known.get(noun);
  if (cols === undefined) {
    cols = table.columns.filter((c) =>
      fold(c.label || c.name)
        .split(/[^a-z0-9]+/)
        .some((w) => noun.test(w)),
    );
    known.set(noun, cols);
  }
  return cols;
}

/** The question's verbs whose doer is a column of the table, each with those columns. */
export function agentVerbs(
  tokens: Token[],
  table: TableCatalog,
): { verb: Token; columns: ColumnCatalog[] }[] {
  const found: { verb: Token; columns: ColumnCatalog[] }[] = [];
  for (const t of tokens) {
    const columns = t.quoted ? [] : doerColumns(t.norm, table);
    if (columns.length > 0) found.push({ verb: t, columns });
  }
  return found;
}

/** A filler word or an event verb: understood, with nothing to compute or filter. */
export function isContextWord(tokens: Token[], i: number, table: TableCatalog): boolean {
  const t = tokens[i];
  if (!t || t.quoted) return false;
  // "LOSING candidates", "WINNING record": an outcome said of a noun is a condition on it.
  if (
    outcomeNorms.has(t.norm) &&
    /(ing|ed)$/.test(t.norm) &&
    i + 1 < tokens.length &&
    !STOP_AFTER.has(tokens[i + 1]!.norm)
  )
    return false;
  if (outcomeNorms.has(t.norm)) {
    let outcomes = outcomeByTable.get(table);
    if (outcomes === undefined) {
      outcomes = recordsOutcomes(table);
      outcomeByTable.set(table, outcomes);
    }
    return !outcomes;
  }
  if (fillerStems.has(t.stem) || fillerStems.has(t.norm)) return true;
  // "THE ONLY year that …" presumes one answer, it adds no condition; "won ONLY bronze medals" does, so "only"
  // counts as a filler only after an article.
  if (ONLY.has(t.norm)) return ARTICLES.has(tokens[i - 1]?.norm ?? '');
  if (verbNorms.has(t.norm) || (INFLECTED.test(t.norm) && verbStems.has(t.stem))) return true;
  // "comes", "appears": a third person; "to air", "took place": a noun-like verb where only a verb fits.
  if (t.norm.endsWith('s') && verbNorms.has(t.norm.slice(0, -1))) return true;
  const before = tokens[i - 1]?.norm ?? '';
  if (!NOUN_LIKE.has(t.norm)) return false;
  // "to air", "took place", and the verb that ends a question asked with did/does ("when did it air?").
  const asked = i === tokens.length - 1 && tokens.slice(0, i).some((x) => AUXILIARY.has(x.norm));
  return before === 'to' || TAKE.has(before) || asked;
}
