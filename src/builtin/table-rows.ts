/**
 * What the engine knows about a table's rows as rows (issue 13): their order, and which of them only summarize the
 * others.
 *
 * - Order: imports insert rows in file order, so SQLite's rowid is the table's own order ("the first on the list",
 *   "the coach after X"). A column may itself be named `rowid`; one of SQLite's other names for it is used then.
 * - Summary rows: a trailing "Total"/"Sum"/"Média" row is not data. The importer flags such rows in the catalog
 *   (`summary_rows`, their rowids); every answer leaves them out — counts, sums, rankings and lookups alike — while
 *   previews still show them. Until a catalog carries the flag, a text column whose catalog values include exactly
 *   one cell reading "Total" (or "Grand total", "Totals", "Sum", "Soma", "Total geral") marks that row.
 */
import type { ColumnCatalog, TableCatalog } from '../data/catalog-types.js';
import { quoteIdent, quoteLiteral } from './sql-quote.js';

/** The importer's flag (catalog field, when present): rowids of rows that total or average the others. */
type WithSummaryRows = TableCatalog & { summary_rows?: number[] };

const SUMMARY_LABEL =
  /^\s*(grand\s+)?totals?\s*(\([^)]*\))?\s*:?\s*$|^\s*(sum|soma|total geral|totais|career|carreira)\s*:?\s*$/i;

/** An expression for the row's place in the file: `rowid`, unless a column took that name. */
export function rowOrder(table: TableCatalog): string {
  const names = new Set(table.columns.map((c) => c.name.toLowerCase()));
  return ['rowid', '_rowid_', 'oid'].find((n) => !names.has(n)) ?? 'rowid';
}

/**
 * Memo of summaryCell per catalog column: the table index asks it for every cell of the column (isSummaryValue), and
 * each answer's SQL and wording ask it again (excludeSummaryRows).
 */
const summaryCells = new WeakMap<ColumnCatalog, string | null>();

/** The summary-row cell a text column holds, by its catalog values ("Total", once). */
function summaryCell(column: ColumnCatalog): string | undefined {
  let cell = summaryCells.get(column);
  if (cell === undefined) {
    cell =
      column.type === 'text'
        ? (column.top_values.find((v) => v.count === 1 && SUMMARY_LABEL.test(v.value))?.value ?? null)
        : null;
    summaryCells.set(column, cell);
  }
  return cell ?? undefined;
}

/** A condition that leaves the table's summary rows out, or undefined when it has none. */
export function excludeSummaryRows(table: TableCatalog): string | undefined {
  const flagged = (table as WithSummaryRows).summary_rows;
  if (flagged && flagged.length > 0) {
    const ids = flagged.filter((n) => Number.isInteger(n));
    if (ids.length > 0) return `${rowOrder(table)} NOT IN (${ids.join(', ')})`;
  }
  if (flagged) return undefined;
  const parts: string[] = [];
  for (const c of table.columns) {
    const cell = summaryCell(c);
    if (cell !== undefined) parts.push(`${quoteIdent(c.name)} IS NOT ${quoteLiteral(cell)}`);
  }
  return parts.length > 0 ? parts.join(' AND ') : undefined;
}

/** Whether a catalog value is a summary row's label (never matched as a value of the question). */
export function isSummaryValue(column: ColumnCatalog, value: string): boolean {
  return summaryCell(column) === value;
}
