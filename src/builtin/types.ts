/**
 * Public shapes of the built-in engine. The graph (engine/) runs the SQL and calls describeResult with what came
 * back; the UI shows `explanation`, and on "cannot answer" the `reason`, `understood` and `suggestions`.
 */
import type { ColumnCatalog, TableCatalog } from '../data/catalog-types.js';
import type { Lang } from './lexicon.js';

export type { Lang } from './lexicon.js';

export interface InterpretOptions {
  /** Answer language; detected from the question when absent. */
  lang?: Lang;
  /** The previous question of the conversation, for follow-ups like "and by year?" / "e em 2015?". */
  previous?: { question: string; sql: string };
}

/** What the result rows will look like, so describeResult can say it in a sentence. */
export interface AnswerTemplate {
  shape: 'scalar' | 'grouped' | 'ranking' | 'list' | 'rows';
  lang: Lang;
  /** Noun phrase of what is computed, in `lang`: "a média de preço", "the number of rows". */
  subject: string;
  /** Several aggregates side by side: one noun phrase per value column, in SELECT order (`subject` joins them). */
  subjects?: string[];
  /** Noun phrase of the grouping or listed entity, in `lang`: "categoria", "year". */
  by?: string;
  /** Filters in words, in `lang`: "onde região = Sul e ano = 2015". */
  conditions?: string;
  limit?: number;
  /** Rankings: highest first ('desc') or lowest first. */
  dir?: 'desc' | 'asc';
  /** Written after each computed value ("%"). */
  unit?: string;
  /**
   * The question names a row that must exist (the last X, the one before X, the same team as X, the top of a
   * ranking): no row means the reading did not fit the table, so the result is no answer (describeResult).
   */
  presumesRow?: boolean;
}

export interface SqlInterpretation {
  kind: 'sql';
  /** One SQLite SELECT; identifiers double-quoted, literals escaped inline (so `params` is always empty). */
  sql: string;
  params?: unknown[];
  lang: Lang;
  /** What the engine understood, in `lang`. */
  explanation: string;
  /**
   * What is computed, as one sentence in `lang` ("Counted the rows where Country = France."): shown above the result
   * so a wrong reading is caught at a glance (issue 13).
   */
  reading: string;
  /** 0..1: how sure the mapping is (exact column/value matches score high; partial matches and defaults lower). */
  confidence: number;
  table: string;
  answerTemplate: AnswerTemplate;
}

export interface UnsupportedInterpretation {
  kind: 'unsupported';
  lang: Lang;
  /** Why it cannot answer, in `lang`. */
  reason: string;
  /** What it did recognise (table, columns, values), in `lang`, when anything. */
  understood?: string;
  /** 3–5 questions it can answer for these tables, in `lang`. */
  suggestions: string[];
}

export type Interpretation = SqlInterpretation | UnsupportedInterpretation;

/** The executed result handed back to describeResult. */
export interface QueryResultLike {
  columns: string[];
  rows: unknown[][];
  truncated?: boolean;
}

// ---- internal intent model (shared by intents.ts and sql-builder.ts) ----

export type Bucket = 'year' | 'month' | 'day' | 'week' | 'hour' | 'weekday';

export interface GroupKey {
  column: ColumnCatalog;
  /** Time bucket of a date/datetime column; absent → the column's raw values. */
  bucket?: Bucket;
}

/** What a game's result says for the side the table is about. */
export type Outcome = 'win' | 'loss' | 'draw';

export type CmpOp = '>' | '>=' | '<' | '<=' | '=';

export type Filter =
  | { kind: 'eq'; column: ColumnCatalog; values: string[]; negate: boolean }
  | { kind: 'cmp'; column: ColumnCatalog; op: CmpOp; value: number }
  | { kind: 'between'; column: ColumnCatalog; low: number; high: number }
  /**
   * strftime(format, column) op value — years ('%Y'), months ('%m'), year-months ('%Y-%m'), days ('%Y-%m-%d') or a
   * day of any year ('%m-%d').
   */
  | {
      kind: 'datepart';
      column: ColumnCatalog;
      format: '%Y' | '%m' | '%Y-%m' | '%Y-%m-%d' | '%m-%d';
      op: CmpOp;
      value: string;
    }
  | { kind: 'datebetween'; column: ColumnCatalog; format: '%Y' | '%m' | '%Y-%m'; low: string; high: string }
  /** Empty (NULL, or '' for text); `orZero` also counts 0 for numbers ("states with no hurricanes"). */
  | { kind: 'null'; column: ColumnCatalog; negate: boolean; orZero?: boolean }
  /** A value the catalog does not list (high-cardinality column): compared without case. */
  | { kind: 'like'; column: ColumnCatalog; value: string }
  /**
   * The same value of `column` as the row the anchor names ("the same team as X") — read from `from` in that row
   * when the question names another column for it ("the same goals against as X had goals for").
   */
  | { kind: 'same'; column: ColumnCatalog; anchor: Filter[]; table: string; from?: ColumnCatalog }
  /**
   * A year in a text column that holds years among other text ("1824 (special)", "pre-1939", "1799\n1819"): equal
   * when the cell names the year, compared by the year the cell starts with.
   */
  | { kind: 'textYear'; column: ColumnCatalog; op: CmpOp; value: number }
  /** The rows whose outcome column ("Result": "W 29–17", "Loss", "Empate") says that outcome. */
  | { kind: 'outcome'; column: ColumnCatalog; outcome: Outcome; lang: 'en' | 'pt' }
  /** A day or month of dates written as text ("July 5", "Fri., Feb. 28, 1941", "02 Apr"): the cells that name it. */
  | { kind: 'textDate'; column: ColumnCatalog; month: number; day?: number; year?: number }
  /** The value in any of several columns ("the Senators" under Visitor or under Home); `column` is the first. */
  | { kind: 'anyOf'; column: ColumnCatalog; columns: ColumnCatalog[]; values: string[] }
  /** `column` compared with its value in the row the anchor names ("more passengers than the United Kingdom"). */
  | { kind: 'vsRow'; column: ColumnCatalog; op: CmpOp; anchor: Filter[]; table: string };

/** What a comparison weighs on each side: a measure summed over the side's rows, its rows counted, or its place. */
export type CompareValue = { kind: 'measure'; column: ColumnCatalog } | { kind: 'count' } | { kind: 'order' };

/**
 * `percent`: with `share`, the percentage of rows that meet it (per group when grouped); without, each group's share
 * of the total COUNT(*) (no measure) or SUM(measure).
 */
export type Agg =
  | 'count'
  | 'count_distinct'
  | 'sum'
  | 'avg'
  | 'median'
  | 'stddev'
  | 'min'
  | 'max'
  | 'percent';

/** A condition on a per-group aggregate (SQL's HAVING): "lojas com mais de 10 vendas", "average price above 15". */
export interface Having {
  agg: Agg;
  /** Absent for COUNT(*). */
  measure?: ColumnCatalog;
  op: CmpOp;
  value: number;
}

export type Intent =
  /** One aggregate, optionally per group: SELECT g, AGG(m) … GROUP BY g. */
  | {
      shape: 'aggregate';
      table: TableCatalog;
      agg: Agg;
      /** The aggregated column; absent for COUNT(*). For count_distinct of a time bucket, see `measureBucket`. */
      measure?: ColumnCatalog;
      measureBucket?: Bucket;
      group?: GroupKey;
      /** A second grouping ("by species and island"): SELECT g, g2, AGG … GROUP BY 1, 2. */
      group2?: GroupKey;
      /** Further aggregates of the same measure, without grouping ("mínimo, médio e máximo"). */
      more?: Agg[];
      /** Columns summed together with the measure ("gold and silver medals"): SUM(measure) + SUM(each). */
      plus?: ColumnCatalog[];
      /** For `percent`: the condition whose share of the rows is asked ("porcentagem de vendas da loja Centro"). */
      share?: Filter;
      /** Keeps only the groups whose aggregate meets it. */
      having?: Having;
      filters: Filter[];
    }
  /** Top/bottom k groups by an aggregate: SELECT g, AGG(m) … GROUP BY g ORDER BY 2 DESC LIMIT k. */
  | {
      shape: 'ranking';
      table: TableCatalog;
      agg: Agg;
      measure?: ColumnCatalog;
      group: GroupKey;
      dir: 'desc' | 'asc';
      limit: number;
      filters: Filter[];
    }
  /** Top/bottom k rows by a column: SELECT e, m … ORDER BY m DESC LIMIT k. */
  | {
      shape: 'toprows';
      table: TableCatalog;
      entity?: ColumnCatalog;
      extra: ColumnCatalog[];
      orderBy: ColumnCatalog;
      dir: 'desc' | 'asc';
      limit: number;
      filters: Filter[];
      /** `dir` is the column's own order ("the first pick" = the smallest), not a ranking word's ("the top rank"). */
      natural?: boolean;
    }
  /**
   * Rows by their place in the table's own order (SQLite's rowid: imports insert rows in file order): the first or
   * last row meeting the filters, or the one `offset` places further ("the third on the list").
   */
  | {
      shape: 'position';
      table: TableCatalog;
      columns: ColumnCatalog[];
      filters: Filter[];
      from: 'first' | 'last';
      offset: number;
    }
  /**
   * The row just before or after an anchor row in the table's order ("the coach after X", "what is listed above
   * Y"), meeting the filters; with `count`, how many such rows there are ("how many are listed before X").
   */
  | {
      shape: 'adjacent';
      table: TableCatalog;
      columns: ColumnCatalog[];
      anchor: Filter[];
      filters: Filter[];
      dir: 'prev' | 'next';
      count: boolean;
      /** The year column the neighbours follow ("the previous winner"), when not the table's own order. */
      timeOrder?: ColumnCatalog;
    }
  /**
   * Two named things weighed against each other: which of them is higher or lower (`which`), by how much (`diff`,
   * in the order said; `absdiff`), whether the first has more or less (`moreless`), or whether the question's claim
   * holds (`yesno`: the first is higher, or lower with dir 'asc'). `words` are the answer's words in the question's
   * language.
   */
  | {
      shape: 'compare';
      table: TableCatalog;
      key: ColumnCatalog;
      sides: [Filter[], Filter[]];
      labels: [string, string];
      /** One value for both sides, or one per side (two columns of the same rows: "between Finalists and Average"). */
      value: CompareValue | [CompareValue, CompareValue];
      filters: Filter[];
      op: 'which' | 'diff' | 'absdiff' | 'moreless' | 'yesno';
      dir: 'desc' | 'asc';
      words: Record<'more' | 'less' | 'same' | 'yes' | 'no', string>;
    }
  /** Rows or distinct values: SELECT [DISTINCT] cols | * … */
  | {
      shape: 'list';
      table: TableCatalog;
      columns: ColumnCatalog[];
      distinct: boolean;
      filters: Filter[];
      limit?: number;
      /** A yes/no question ("are there fewer than 10,000 people in Richland?"): whether any row meets the filters. */
      exists?: { yes: string; no: string };
    };
