/**
 * Identifiers and literals in the engine's SQL: identifiers always double-quoted (embedded quotes doubled), literals
 * inlined escaped (single quotes doubled, numbers only when finite), so nothing from a question or a cell reaches the
 * SQL except through these two functions.
 */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteLiteral(value: string | number): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('non-finite number in SQL literal');
    return String(value);
  }
  return `'${value.replace(/'/g, "''")}'`;
}
