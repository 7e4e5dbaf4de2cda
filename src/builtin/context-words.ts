/**
 * Words a question may carry that add no condition to it (issue 13, "answer only what was understood"): they are
 * understood without a role, so a reading that leaves them unused still explains the whole question.
 *
 *  - fillers about the table itself: "listed", "on the chart", "shown", "according to the table";
 *  - verbs that only say what a row records: "released", "played", "held", "finished", "was elected" — a table of
 *    albums lists albums released, a table of races lists races held. Outcome verbs (won, lost, beat) are NOT here:
 *    in a table with a result column they are a condition ("how many games did they win").
 *
 * General vocabulary only, in both languages, compared by stem so every inflection counts ("list", "listed",
 * "listados"). Nothing here names a particular data set.
 */
import { stem } from './lexicon.js';
import type { Token } from './normalize.js';

const FILLERS = [
  // en
  'listed chart charts table tables roster shown mentioned according given currently ever only other others one ones',
  'both either also just entire whole overall respectively approximately about exactly altogether',
  // pt
  'listado listados listada listadas grafico graficos mostrado mostrados mostrada mostradas citado citados citada',
  'citadas apenas somente tambem ambos ambas inteiro inteira atualmente aproximadamente cerca',
].join(' ');

const EVENT_VERBS = [
  // en (base forms and irregular past forms; regular endings reach them through the stem)
  'play played playing finish finished place placed come came hold held release released record recorded',
  'score scored scoring elect elected appoint appointed serve served represent represented present presented',
  'produce produced publish published begin began begun start started end ended complete completed compete',
  'competed participate participated take took taken happen happened occur occurred achieve achieved attend',
  'attended feature featured appear appeared host hosted build built found founded establish established air',
  'aired broadcast locate located own owned earn earned receive received award awarded give gave get got',
  'make made go went join joined mention call called know known list enter entered rank ranked run ran',
  'open opened close closed launch launched sign signed debut debuted open operate operated',
  // pt
  'jogou jogaram jogado jogada terminou terminaram terminado ficou ficaram realizado realizada realizados',
  'realizou realizaram lancado lancada lancados lancadas lancou lancaram gravado gravada gravou eleito eleita',
  'eleitos eleitas nomeado nomeada recebeu receberam disputou disputaram participou participaram construido',
  'construida fundado fundada fundou publicado publicada publicou estreou estreia apareceu aparece aparecem',
  'aparecer entrou entraram marcou marcaram sediou sediado sediada ocorreu aconteceu comecou iniciou',
  'representou representa possui possuem pertence pertencem localizado localizada situado situada',
].join(' ');

const fillerStems = new Set(FILLERS.split(/\s+/).map(stem));
const verbStems = new Set(EVENT_VERBS.split(/\s+/).map(stem));
const verbNorms = new Set(EVENT_VERBS.split(/\s+/));

/** A filler word or an event verb: understood, with nothing to compute or filter. */
export function isContextWord(tokens: Token[], i: number): boolean {
  const t = tokens[i];
  if (!t) return false;
  return fillerStems.has(t.stem) || fillerStems.has(t.norm) || verbNorms.has(t.norm) || verbStems.has(t.stem);
}
