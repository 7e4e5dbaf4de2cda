/**
 * Naming contract (ARCHITECTURE.md, "Naming and types of imported data"): table and column names are ASCII
 * snake_case derived from the file stem / header text; the original text is kept as the label.
 */
import { AppError } from '../errors.js';

/** SQLite itself has no practical bound, but names are shown in prompts and URLs: keep them short. */
export const MAX_NAME_LENGTH = 64;

/** Prefix reserved for our own bookkeeping tables (catalog, in-flight imports); engines hide it. */
export const INTERNAL_PREFIX = '_agentgraph_';

/** `Preço Unitário` → `preco_unitario`; returns '' when nothing usable is left. */
export function snakeCase(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, MAX_NAME_LENGTH)
    .replace(/_+$/, '');
}

/** Strips directories and the data/compression extensions: `dir/Vendas 2023.csv.gz` → `Vendas 2023`. */
export function fileStem(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? '';
  return base
    .replace(/(\.(gz|gzip))?$/i, '')
    .replace(/\.(csv|tsv|tab|txt|json|ndjson|jsonl|xlsx|xlsm)$/i, '');
}

/** Table name from the file stem; `t_` before a leading digit; `table` when nothing is left. */
export function tableNameFromFile(fileName: string, sheet?: string): string {
  const stem = snakeCase(fileStem(fileName));
  const sheetPart = sheet === undefined ? '' : snakeCase(sheet);
  let name = sheetPart ? (stem ? `${stem}_${sheetPart}` : sheetPart) : stem;
  if (!name) name = 'table';
  if (/^[0-9]/.test(name)) name = `t_${name}`;
  if (name.startsWith('sqlite_')) name = `t_${name}`;
  return name.slice(0, MAX_NAME_LENGTH);
}

/**
 * Validates a table name chosen by the user. It is still normalized (so `Minhas Vendas` works), but anything that
 * looks like an attempt at a path or a system table is refused rather than silently rewritten.
 */
export function validateUserTableName(raw: string): string {
  const detail = (why: string) =>
    new AppError('bad_input', { detail: `table name ${JSON.stringify(raw)} ${why}` });
  if (raw.length === 0 || raw.trim().length === 0) throw detail('is empty');
  if (raw.length > MAX_NAME_LENGTH) throw detail(`is longer than ${MAX_NAME_LENGTH} characters`);
  if (/[/\\\0]|\.\./.test(raw)) throw detail('must not contain path characters');
  const name = snakeCase(raw);
  if (!name) throw detail('has no letters or digits');
  if (name.startsWith('sqlite_') || raw.toLowerCase().startsWith('sqlite_')) {
    throw detail('must not start with sqlite_ (reserved by SQLite)');
  }
  if (name.startsWith(INTERNAL_PREFIX.slice(1)) || raw.startsWith('_')) {
    throw detail('must not start with an underscore');
  }
  return /^[0-9]/.test(name) ? `t_${name}` : name;
}

/** `name`, `name_2`, `name_3`, … — the first not in `taken` (compared case-insensitively, as SQLite does). */
export function uniqueName(name: string, taken: Iterable<string>): string {
  const lower = new Set<string>();
  for (const t of taken) lower.add(t.toLowerCase());
  if (!lower.has(name.toLowerCase())) return name;
  for (let i = 2; ; i++) {
    const suffix = `_${i}`;
    const candidate = name.slice(0, MAX_NAME_LENGTH - suffix.length) + suffix;
    if (!lower.has(candidate.toLowerCase())) return candidate;
  }
}

/**
 * Column names from header cells: snake_case, `column_N` (1-based) when empty, `c_` before a leading digit,
 * duplicates numbered `_2`, `_3`. Returns names in header order.
 */
export function columnNames(labels: readonly string[]): string[] {
  const used = new Set<string>();
  const out: string[] = [];
  labels.forEach((label, i) => {
    let name = snakeCase(label);
    if (!name) name = `column_${i + 1}`;
    if (/^[0-9]/.test(name)) name = `c_${name}`;
    // `rowid` & co. would shadow SQLite's implicit row id in queries; keep them usable.
    if (name === 'rowid' || name === 'oid' || name === '_rowid_') name = `${name}_`;
    name = uniqueName(name, used);
    used.add(name);
    out.push(name);
  });
  return out;
}

/** Double-quoted SQL identifier. Names we generate are already safe; quoting is belt and braces. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
