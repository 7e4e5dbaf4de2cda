/**
 * Words for the user, in the question's language: what the engine understood (explanation), why it cannot answer,
 * and the plain answer sentence built from the executed result ("A média de preço por loja é: …").
 */
import type { ColumnCatalog } from '../data/catalog-types.js';
import type { FailCode, ParseFailure } from './intents.js';
import type { Lang } from './lexicon.js';
import type {
  Agg,
  AnswerTemplate,
  Bucket,
  Filter,
  GroupKey,
  Intent,
  Outcome,
  QueryResultLike,
} from './types.js';

/** A column as users know it: its original header, or its name with spaces, lower-cased unless it is an acronym. */
export function columnLabel(col: ColumnCatalog): string {
  const base = (col.label && col.label.trim() !== '' ? col.label : col.name).replace(/_/g, ' ').trim();
  return base
    .split(/\s+/)
    .map((w) => (w.length > 1 && w === w.toUpperCase() && /\p{L}/u.test(w) ? w : w.toLowerCase()))
    .join(' ');
}

const BUCKET_WORD: Record<Lang, Record<Bucket, string>> = {
  pt: { year: 'ano', month: 'mês', day: 'dia', week: 'semana', hour: 'hora', weekday: 'dia da semana' },
  en: { year: 'year', month: 'month', day: 'day', week: 'week', hour: 'hour', weekday: 'day of the week' },
};

export function groupLabel(g: GroupKey, lang: Lang): string {
  return g.bucket ? BUCKET_WORD[lang][g.bucket] : columnLabel(g.column);
}

export function subjectOf(agg: Agg, measure: ColumnCatalog | undefined, lang: Lang, bucket?: Bucket): string {
  const m = measure ? (bucket ? BUCKET_WORD[lang][bucket] : columnLabel(measure)) : '';
  const temporal = measure?.type === 'date' || measure?.type === 'datetime';
  if (lang === 'pt') {
    switch (agg) {
      case 'count':
        return 'o número de registros';
      case 'count_distinct':
        if (temporal && (!bucket || bucket === 'day')) return 'o número de dias';
        return `o número de valores distintos de ${m}`;
      case 'sum':
        return `o total de ${m}`;
      case 'avg':
        return `a média de ${m}`;
      case 'median':
        return `a mediana de ${m}`;
      case 'stddev':
        return `o desvio padrão de ${m}`;
      case 'percent':
        return m ? `a participação no total de ${m}` : 'a porcentagem dos registros';
      case 'min':
        return temporal ? `o valor mais antigo de ${m}` : `o mínimo de ${m}`;
      case 'max':
        return temporal ? `o valor mais recente de ${m}` : `o máximo de ${m}`;
    }
  }
  switch (agg) {
    case 'count':
      return 'the number of rows';
    case 'count_distinct':
      if (temporal && (!bucket || bucket === 'day')) return 'the number of days';
      return `the number of distinct ${m}`;
    case 'sum':
      return `the total ${m}`;
    case 'avg':
      return `the average ${m}`;
    case 'median':
      return `the median ${m}`;
    case 'stddev':
      return `the standard deviation of ${m}`;
    case 'percent':
      return m ? `the share of the total ${m}` : 'the percentage of rows';
    case 'min':
      return temporal ? `the earliest ${m}` : `the minimum ${m}`;
    case 'max':
      return temporal ? `the latest ${m}` : `the maximum ${m}`;
  }
}

const OP_WORD: Record<Lang, Record<string, string>> = {
  pt: { '>': 'acima de', '>=': 'de pelo menos', '<': 'abaixo de', '<=': 'até', '=': '=' },
  en: { '>': 'above', '>=': 'at least', '<': 'below', '<=': 'at most', '=': '=' },
};

function filterText(f: Filter, lang: Lang): string {
  const c = columnLabel(f.column);
  const and = lang === 'pt' ? ' e ' : ' and ';
  switch (f.kind) {
    case 'eq':
      return `${c} ${f.negate ? '≠' : '='} ${f.values.join(lang === 'pt' ? ' ou ' : ' or ')}`;
    case 'cmp':
      return `${c} ${OP_WORD[lang][f.op]} ${formatValue(f.value, lang)}`;
    case 'between':
      return `${c} ${lang === 'pt' ? 'entre' : 'between'} ${formatValue(f.low, lang)}${and}${formatValue(f.high, lang)}`;
    case 'datepart': {
      const units = DATE_UNITS[lang];
      const unit = f.format === '%Y' ? units.year : f.format.endsWith('%d') ? units.day : units.month;
      return `${unit} ${lang === 'pt' ? 'de' : 'of'} ${c} ${OP_WORD[lang][f.op]} ${f.value}`;
    }
    case 'datebetween':
      return `${lang === 'pt' ? 'ano de' : 'year of'} ${c} ${lang === 'pt' ? 'entre' : 'between'} ${f.low}${and}${f.high}`;
    case 'null':
      return lang === 'pt'
        ? `${c} ${f.negate ? 'preenchido' : 'vazio'}`
        : `${c} ${f.negate ? 'not empty' : 'empty'}`;
    case 'like':
      return `${c} = ${f.value}`;
    case 'anyOf':
      return `${f.columns.map(columnLabel).join(lang === 'pt' ? ' ou ' : ' or ')} = ${f.values.join(lang === 'pt' ? ' ou ' : ' or ')}`;
    case 'outcome':
      return `${c} = ${OUTCOME_WORDS[lang][f.outcome]}`;
    case 'textDate': {
      const date = [f.day, f.month, f.year].filter((x) => x !== undefined).join('/');
      return `${c} ${lang === 'pt' ? 'em' : 'on'} ${f.day === undefined ? `${lang === 'pt' ? 'mês' : 'month'} ${date}` : date}`;
    }
    case 'textYear':
      return `${c} ${f.op === '=' ? (lang === 'pt' ? 'inclui' : 'includes') : OP_WORD[lang][f.op]} ${f.value}`;
    case 'vsRow':
      return `${c} ${OP_WORD[lang][f.op]} ${lang === 'pt' ? 'o de' : 'that of'} ${conditionsText(f.anchor, lang)}`;
    case 'same': {
      const from = f.from ? ` (${columnLabel(f.from)})` : '';
      return lang === 'pt'
        ? `${c} igual ao${from} de ${conditionsText(f.anchor, lang)}`
        : `${c} the same as${from} where ${conditionsText(f.anchor, lang)}`;
    }
  }
}

const OUTCOME_WORDS: Record<Lang, Record<Outcome, string>> = {
  pt: { win: 'vitória', loss: 'derrota', draw: 'empate' },
  en: { win: 'win', loss: 'loss', draw: 'draw' },
};

const DATE_UNITS: Record<Lang, Record<'year' | 'month' | 'day', string>> = {
  pt: { year: 'ano', month: 'mês', day: 'dia' },
  en: { year: 'year', month: 'month', day: 'day' },
};

export function conditionsText(filters: Filter[], lang: Lang): string | undefined {
  if (filters.length === 0) return undefined;
  return filters.map((f) => filterText(f, lang)).join(lang === 'pt' ? ' e ' : ' and ');
}

/** The answer template: what describeResult needs to phrase the rows the SQL will return. */
export function templateFor(intent: Intent, lang: Lang): AnswerTemplate {
  const having =
    intent.shape === 'aggregate' && intent.having
      ? `${bare(subjectOf(intent.having.agg, intent.having.measure, lang))} ${OP_WORD[lang][intent.having.op]} ${formatValue(intent.having.value, lang)}`
      : undefined;
  const conditions =
    [conditionsText(intent.filters, lang), having].filter(Boolean).join(lang === 'pt' ? ' e ' : ' and ') ||
    undefined;
  switch (intent.shape) {
    case 'aggregate': {
      // "gold and silver medals": the columns added together are the subject, named together.
      const measure =
        intent.plus && intent.measure
          ? {
              ...intent.measure,
              label: [intent.measure, ...intent.plus].map(columnLabel).join(lang === 'pt' ? ' e ' : ' and '),
            }
          : intent.measure;
      const subjects = [intent.agg, ...(intent.more ?? [])].map((a) =>
        subjectOf(a, measure, lang, intent.measureBucket),
      );
      return {
        shape: intent.group ? 'grouped' : 'scalar',
        lang,
        subject: intent.share
          ? `${lang === 'pt' ? 'a porcentagem de registros com' : 'the percentage of rows with'} ${filterText(intent.share, lang)}`
          : subjects.join('; '),
        ...(subjects.length > 1 ? { subjects } : {}),
        unit: intent.agg === 'percent' ? '%' : undefined,
        by: intent.group
          ? `${groupLabel(intent.group, lang)}${intent.group2 ? (lang === 'pt' ? ' e ' : ' and ') + groupLabel(intent.group2, lang) : ''}`
          : undefined,
        conditions,
      };
    }
    case 'ranking':
      return {
        shape: 'ranking',
        lang,
        subject: subjectOf(intent.agg, intent.measure, lang),
        by: groupLabel(intent.group, lang),
        conditions,
        limit: intent.limit,
        dir: intent.dir,
        presumesRow: true,
      };
    case 'toprows':
      return {
        shape: 'ranking',
        lang,
        subject: columnLabel(intent.orderBy),
        by: intent.entity ? columnLabel(intent.entity) : undefined,
        conditions,
        limit: intent.limit,
        dir: intent.dir,
        presumesRow: true,
      };
    case 'adjacent':
      if (intent.count)
        return {
          shape: 'scalar',
          lang,
          subject: lang === 'pt' ? 'o número de registros' : 'the number of rows',
          conditions,
        };
      return { ...listTemplate(intent.columns, conditions, lang), presumesRow: true };
    case 'position':
      return { ...listTemplate(intent.columns, conditions, lang), presumesRow: true };
    case 'compare':
      return {
        shape: 'rows',
        lang,
        subject: lang === 'pt' ? 'comparação' : 'comparison',
        conditions,
        presumesRow: true,
      };
    case 'list':
      if (intent.exists)
        return { shape: 'scalar', lang, subject: lang === 'pt' ? 'a resposta' : 'the answer', conditions };
      return {
        shape: intent.columns.length >= 1 ? 'list' : 'rows',
        lang,
        subject:
          intent.columns.length >= 1 ? columnLabel(intent.columns[0]!) : lang === 'pt' ? 'registros' : 'rows',
        conditions,
        limit: intent.limit,
        // "who was on the same team as X" presumes someone was: nobody means the reading missed.
        ...(intent.filters.some((f) => f.kind === 'same') ? { presumesRow: true } : {}),
      };
  }
}

function listTemplate(columns: ColumnCatalog[], conditions: string | undefined, lang: Lang): AnswerTemplate {
  return {
    shape: columns.length >= 1 ? 'list' : 'rows',
    lang,
    subject: columns.length >= 1 ? columnLabel(columns[0]!) : lang === 'pt' ? 'registros' : 'rows',
    conditions,
  };
}

/** "o total de quantidade" → "total de quantidade", "the average price" → "average price". */
function bare(subject: string): string {
  return subject.replace(/^(o|a|os|as|the)\s+/i, '');
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Creating an Intl.NumberFormat costs far more than formatting with one: keep one per language and precision. */
const numberFormats = new Map<string, Intl.NumberFormat>();

function numberFormat(lang: Lang, digits: number): Intl.NumberFormat {
  const key = `${lang}:${digits}`;
  let format = numberFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(lang === 'pt' ? 'pt-BR' : 'en-US', { maximumFractionDigits: digits });
    numberFormats.set(key, format);
  }
  return format;
}

export function formatValue(v: unknown, lang: Lang): string {
  if (v === null || v === undefined) return lang === 'pt' ? '(vazio)' : '(empty)';
  if (typeof v === 'number' || typeof v === 'bigint') {
    const n = Number(v);
    const abs = Math.abs(n);
    const digits = Number.isInteger(n) ? 0 : abs !== 0 && abs < 0.01 ? 6 : 2;
    return numberFormat(lang, digits).format(n);
  }
  return String(v);
}

/** What the engine understood, for the UI's "how I read your question" line. */
export function explain(intent: Intent, lang: Lang): string {
  const t = templateFor(intent, lang);
  const pt = lang === 'pt';
  const cond = t.conditions ? (pt ? `, onde ${t.conditions}` : `, where ${t.conditions}`) : '';
  const table = intent.table.name;
  switch (t.shape) {
    case 'scalar':
      return pt
        ? `Calculo ${t.subject} na tabela ${table}${cond}.`
        : `Computing ${t.subject} in table ${table}${cond}.`;
    case 'grouped':
      return pt
        ? `Calculo ${t.subject} por ${t.by} na tabela ${table}${cond}.`
        : `Computing ${t.subject} by ${t.by} in table ${table}${cond}.`;
    case 'ranking':
      return pt
        ? `Ordeno ${t.by ?? 'os registros'} por ${t.subject} e mostro os ${t.limit} primeiros (tabela ${table}${cond}).`
        : `Ranking ${t.by ?? 'rows'} by ${t.subject}, top ${t.limit} (table ${table}${cond}).`;
    case 'list':
      return pt
        ? `Listo os valores de ${t.subject} na tabela ${table}${cond}.`
        : `Listing the values of ${t.subject} in table ${table}${cond}.`;
    case 'rows':
      return pt
        ? `Listo os registros da tabela ${table}${cond}.`
        : `Listing the rows of table ${table}${cond}.`;
  }
}

const MAX_ITEMS = 12;

function itemList(items: string[], lang: Lang): string {
  if (items.length <= MAX_ITEMS) return items.join('; ');
  const more = items.length - MAX_ITEMS;
  return `${items.slice(0, MAX_ITEMS).join('; ')}; … (${lang === 'pt' ? `mais ${more}` : `${more} more`})`;
}

/** The result of a reading that presumed a row (see AnswerTemplate.presumesRow) is empty. */
export function isNoAnswer(template: AnswerTemplate, result: QueryResultLike): boolean {
  return template.presumesRow === true && result.rows.length === 0;
}

function noAnswer(template: AnswerTemplate, cond: string): string {
  return template.lang === 'pt'
    ? `Não encontrei a resposta: nenhuma linha corresponde ao que entendi${cond}. A pergunta deve querer dizer outra coisa; tente nomear a coluna ou o valor como aparecem na tabela.`
    : `I could not find the answer: no row matches what I understood${cond}. The question must mean something else; try naming the column or the value as the table writes them.`;
}

/**
 * The plain answer sentence for an executed query, in the template's language. Rows are read positionally as the
 * SQL built them: [group, value] for grouped/ranking, [value] for scalars.
 */
export function describeResult(template: AnswerTemplate, result: QueryResultLike): string {
  const { lang } = template;
  const pt = lang === 'pt';
  const cond = template.conditions ? (pt ? ` (${template.conditions})` : ` (${template.conditions})`) : '';
  const rows = result.rows;
  const truncated = result.truncated ? (pt ? ' (resultado truncado)' : ' (result truncated)') : '';
  if (rows.length === 0) {
    if (template.presumesRow) return noAnswer(template, cond);
    return pt ? `Nenhum registro encontrado${cond}.` : `No rows matched${cond}.`;
  }
  const unit = template.unit ?? '';
  switch (template.shape) {
    case 'scalar': {
      const v = rows[0]?.[0];
      const subjects = template.subjects ?? [template.subject];
      if (subjects.length > 1) {
        // Several aggregates: one clause each, in the column order of the SELECT.
        const parts = subjects.map((s, i) => `${s} ${pt ? 'é' : 'is'} ${formatValue(rows[0]?.[i], lang)}`);
        return `${capitalize(parts.join('; '))}${cond}.`;
      }
      if (v === null || v === undefined) {
        return pt
          ? `Não há valores para calcular ${template.subject}${cond}.`
          : `There are no values to compute ${template.subject}${cond}.`;
      }
      return `${capitalize(template.subject)}${cond} ${pt ? 'é' : 'is'} ${formatValue(v, lang)}${unit}.`;
    }
    case 'grouped': {
      // [group, (group2,) value, (value…)]: one value per subject, after the group columns.
      const subjects = template.subjects ?? [template.subject];
      const n = subjects.length;
      const join = (vs: unknown[], suffix: string) =>
        vs.map((v) => `${formatValue(v, lang)}${suffix}`).join(' / ');
      const items = rows.map((r) => `${join(r.slice(0, -n), '')}: ${join(r.slice(-n), unit)}`);
      const subject = n > 1 ? subjects.join(pt ? ' e ' : ' and ') : template.subject;
      const verb = n > 1 ? (pt ? 'são' : 'are') : pt ? 'é' : 'is';
      return `${capitalize(subject)} ${pt ? 'por' : 'by'} ${template.by}${cond} ${verb}: ${itemList(items, lang)}${truncated}.`;
    }
    case 'ranking': {
      const high = template.dir !== 'asc';
      const what = bare(template.subject);
      const item = (r: unknown[]) =>
        r.length > 1 ? `${formatValue(r[0], lang)} (${formatValue(r[1], lang)})` : formatValue(r[0], lang);
      const by = template.by ?? (pt ? 'registro' : 'row');
      const head = pt
        ? `${capitalize(by)} com ${high ? 'maior' : 'menor'} ${what}${cond}`
        : `${capitalize(by)} with the ${high ? 'highest' : 'lowest'} ${what}${cond}`;
      if (rows.length === 1) return `${head}: ${item(rows[0]!)}.`;
      return `${head}: ${itemList(
        rows.map((r, i) => `${i + 1}. ${item(r)}`),
        lang,
      )}.`;
    }
    case 'list': {
      // The first column names each row; further columns (the filtered measure) go in parentheses.
      const items = rows.map((r) =>
        r.length > 1
          ? `${formatValue(r[0], lang)} (${r
              .slice(1)
              .map((v) => formatValue(v, lang))
              .join(', ')})`
          : formatValue(r[0], lang),
      );
      const n = rows.length;
      return pt
        ? `${n} ${n === 1 ? 'resultado' : 'resultados'} para ${template.subject}${cond}: ${itemList(items, lang)}${truncated}.`
        : `${n} ${n === 1 ? 'result' : 'results'} for ${template.subject}${cond}: ${itemList(items, lang)}${truncated}.`;
    }
    case 'rows': {
      const n = rows.length;
      return pt
        ? `${n} ${n === 1 ? 'registro encontrado' : 'registros encontrados'}${cond}${truncated}.`
        : `${n} ${n === 1 ? 'row' : 'rows'} found${cond}${truncated}.`;
    }
  }
}

const REASONS: Record<FailCode, Record<Lang, (words: string, cols: string) => string>> = {
  refuse_topic: {
    pt: (w) =>
      `Só respondo perguntas que se calculam diretamente dos dados (contagens, somas, médias, rankings, filtros); "${w}" pede uma explicação, opinião ou estatística que não sei calcular.`,
    en: (w) =>
      `I only answer questions computed directly from the data (counts, sums, averages, rankings, filters); "${w}" asks for an explanation, opinion or statistic I cannot compute.`,
  },
  unknown_words: {
    pt: (w) => `Não encontrei "${w}" nas colunas nem nos valores das tabelas.`,
    en: (w) => `I could not find "${w}" among the tables' columns or values.`,
  },
  no_measure: {
    pt: () => 'Entendi o cálculo, mas não qual coluna numérica usar.',
    en: () => 'I understood the calculation but not which numeric column to use.',
  },
  ambiguous_column: {
    pt: (w, c) => `"${w}" pode ser mais de uma coluna (${c}); diga qual.`,
    en: (w, c) => `"${w}" could be more than one column (${c}); please say which.`,
  },
  several_measures: {
    pt: (w) => `A pergunta cita várias colunas numéricas (${w}); pergunte sobre uma de cada vez.`,
    en: (w) => `The question names several numeric columns (${w}); ask about one at a time.`,
  },
  no_date_column: {
    pt: (w) => `"${w}" se refere a datas, mas a tabela não tem coluna de data.`,
    en: (w) => `"${w}" refers to dates, but the table has no date column.`,
  },
  group_target: {
    pt: (w) => `Não sei agrupar por "${w}": não é uma coluna da tabela.`,
    en: (w) => `I cannot group by "${w}": it is not a column of the table.`,
  },
  number_target: {
    pt: (w) => `Não sei a qual coluna o número ${w} se refere.`,
    en: (w) => `I could not tell which column the number ${w} refers to.`,
  },
  nothing: {
    pt: () => 'Não reconheci um pedido que eu saiba calcular nesta pergunta.',
    en: () => 'I did not recognise a request I know how to compute in this question.',
  },
  percent_form: {
    pt: (w) =>
      `Sei calcular a porcentagem de registros com uma condição ("porcentagem de vendas da loja Centro") ou a participação de cada grupo no total ("percentual de vendas por loja"); "${w}" pede outra forma.`,
    en: (w) =>
      `I can compute the percentage of rows meeting one condition ("percentage of readings with status fault") or each group's share of a total ("percentage of sales by store"); "${w}" asks for another form.`,
  },
  aggregate_filter: {
    pt: (w) =>
      `"${w}" compara um valor calculado por grupo com um número: isso eu faço para uma única comparação, sem outro cálculo junto, quando a pergunta pede os grupos (ex.: "quais lojas têm mais de 10 vendas"); esta pede mais que isso.`,
    en: (w) =>
      `"${w}" compares a per-group computed value with a number: I do that for one comparison, with nothing else computed alongside, when the question asks for the groups (e.g. "which stores have more than 10 sales"); this one asks for more.`,
  },
  one_row_each: {
    pt: (w) =>
      `Cada valor de "${w}" aparece em uma única linha: contar linhas por ${w} daria 1 para todos. Diga qual coluna numérica comparar.`,
    en: (w) =>
      `Each "${w}" appears in a single row, so counting rows per ${w} gives 1 for all of them. Say which numeric column to compare.`,
  },
  one_row: {
    pt: (w) =>
      `A pergunta aponta uma única linha (por "${w}"): contar linhas daria 1. Não sei em qual coluna está o número pedido.`,
    en: (w) =>
      `The question points at a single row (by "${w}"), so counting rows would give 1. I could not tell which column holds the number asked for.`,
  },
  identifier_measure: {
    pt: (w) =>
      `"${w}" identifica ou ordena as linhas (posição, número, ano): não faz sentido somá-lo ou tirar a média.`,
    en: (w) =>
      `"${w}" identifies or orders the rows (a rank, a number, a year): summing or averaging it means nothing.`,
  },
  echo: {
    pt: (w) =>
      `A pergunta dá o valor de "${w}" e pede a mesma coluna: não entendi qual outra informação ela quer.`,
    en: (w) =>
      `The question gives the value of "${w}" and asks for that same column: I could not tell what else it wants.`,
  },
  folded_table: {
    pt: (w) =>
      `A tabela repete a coluna "${w}" lado a lado (uma lista em blocos): responder com um só bloco deixaria linhas de fora.`,
    en: (w) =>
      `The table repeats the column "${w}" side by side (a list pasted in blocks): answering from one block would leave rows out.`,
  },
  several_rows: {
    pt: (w) =>
      `A condição da pergunta abrange várias linhas, mas ela pede um só valor de "${w}": peça o total, a média, ou diga de qual linha.`,
    en: (w) =>
      `The question's condition spans several rows but it asks for one value of "${w}": ask for the total or the average, or say which row.`,
  },
  order_unclear: {
    pt: (w, c) =>
      `"${w}" pela ordem da tabela ou pela classificação (${c})? A classificação não está só em números, então não sei dizer.`,
    en: (w, c) =>
      `"${w}" in the table's order or by the ranking (${c})? The ranking is not all numbers, so I cannot tell.`,
  },
  anchor_unclear: {
    pt: (w) =>
      `Não sei quais condições descrevem a linha de referência (${w}) e quais a linha pedida: pergunte só pela linha vizinha e depois filtre.`,
    en: (w) =>
      `I cannot tell which conditions describe the row to start from (${w}) and which the row asked for: ask for the neighbouring row first, then filter.`,
  },
  several_groups: {
    pt: () => 'Agrupar por mais de uma coluna ao mesmo tempo ainda não é suportado.',
    en: () => 'Grouping by more than one column at once is not supported yet.',
  },
};

export function failureReason(f: ParseFailure, lang: Lang): string {
  return REASONS[f.code][lang](f.words.join(', '), f.columns.map((c) => c.name).join(', '));
}

export function tableReason(kind: 'ambiguous' | 'several' | 'empty', lang: Lang, names: string[]): string {
  const list = names.join(', ');
  if (kind === 'empty')
    return lang === 'pt' ? 'Ainda não há tabelas nesta sessão.' : 'There are no tables in this session yet.';
  if (kind === 'several') {
    return lang === 'pt'
      ? `A pergunta mistura tabelas diferentes (${list}); respondo sobre uma tabela por vez.`
      : `The question mixes different tables (${list}); I answer about one table at a time.`;
  }
  return lang === 'pt'
    ? `Não sei de qual tabela a pergunta trata (${list}); cite uma coluna ou o nome da tabela.`
    : `I cannot tell which table the question is about (${list}); mention a column or the table's name.`;
}
