/**
 * Questions the engine can answer for a catalog, generated from the schema (a categorical column, a measure, a date,
 * a name-like column) and kept only if the engine itself maps them back to SQL on the same table — so a suggestion
 * is never something the engine would then refuse.
 */
import type { Catalog, TableCatalog } from '../data/catalog-types.js';
import { columnLabel } from './answer.js';
import type { Lang } from './lexicon.js';
import { type ColumnIndex, tableIndex } from './schema-match.js';

type Check = (question: string, table: string) => boolean;

function candidates(table: TableCatalog, lang: Lang): string[] {
  const idx = tableIndex(table);
  const idLike = (name: string) => /(^|_)(id|codigo|code|cod|key|index|year|ano)($|_)/.test(name);
  const measures = idx.columns
    .filter((c) => c.numeric && !idLike(c.column.name) && c.column.distinct_estimate > 2)
    .sort((a, b) => Number(b.column.type === 'real') - Number(a.column.type === 'real'));
  const cats = idx.columns
    .filter((c) => c.text && c.column.top_values.length >= 2 && c.column.distinct_estimate <= 60 && !c.unique)
    .sort((a, b) => a.column.distinct_estimate - b.column.distinct_estimate);
  const names = idx.columns.filter((c) => c.text && c.unique);
  const date = idx.dateColumns[0];
  // Labels without their units ("Temperature (C)" → "temperature"): what a person would type.
  const say = (c: ColumnIndex | undefined) =>
    c
      ? columnLabel(c.column)
          .replace(/\s*\([^)]*\)/g, '')
          .trim()
      : undefined;
  const m = say(measures[0]);
  const m2 = measures[1] ? say(measures[1]) : m;
  const amount = say(measures.find((c) => !c.intensive));
  const cat = say(cats[0]);
  const value = cats[0]?.column.top_values[0]?.value;
  const name = say(names[0]);
  const anyText = say(cats[0] ?? names[0] ?? idx.columns.find((c) => c.text));
  const out: string[] = [];
  if (lang === 'pt') {
    if (m && cat) out.push(`Qual a média de ${m} por ${cat}?`);
    if (cat && value) out.push(`Quantos registros têm ${cat} ${value}?`);
    if (amount && date) out.push(`Qual o total de ${amount} por ano?`);
    else if (m && date) out.push(`Qual a média de ${m} por mês?`);
    if (name && m2) out.push(`Qual ${name} tem o maior ${m2}?`);
    if (m2) out.push(`Qual o valor máximo de ${m2}?`);
    if (cat) out.push(`Quantos registros existem para cada ${cat}?`);
    if (cat && amount) out.push(`Quais os 3 ${cat} com maior total de ${amount}?`);
    out.push(`Quantos registros existem na tabela ${table.name.replace(/_/g, ' ')}?`);
    if (anyText) out.push(`Quantos valores diferentes de ${anyText} existem?`);
    if (date) out.push(`Quantos registros existem por ano?`);
  } else {
    if (m && cat) out.push(`What is the average ${m} by ${cat}?`);
    if (cat && value) out.push(`How many rows have ${cat} ${value}?`);
    if (amount && date) out.push(`Total ${amount} per year`);
    else if (m && date) out.push(`Average ${m} per month`);
    if (name && m2) out.push(`Which ${name} has the highest ${m2}?`);
    if (m2) out.push(`What is the maximum ${m2}?`);
    if (cat) out.push(`How many records are there for each ${cat}?`);
    if (cat && amount) out.push(`Top 3 ${cat} by total ${amount}`);
    out.push(`How many rows are in the ${table.name.replace(/_/g, ' ')} table?`);
    if (anyText) out.push(`How many different ${anyText} values are there?`);
    if (date) out.push(`How many records are there per year?`);
  }
  return out;
}

/**
 * How many suggestions a refusal carries: 3 for one table, up to 5 so that several tables each get one. Each is
 * checked by reading it (a full interpret), which is most of what a refusal costs: more would be slower, not better.
 */
const wanted = (tables: number) => Math.min(5, Math.max(3, tables));

export function buildSuggestions(catalog: Catalog, lang: Lang, check: Check): string[] {
  const pending = catalog.map((t) => ({ table: t.name, queue: candidates(t, lang) }));
  const out: string[] = [];
  const limit = wanted(catalog.length);
  // Round-robin over tables so every table gets a suggestion before any gets a second; candidates are checked
  // lazily (each check reads the whole catalog), so a session with many tables stays cheap.
  while (out.length < limit) {
    let progressed = false;
    for (const p of pending) {
      if (out.length >= limit) break;
      while (p.queue.length > 0) {
        const q = p.queue.shift()!;
        progressed = true;
        if (check(q, p.table)) {
          out.push(q);
          break;
        }
      }
    }
    if (!progressed) break;
  }
  return out;
}
