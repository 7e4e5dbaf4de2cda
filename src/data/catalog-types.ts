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
  /**
   * Integer/real columns whose values were written with a unit (`17 years`, `2,345 m`, `12,5%`, `R$ 1.467,97`):
   * the unit as written, plural spelling preferred (`years`, `m`, `%`, `R$`). The stored values are the numbers.
   * Absent when no value had one, or when currency prefixes / `%` disagreed within the column.
   */
  unit?: string;
  /** Integer columns whose values were written as ordinals (`1st`, `2nd`, `3º`, `4.`): the number is a position. */
  ordinal?: true;
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
  /**
   * Rowids of the table's trailing summary rows (`Total`, `Média`…; rowid = 1-based data row number in the file).
   * They stay in the table, but the columns' statistics (null_count, distinct_estimate, min/max, top_values)
   * leave them out, and so should aggregates and rankings. Absent when there are none.
   */
  summary_rows?: number[];
}

export type Catalog = TableCatalog[];
