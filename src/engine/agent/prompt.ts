/**
 * What the model is told: the rules of the game (SQLite, one read-only SELECT, quoting), the schema from the catalog
 * (tables, columns, types, labels, stats, top values), and the finishing convention the agent parses
 * (a final message whose last ```sql block is the answer's SQL). Only the catalog and small samples get here.
 */
import type { ColumnCatalog, TableCatalog } from '../../data/catalog-types.js';
import type { Lang } from '../../errors.js';
import type { SqlDialect } from './types.js';

/** Shown to the model per table / column / value: enough to write SQL, bounded so wide tables stay affordable. */
const MAX_COLUMNS_PER_TABLE = 80;
const MAX_TOP_VALUES = 8;
const MAX_VALUE_CHARS = 60;

export const LANGUAGE_NAME: Record<Lang, string> = { en: 'English', pt: 'Brazilian Portuguese' };

/** The dialect rules the model is given, per database the tools run on (issue 15 for the connected ones). */
const DIALECT_RULES: Record<SqlDialect, { name: string; rules: string; values: string }> = {
  sqlite: {
    name: 'SQLite',
    rules:
      'SQLite dialect only (strftime() for dates, || to concatenate, CAST(x AS REAL), no ILIKE, no DATE_TRUNC).',
    values: "Dates are ISO text 'YYYY-MM-DD', datetimes 'YYYY-MM-DD HH:MM:SS', booleans 0/1.",
  },
  postgresql: {
    name: 'PostgreSQL',
    rules:
      'PostgreSQL dialect (EXTRACT / date_trunc / to_char for dates, ILIKE for case-insensitive matching, || to concatenate, CAST(x AS DOUBLE PRECISION), round(x::numeric, 2)); every subquery in FROM needs an alias.',
    values: "Date columns have the date type: compare them with DATE '2024-01-31'.",
  },
  mysql: {
    name: 'MySQL/MariaDB',
    rules:
      'MySQL/MariaDB dialect, with ANSI_QUOTES on: identifiers in double quotes, strings in single quotes (YEAR() / MONTH() / DATE_FORMAT for dates, LIKE ignores case, CONCAT() or || to concatenate); every subquery in FROM needs an alias.',
    values: "Dates are 'YYYY-MM-DD'.",
  },
};

export function systemPrompt(catalog: TableCatalog[], lang: Lang, dialect: SqlDialect = 'sqlite'): string {
  const d = DIALECT_RULES[dialect];
  return `You are a data analyst who answers questions about the user's tables by writing SQL for ${d.name}.

Rules for the SQL:
- ${d.rules}
- Exactly one read-only statement: SELECT, or WITH … SELECT. Never INSERT/UPDATE/DELETE/CREATE/DROP/ALTER/ATTACH/PRAGMA/SET/COPY.
- String literals in single quotes ('São Paulo'); identifiers in double quotes when needed ("preco_unitario"). Never put a string value in double quotes.
- Use only the tables and columns listed below. ${d.values}
- Text values must match the data exactly: use the top values below (same case and accents), or LIKE / lower() when unsure.
- Give columns readable aliases, order results meaningfully, and use LIMIT for "top N" questions. Do not add LIMIT otherwise.

Tools: list_tables, describe_table (columns, stats and a few sample rows), check_sql (validates without running),
run_sql (runs and shows you only the first 5 rows and the row count; the user sees the full result).
Run your final query with run_sql before answering. If a tool reports an error, fix the SQL and try again.

When you are done, reply with a short answer in ${LANGUAGE_NAME[lang]} (one to three sentences, based only on rows you
saw; do not invent numbers), followed by the final SQL in a single \`\`\`sql block.
If the question cannot be answered with these tables, say so briefly in ${LANGUAGE_NAME[lang]} and do not write any SQL.

Schema:
${describeSchema(catalog)}`;
}

export function describeSchema(catalog: TableCatalog[]): string {
  if (catalog.length === 0) return '(no tables)';
  return catalog.map(describeTableText).join('\n\n');
}

function describeTableText(table: TableCatalog): string {
  const head = `Table "${table.name}"${table.label && table.label !== table.name ? ` (from ${clip(table.label)})` : ''}, ${table.rows} rows:`;
  const shown = table.columns.slice(0, MAX_COLUMNS_PER_TABLE).map((c) => `- ${describeColumn(c)}`);
  const hidden = table.columns.length - shown.length;
  if (hidden > 0) shown.push(`- … ${hidden} more columns (use describe_table)`);
  return [head, ...shown].join('\n');
}

function describeColumn(column: ColumnCatalog): string {
  const parts = [`"${column.name}" ${column.type}`];
  if (column.label && column.label !== column.name) parts.push(`label ${JSON.stringify(clip(column.label))}`);
  if (column.null_count > 0) parts.push(`${column.null_count} nulls`);
  parts.push(`~${column.distinct_estimate} distinct`);
  if (column.min !== null && column.max !== null && column.type !== 'text') {
    parts.push(`range ${literal(column.min)} .. ${literal(column.max)}`);
  }
  if (column.top_values.length > 0) {
    const values = column.top_values.slice(0, MAX_TOP_VALUES).map((v) => `${literal(v.value)} (${v.count})`);
    parts.push(`top values: ${values.join(', ')}`);
  }
  return parts.join('; ');
}

/** A value written as SQLite would need it, so the model copies the right quoting. */
function literal(value: string | number): string {
  return typeof value === 'number' ? String(value) : `'${clip(value).replace(/'/g, "''")}'`;
}

function clip(text: string, max = MAX_VALUE_CHARS): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** A prior turn as the model will see it: the question and the SQL that answered it. */
export function historyReply(sql: string | null): string {
  return sql ? `\`\`\`sql\n${sql}\n\`\`\`` : '(no SQL: that question could not be answered)';
}

export function refinePrompt(lang: Lang): string {
  return `You explain query results to a non-technical user. Write a short, plain answer (one to three sentences) in
${LANGUAGE_NAME[lang]} to the user's question, using only the result given. Mention the key numbers. If only part of
the rows is shown, do not claim totals over rows you did not see. No SQL, no tables, no markdown headings.`;
}

/** The agent's own words when it has to give up (the model's words are used whenever it gave some). */
export const AGENT_MESSAGES = {
  outOfSteps: {
    en: (n: number) => `I could not find a working query within ${n} steps. Try rephrasing the question.`,
    pt: (n: number) =>
      `Não consegui chegar a uma consulta que funcione em ${n} passos. Tente reformular a pergunta.`,
  },
  noAnswer: {
    en: 'The model did not produce an answer or a query for this question.',
    pt: 'O modelo não produziu uma resposta nem uma consulta para esta pergunta.',
  },
} as const;
