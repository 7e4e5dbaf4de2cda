/**
 * The catalog: what the question engines (built-in and LLM) know about a session's tables without reading them.
 * Produced by the importer (data/) and stored beside the tables in the session's db.db; consumed by builtin/ and
 * engine/. Shared types only — no behaviour here, so both sides can depend on it without depending on each other.
 */

export type ColumnType = 'integer' | 'real' | 'text' | 'date' | 'datetime' | 'boolean';

export interface TopValue {
  value: string;
  count: number;
}

export interface ColumnCatalog {
  /** SQL name, ASCII snake_case per the naming contract (`preco_unitario`). */
  name: string;
  /** The original header text (`Preço Unitário`). */
  label: string;
  type: ColumnType;
  null_count: number;
  distinct_estimate: number;
  /** Numbers for integer/real/boolean, ISO text for date/datetime, text for text (lexicographic). */
  min: number | string | null;
  max: number | string | null;
  /** For low-cardinality text columns: the most frequent values, most frequent first. Empty otherwise. */
  top_values: TopValue[];
}

export interface TableCatalog {
  /** SQL table name per the naming contract (`seattle_weather`). */
  name: string;
  /** What the user uploaded (file name, plus sheet for XLSX). */
  label: string;
  rows: number;
  columns: ColumnCatalog[];
  /** Bytes the table takes in db.db (pages added by its import). Set by the importer. */
  size_bytes?: number;
  /** Epoch seconds of the import. */
  created_at?: number;
  /** The kept original in uploads/ this table came from (removed with the last table that names it). */
  source_file?: string;
}

export type Catalog = TableCatalog[];
