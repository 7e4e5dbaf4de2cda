/**
 * The built-in offline question→SQL engine (issue 4): pure and synchronous, no I/O. The graph calls interpret(),
 * runs the SQL itself, then describeResult() for the answer sentence; suggestQuestions() feeds the UI.
 *
 * Pipeline: normalize/tokenize → recognize words against each table (schema-match) → pick the table the question is
 * about → read an Intent from the marks (intents) → SQL (sql-builder) and words (answer).
 */
import type { Catalog, TableCatalog } from '../data/catalog-types.js';
import {
  columnLabel,
  describeResult as describe,
  explain,
  failureReason,
  isNoAnswer,
  tableReason,
  templateFor,
} from './answer.js';
import { describeReading } from './describe-reading.js';
import { type ParseFailure, type ParseResult, parseIntent, tokenText } from './intents.js';
import type { Lang } from './lexicon.js';
import { detectLang, type Token, tokenize } from './normalize.js';
import { type Mark, recognize, tableIndex } from './schema-match.js';
import { buildSql } from './sql-builder.js';
import { buildSuggestions } from './suggestions.js';
import type {
  AnswerTemplate,
  Filter,
  Intent,
  Interpretation,
  InterpretOptions,
  QueryResultLike,
  SqlInterpretation,
  UnsupportedInterpretation,
} from './types.js';

export type {
  AnswerTemplate,
  Interpretation,
  InterpretOptions,
  Lang,
  QueryResultLike,
  SqlInterpretation,
  UnsupportedInterpretation,
} from './types.js';
// detectLang: the question's language (pt or en), as interpret() decides it. isNoAnswer: an executed reading
// whose question presumed a row (the one before X, the top of a ranking) found none, a refusal and not an answer.
export { detectLang, isNoAnswer };

/** Below this the engine says it cannot answer rather than risk a wrong table. */
export const MIN_CONFIDENCE = 0.5;

interface TableReading {
  table: TableCatalog;
  marks: Mark[];
  score: number;
  /** The question spells out this table's name. */
  named: boolean;
}

/** Whether the question spells out the table's own name ("… em vendas", "in seattle_weather"). */
function namesTable(tokens: Token[], table: TableCatalog): boolean {
  const spoken = `_${tokens.map((t) => t.norm).join('_')}_`;
  return spoken.includes(`_${table.name}_`);
}

function readTable(tokens: Token[], table: TableCatalog): TableReading {
  const marks = recognize(tokens, tableIndex(table));
  // Naming a table outright outweighs a word of it being read as something else (e.g. a noun for "rows").
  const named = namesTable(tokens, table);
  let score = named ? 3 : 0;
  for (const m of marks) {
    if (m.kind === 'col') score += m.full ? 3 + (m.end - m.start) : 1;
    else if (m.kind === 'val') score += m.partial ? 1.5 : 3;
    else if (m.kind === 'table') score += 1;
    else if (m.kind === 'unknown') score -= 2;
  }
  return { table, marks, score, named };
}

type Core =
  | { ok: true; intent: Intent; confidence: number; lang: Lang }
  | { ok: false; lang: Lang; reason: string; understood?: string };

function understoodText(tokens: Token[], reading: TableReading | undefined, lang: Lang): string | undefined {
  if (!reading) return undefined;
  const cols = new Set<string>();
  const vals: string[] = [];
  for (const m of reading.marks) {
    if (m.kind === 'col') cols.add(columnLabel(m.col.column));
    if (m.kind === 'val') vals.push(`${columnLabel(m.entry.column.column)} = ${m.entry.value}`);
  }
  const parts: string[] = [];
  const pt = lang === 'pt';
  parts.push(`${pt ? 'tabela' : 'table'} ${reading.table.name}`);
  if (cols.size > 0) parts.push(`${pt ? 'colunas' : 'columns'}: ${[...cols].join(', ')}`);
  if (vals.length > 0) parts.push(`${pt ? 'valores' : 'values'}: ${vals.join(', ')}`);
  const kws = reading.marks.filter((m) => m.kind === 'kw' && !['in', 'filler', 'and', 'with'].includes(m.kw));
  if (kws.length > 0)
    parts.push(`${pt ? 'termos' : 'terms'}: ${kws.map((m) => tokenText(tokens, m)).join(', ')}`);
  if (cols.size === 0 && vals.length === 0) return undefined;
  return `${pt ? 'Entendi' : 'Understood'}: ${parts.join('; ')}.`;
}

function interpretCore(question: string, catalog: Catalog, lang: Lang): Core & { reading?: TableReading } {
  const tables = catalog.filter((t) => t.columns.length > 0);
  if (tables.length === 0) return { ok: false, lang, reason: tableReason('empty', lang, []) };
  const tokens = tokenize(question, lang);
  if (tokens.length === 0)
    return {
      ok: false,
      lang,
      reason: failureReason({ ok: false, code: 'nothing', words: [], columns: [] }, lang),
    };
  const readings = tables.map((t) => readTable(tokens, t)).sort((a, b) => b.score - a.score);
  const best = readings[0]!;

  let chosen: { reading: TableReading; result: ParseResult } | undefined;
  if (readings.length === 1) {
    chosen = {
      reading: best,
      result: parseIntent({ tokens, marks: best.marks, index: tableIndex(best.table), lang }),
    };
  } else {
    const top = readings.filter((r) => r.score === best.score);
    const parsed = top.map((reading) => ({
      reading,
      result: parseIntent({ tokens, marks: reading.marks, index: tableIndex(reading.table), lang }),
    }));
    const ok = parsed.filter((p) => p.result.ok);
    // Nothing specific to any table, or equally good readings of several: asking beats answering from a wrong table.
    const specific =
      best.named || best.marks.some((m) => m.kind === 'col' || m.kind === 'val' || m.kind === 'table');
    if (!specific || ok.length > 1) {
      return {
        ok: false,
        lang,
        reason: tableReason(
          'ambiguous',
          lang,
          tables.map((t) => t.name),
        ),
      };
    }
    chosen = ok[0] ?? parsed[0]!;
  }

  const { reading, result } = chosen;
  // Words this table does not know but another table does: the question spans tables (a join we do not do).
  const foreign = new Set<string>();
  for (const m of reading.marks) {
    if (m.kind !== 'unknown') continue;
    for (const other of readings) {
      if (other === reading) continue;
      const hit = other.marks.find((o) => o.start <= m.start && o.end >= m.end);
      if (hit && ((hit.kind === 'col' && hit.full) || (hit.kind === 'val' && !hit.partial)))
        foreign.add(other.table.name);
    }
  }
  if (foreign.size > 0) {
    return {
      ok: false,
      lang,
      reason: tableReason('several', lang, [reading.table.name, ...foreign]),
      understood: understoodText(tokens, reading, lang),
      reading,
    };
  }
  if (!result.ok) {
    return {
      ok: false,
      lang,
      reason: failureReason(result, lang),
      understood: understoodText(tokens, reading, lang),
      reading,
    };
  }
  if (result.confidence < MIN_CONFIDENCE) {
    const low: ParseFailure = {
      ok: false,
      code: 'unknown_words',
      words: unknownWords(tokens, reading),
      columns: [],
    };
    return {
      ok: false,
      lang,
      reason:
        low.words.length > 0 ? failureReason(low, lang) : failureReason({ ...low, code: 'nothing' }, lang),
      understood: understoodText(tokens, reading, lang),
      reading,
    };
  }
  return { ok: true, intent: result.intent, confidence: result.confidence, lang, reading };
}

function unknownWords(tokens: Token[], reading: TableReading): string[] {
  return reading.marks.filter((m) => m.kind === 'unknown').map((m) => tokenText(tokens, m));
}

/** Follow-ups ("and by year?", "e em 2015?", "what about ACME?") only change the grouping or the filters. */
const FOLLOW_UP_START =
  /^\s*(and|e|what about|how about|e quanto a|e quanto ao|e para|and for|and in|e no|e na|e em|now|agora)\b/i;

function isFragment(question: string, intent: Intent | undefined): boolean {
  if (FOLLOW_UP_START.test(question)) return true;
  // A question that cannot be read alone is a follow-up only when it is short ("por região?", "in 2015?"); a
  // full question that fails on its own must be refused, not silently merged with the previous one.
  if (!intent) return question.split(/[^\p{L}\p{N}]+/u).filter(Boolean).length <= 4;
  // A bare grouping or filter with no request of its own: "por região?", "in 2015?".
  return intent.shape === 'list' && intent.columns.length === 0;
}

function mergeFollowUp(previous: Intent, fragment: Intent): Intent {
  const fragmentGroup =
    (fragment.shape === 'aggregate' && fragment.group) ||
    (fragment.shape === 'ranking' ? fragment.group : undefined);
  const replaced = new Set(fragment.filters.map((f) => filterKey(f)));
  const filters: Filter[] = [
    ...previous.filters.filter((f) => !replaced.has(filterKey(f))),
    ...fragment.filters,
  ];
  if (previous.shape === 'aggregate') return { ...previous, group: fragmentGroup || previous.group, filters };
  if (previous.shape === 'ranking') return { ...previous, group: fragmentGroup || previous.group, filters };
  return { ...previous, filters };
}

function filterKey(f: Filter): string {
  return `${f.column.name}|${f.kind === 'datepart' ? f.format : f.kind}`;
}

function toSql(intent: Intent, confidence: number, lang: Lang): SqlInterpretation {
  return {
    kind: 'sql',
    sql: buildSql(intent),
    lang,
    explanation: explain(intent, lang),
    reading: describeReading(intent, lang),
    confidence: Math.round(confidence * 100) / 100,
    table: intent.table.name,
    answerTemplate: templateFor(intent, lang),
  };
}

/**
 * Maps a question in Portuguese or English to one SQLite SELECT over the catalog's tables, or says it cannot
 * (with what it understood and questions it can answer). Pure: the same inputs always give the same output.
 */
export function interpret(
  question: string,
  catalog: Catalog,
  options: InterpretOptions = {},
): Interpretation {
  const lang = options.lang ?? detectLang(question);
  const core = interpretCore(question, catalog, lang);

  if (options.previous) {
    const fragment = core.ok ? core.intent : undefined;
    if (isFragment(question, fragment)) {
      const prev = interpretCore(options.previous.question, catalog, detectLang(options.previous.question));
      if (prev.ok) {
        const prevTable = catalog.find((t) => t.name === prev.intent.table.name)!;
        const frag = interpretCore(question.replace(FOLLOW_UP_START, ' '), [prevTable], lang);
        if (frag.ok) {
          const merged = mergeFollowUp(prev.intent, frag.intent);
          return toSql(merged, Math.min(prev.confidence, frag.confidence) - 0.05, lang);
        }
      }
    }
  }

  if (core.ok) return toSql(core.intent, core.confidence, lang);
  const unsupported: UnsupportedInterpretation = {
    kind: 'unsupported',
    lang,
    reason: core.reason,
    suggestions: suggestQuestions(catalog, lang),
  };
  if (core.understood) unsupported.understood = core.understood;
  return unsupported;
}

const suggestionCache = new WeakMap<Catalog, Map<Lang, string[]>>();

/** 3–5 questions the engine can answer for these tables, in `lang` (memoized per catalog object). */
export function suggestQuestions(catalog: Catalog, lang: Lang): string[] {
  const cached = suggestionCache.get(catalog)?.get(lang);
  if (cached) return [...cached];
  const list = buildSuggestions(catalog, lang, (q, table) => {
    const r = interpretCore(q, catalog, lang);
    return r.ok && r.intent.table.name === table;
  });
  const byLang = suggestionCache.get(catalog) ?? new Map<Lang, string[]>();
  byLang.set(lang, list);
  suggestionCache.set(catalog, byLang);
  return [...list];
}

/**
 * The plain answer sentence for an executed interpretation, in the question's language:
 * "A média de preço por loja é: Centro: 9,86; …" / "The average speed is 16.44."
 */
export function describeResult(
  interpretation: SqlInterpretation | AnswerTemplate,
  result: QueryResultLike,
): string {
  const template = 'kind' in interpretation ? interpretation.answerTemplate : interpretation;
  return describe(template, result);
}
