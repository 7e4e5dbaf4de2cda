import { ANSWER_WORDS, asksYesNo, compareShape } from './compare.js';
import { agentVerbs } from './context-words.js';
import { unexplained } from './coverage.js';
import { readFilters } from './filters.js';
import { readGroups } from './grouping.js';
import type { Keyword, Lang } from './lexicon.js';
import { lookupShape } from './lookup.js';
import type { Token } from './normalize.js';
import { checkPlausible, columnsRead } from './plausible.js';
import {
  AGGREGATE_WORDS,
  fail,
  isKw,
  type ParseFailure,
  Reading,
  tokenText,
  UNIT_BUCKET,
  yearColumn,
} from './reading.js';
import { readRoles } from './roles.js';
import { rowOrderShape } from './row-order.js';
import type { Mark, TableIndex } from './schema-match.js';
import { aggregateShape } from './shapes.js';
import type { Intent } from './types.js';

export type { FailCode, ParseFailure } from './reading.js';
export { tokenText } from './reading.js';

export interface ParseSuccess {
  ok: true;
  intent: Intent;
  confidence: number;
}

export type ParseResult = ParseSuccess | ParseFailure;

export interface ParseInput {
  tokens: Token[];
  marks: Mark[];
  index: TableIndex;
  lang: Lang;
}

const BEST_WORST: Record<string, Keyword | undefined> = {
  best: 'high',
  melhor: 'high',
  melhores: 'high',
  worst: 'low',
  pior: 'low',
  piores: 'low',
};

export function parseIntent({ tokens, marks: recognized, index, lang }: ParseInput): ParseResult {
  let marks = recognized;
  // "best/melhor" right before a number column only means highest ("the best average mpg"); elsewhere it is an
  // opinion ("a melhor categoria para investir").
  marks = marks.map((m, i) => {
    const dir = m.kind === 'kw' && m.kw === 'refuse' ? BEST_WORST[tokens[m.start]!.norm] : undefined;
    if (!dir) return m;
    let k = i + 1;
    while (k < marks.length && (marks[k]!.kind === 'stop' || isKw(marks[k], ...AGGREGATE_WORDS))) k++;
    const next = marks[k];
    return next?.kind === 'col' && next.col.numeric ? { ...m, kw: dir } : m;
  });
  const refuse = marks.find((m) => isKw(m, 'refuse'));
  if (refuse) return fail('refuse_topic', [tokenText(tokens, refuse)]);

  const r = new Reading(tokens, marks, index);
  const { used } = r;

  const fr = readFilters(r);
  if ('ok' in fr) return fr;
  const { filters } = fr;
  const gr = readGroups(r);
  if ('ok' in gr) return gr;
  const { group2 } = gr;

  const x = readRoles(r, fr, gr);
  if ('ok' in x) return x;
  const { has, measure } = x;
  const date = r.date;
  // Comparisons of two named things, then row order ("the coach after X" must not become a comparison with nothing
  // to compare), then the aggregate shapes.
  const compared = compareShape(x, lang);
  if (compared && 'ok' in compared) return compared;
  const ordered = compared ?? rowOrderShape(x) ?? lookupShape(x);
  if (ordered && 'ok' in ordered) return ordered;

  // A comparison with nothing to compare ("price above", "entre") would be silently dropped: say so instead.
  const dangling = marks.find(
    (m) => !used.has(m) && isKw(m, 'gt', 'gte', 'lt', 'lte', 'between', 'after', 'before'),
  );
  if (dangling) return fail('number_target', [tokenText(tokens, dangling)]);

  // A number nothing used would be silently ignored: better to say so.
  const strayNumber = marks.find((m) => m.kind === 'num' && !used.has(m));
  if (strayNumber) return fail('number_target', [tokenText(tokens, strayNumber)]);

  // Time words with no date column to refer to ("nos dias de neve" in a table without dates).
  if (!date && !yearColumn(index)) {
    const timeWord = marks.find(
      (m) => !used.has(m) && m.kind === 'kw' && UNIT_BUCKET[m.kw] && m.kw !== 'unit:day',
    );
    if (timeWord) return fail('no_date_column', [tokenText(tokens, timeWord)]);
  }
  let intent: Intent | undefined = ordered;
  if (!intent) {
    const shaped = aggregateShape(x);
    if (shaped && 'ok' in shaped) return shaped;
    intent = shaped;
  }

  if (intent && group2) {
    // Two groupings only make sense for a per-group aggregate.
    if (intent.shape !== 'aggregate' || !intent.group) return fail('several_groups');
    intent.group2 = group2;
  }

  const percentMark = marks.find((m) => isKw(m, 'percent'));
  if (percentMark) {
    const share = intent && asPercent(intent);
    if (!share) return fail('percent_form', [tokenText(tokens, percentMark)]);
    intent = share;
  }

  if (!intent) {
    if (has(...AGGREGATE_WORDS, 'high', 'low', 'howmuch') && !measure) return fail('no_measure');
    return fail('nothing');
  }

  // "what / which / who …", wherever it stands ("… and which other one?"), asks for one thing, not whole rows.
  const asksForOneThing = marks.some((m) => isKw(m, 'which', 'who', 'when'));
  // "which building has the fewest floors" read as MIN(floors): a number where a thing was asked.
  // (Only as the question's word: "the average fare of those WHO survived" asks for a number.)
  const opener = ['in', 'on', 'at', 'for', 'em', 'de', 'por'].includes(tokens[0]?.norm ?? '') ? 1 : 0;
  const asksWhichThing = ['which', 'who', 'quem'].includes(tokens[opener]?.norm ?? '');
  if (
    asksWhichThing &&
    intent.shape === 'aggregate' &&
    !intent.group &&
    ['max', 'min', 'sum', 'avg'].includes(intent.agg)
  )
    return fail('nothing');
  // "what is the largest TOWER" over "Tower height": one word of a longer header is more likely the thing asked for
  // than the measure — the largest value alone would answer another question.
  const partialMeasure = x.measureMark && !x.measureMark.full;
  if (
    intent.shape === 'aggregate' &&
    (intent.agg === 'max' || intent.agg === 'min') &&
    partialMeasure &&
    marks.some((m) => isKw(m, 'which', 'who'))
  )
    return fail('nothing');
  const checked = checkPlausible(intent, asksForOneThing);
  if ('ok' in checked) return checked;
  intent = checked;
  // "who OWNS the first yacht" read as the first yacht: the verb's own column (Owner) was left out of the reading.
  const read = columnsRead(intent);
  const dropped = agentVerbs(tokens, index.table).find((a) => !a.columns.some((c) => read.includes(c)));
  if (dropped) return fail('unknown_words', [dropped.verb.raw]);
  // "are there fewer than 10,000 people in Richland?": a yes/no question over rows is whether any row meets it —
  // unless it offers a choice ("was it recorded in Japanese OR Korean?" asks which).
  const choice = marks.some((m) => isKw(m, 'or'));
  if (
    intent.shape === 'list' &&
    asksYesNo(tokens) &&
    intent.filters.length > 0 &&
    !asksForOneThing &&
    !choice
  ) {
    const { yes, no } = ANSWER_WORDS[lang];
    intent = { ...intent, columns: [], distinct: false, limit: undefined, exists: { yes, no } };
  }

  // Answer only what was understood: a word the reading leaves unexplained is a condition it would drop.
  const left = unexplained(r, intent);
  if (left.length > 0)
    return fail(
      'unknown_words',
      left.map((m) => tokenText(tokens, m)),
    );
  // Words that pointed at columns but ended with no role lower confidence a little (they may be context: "dos países").
  const idle = marks.filter((m) => m.kind === 'col' && !used.has(m));
  r.confidence -= 0.05 * idle.length;
  if (index.dateColumns.length > 1 && filters.some((f) => f.kind === 'datepart' || f.kind === 'datebetween'))
    r.confidence -= 0.1;
  return { ok: true, intent, confidence: Math.max(0, Math.min(1, r.confidence)) };
}

/**
 * A percentage question, read as a count, becomes one of the two shares it can mean — or none, and the question is
 * refused rather than guessed:
 *  - one condition: the percentage of rows that meet it, per group if grouped ("porcentagem de vendas da loja
 *    Centro", "percentage of faults by sensor");
 *  - no condition and a grouping: each group's share of the total count or sum ("percentual de vendas por loja").
 * With several conditions it would be unclear which one defines the whole.
 */
function asPercent(intent: Intent): Intent | undefined {
  if (intent.shape !== 'aggregate' || intent.more || intent.group2 || intent.measureBucket || intent.having)
    return undefined;
  if (intent.agg === 'count' && intent.filters.length === 1) {
    return { ...intent, agg: 'percent', measure: undefined, share: intent.filters[0], filters: [] };
  }
  if (intent.group && intent.filters.length === 0 && (intent.agg === 'count' || intent.agg === 'sum')) {
    return { ...intent, agg: 'percent', measure: intent.agg === 'sum' ? intent.measure : undefined };
  }
  return undefined;
}
