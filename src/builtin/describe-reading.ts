/**
 * "Show the reading" (issue 13, item 7): one sentence, in the question's language, saying what was computed — the
 * operation, the columns by their headers and the conditions with their values — so a user can catch a wrong
 * reading at a glance: "Counted the rows where Country = France." / "Contei as linhas em que País = France."
 * It describes the Intent, not the result (the answer sentence does that), and names the rows left out (a table's
 * Total row).
 */
import type { ColumnCatalog } from '../data/catalog-types.js';
import { columnLabel, conditionsText, groupLabel, subjectOf } from './answer.js';
import type { Lang } from './lexicon.js';
import { excludeSummaryRows } from './table-rows.js';
import type { CompareValue, Filter, Intent } from './types.js';

type Words = Record<
  | 'where'
  | 'and'
  | 'rows'
  | 'summary'
  | 'highest'
  | 'lowest'
  | 'first'
  | 'last'
  | 'before'
  | 'after'
  | 'each',
  string
>;

const WORDS: Record<Lang, Words> = {
  en: {
    where: ' where ',
    and: ' and ',
    rows: 'the rows',
    summary: " (leaving out the table's total row)",
    highest: 'highest',
    lowest: 'lowest',
    first: 'first',
    last: 'last',
    before: 'before',
    after: 'after',
    each: ' for each ',
  },
  pt: {
    where: ' em que ',
    and: ' e ',
    rows: 'as linhas',
    summary: ' (sem a linha de total da tabela)',
    highest: 'maior',
    lowest: 'menor',
    first: 'primeira',
    last: 'última',
    before: 'antes',
    after: 'depois',
    each: ' para cada ',
  },
};

const columns = (cols: ColumnCatalog[], lang: Lang) => cols.map(columnLabel).join(', ') || WORDS[lang].rows;

function where(filters: Filter[], lang: Lang): string {
  const text = conditionsText(filters, lang);
  return text ? `${WORDS[lang].where}${text}` : '';
}

/** What one side of a comparison weighs, as a noun phrase. */
function weighs(value: CompareValue, lang: Lang): string {
  const pt = lang === 'pt';
  if (value.kind === 'measure') return `${pt ? 'o valor de' : 'the'} ${columnLabel(value.column)}`;
  if (value.kind === 'count') return pt ? 'o número de linhas' : 'the number of rows';
  return pt ? 'a posição na tabela' : 'the place in the table';
}

function compareText(intent: Intent & { shape: 'compare' }, lang: Lang): string {
  const pt = lang === 'pt';
  const [a, b] = intent.sides.map((side) => conditionsText([...side, ...intent.filters], lang) ?? '');
  const [va, vb] = Array.isArray(intent.value) ? intent.value : [intent.value, intent.value];
  const higher = intent.dir === 'asc' ? WORDS[lang].lowest : WORDS[lang].highest;
  const sideA = `${weighs(va, lang)} ${pt ? 'em que' : 'where'} ${a}`;
  const sideB = `${weighs(vb, lang)} ${pt ? 'em que' : 'where'} ${b}`;
  const byOrder = va.kind === 'order';
  const earlier = intent.dir === 'asc';
  switch (intent.op) {
    case 'which': {
      const pick = byOrder
        ? earlier
          ? pt
            ? 'que vem antes'
            : 'earlier'
          : pt
            ? 'que vem depois'
            : 'later'
        : higher;
      return pt
        ? `Comparei ${sideA} com ${sideB} e peguei o ${pick}.`
        : `Compared ${sideA} with ${sideB} and took the ${pick}.`;
    }
    case 'diff':
      return pt ? `Subtraí ${sideB} de ${sideA}.` : `Subtracted ${sideB} from ${sideA}.`;
    case 'absdiff':
      return pt
        ? `Calculei a diferença entre ${sideA} e ${sideB}.`
        : `Took the difference between ${sideA} and ${sideB}.`;
    case 'moreless':
      return pt
        ? `Comparei ${sideA} com ${sideB}: mais, menos ou igual.`
        : `Compared ${sideA} with ${sideB}: more, less or the same.`;
    case 'yesno':
      return pt
        ? `Verifiquei se ${sideA} é ${intent.dir === 'asc' ? 'menor' : 'maior'} que ${sideB}.`
        : `Checked whether ${sideA} is ${intent.dir === 'asc' ? 'lower' : 'higher'} than ${sideB}.`;
  }
}

function aggregateText(intent: Intent & { shape: 'aggregate' }, lang: Lang): string {
  const pt = lang === 'pt';
  // "gold and silver medals": the columns added together, named together.
  const m = [intent.measure, ...(intent.plus ?? [])]
    .filter((c) => c !== undefined)
    .map(columnLabel)
    .join(WORDS[lang].and);
  let what: string;
  switch (intent.agg) {
    case 'count':
      what = pt ? 'Contei as linhas' : 'Counted the rows';
      break;
    case 'count_distinct':
      what = pt ? `Contei os valores diferentes de ${m}` : `Counted the different values of ${m}`;
      break;
    case 'sum':
      what = pt ? `Somei ${m}` : `Added up ${m}`;
      break;
    case 'min':
    case 'max':
      what = pt
        ? `Peguei o ${intent.agg === 'max' ? 'maior' : 'menor'} valor de ${m}`
        : `Took the ${intent.agg === 'max' ? 'highest' : 'lowest'} ${m}`;
      break;
    default:
      what = `${pt ? 'Calculei' : 'Computed'} ${subjectOf(intent.agg, intent.measure, lang, intent.measureBucket)}`;
  }
  const each = intent.group
    ? `${WORDS[lang].each}${groupLabel(intent.group, lang)}${intent.group2 ? `${WORDS[lang].and}${groupLabel(intent.group2, lang)}` : ''}`
    : '';
  return `${what}${each}${where(intent.filters, lang)}.`;
}

function text(intent: Intent, lang: Lang): string {
  const pt = lang === 'pt';
  const w = WORDS[lang];
  switch (intent.shape) {
    case 'aggregate':
      return aggregateText(intent, lang);
    case 'ranking': {
      const extreme = intent.dir === 'desc' ? w.highest : w.lowest;
      const kept = intent.limit === 1 ? '' : ` (${intent.limit})`;
      return pt
        ? `Ordenei cada ${groupLabel(intent.group, lang)} por ${subjectOf(intent.agg, intent.measure, lang)} e peguei o ${extreme}${kept}${where(intent.filters, lang)}.`
        : `Ranked each ${groupLabel(intent.group, lang)} by ${subjectOf(intent.agg, intent.measure, lang)} and took the ${extreme}${kept}${where(intent.filters, lang)}.`;
    }
    case 'toprows': {
      const extreme = intent.dir === 'desc' ? w.highest : w.lowest;
      const who = intent.entity ? columnLabel(intent.entity) : w.rows;
      const by = columnLabel(intent.orderBy);
      const n = intent.limit === 1 ? '' : ` ${intent.limit}`;
      return pt
        ? `Peguei${n} ${who} com ${intent.limit === 1 ? 'o' : 'os'} ${extreme} ${by}${where(intent.filters, lang)}.`
        : `Took the${n} ${who} with the ${extreme} ${by}${where(intent.filters, lang)}.`;
    }
    case 'position':
      return pt
        ? `Peguei ${columns(intent.columns, lang)} da ${intent.from === 'first' ? w.first : w.last} linha da tabela${where(intent.filters, lang)}.`
        : `Took ${columns(intent.columns, lang)} from the ${intent.from === 'first' ? w.first : w.last} row of the table${where(intent.filters, lang)}.`;
    case 'adjacent': {
      const side = intent.dir === 'prev' ? w.before : w.after;
      // On the page, a name listed more than once is read where it first appears.
      const first = intent.timeOrder ? '' : pt ? 'primeira ' : 'first ';
      const anchor = conditionsText(intent.anchor, lang) ?? '';
      const among = conditionsText(intent.filters, lang);
      const byTime = intent.timeOrder
        ? pt
          ? `, na ordem de ${columnLabel(intent.timeOrder)}`
          : `, in ${columnLabel(intent.timeOrder)} order`
        : '';
      const extra = `${
        among ? (pt ? `, entre as linhas em que ${among}` : `, among the rows where ${among}`) : ''
      }${byTime}`;
      if (intent.count)
        return pt
          ? `Contei as linhas listadas ${side} da ${first}linha em que ${anchor}${extra}.`
          : `Counted the rows listed ${side} the ${first}row where ${anchor}${extra}.`;
      return pt
        ? `Peguei ${columns(intent.columns, lang)} da linha logo ${side} da ${first}linha em que ${anchor}${extra}.`
        : `Took ${columns(intent.columns, lang)} from the row just ${side} the ${first}row where ${anchor}${extra}.`;
    }
    case 'compare':
      return compareText(intent, lang);
    case 'list':
      if (intent.exists)
        return pt
          ? `Verifiquei se alguma linha tem ${conditionsText(intent.filters, lang) ?? ''}.`
          : `Checked whether any row has ${conditionsText(intent.filters, lang) ?? ''}.`;
      return `${pt ? 'Listei' : 'Listed'} ${columns(intent.columns, lang)}${where(intent.filters, lang)}.`;
  }
}

/** The reading of a question, as a sentence in its language. */
export function describeReading(intent: Intent, lang: Lang): string {
  // Portuguese contracts "por o/a" into "pelo/pela".
  const sentence =
    lang === 'pt'
      ? text(intent, lang)
          .replace(/\bpor o\b/g, 'pelo')
          .replace(/\bpor a\b/g, 'pela')
      : text(intent, lang);
  return excludeSummaryRows(intent.table) ? `${sentence.slice(0, -1)}${WORDS[lang].summary}.` : sentence;
}
