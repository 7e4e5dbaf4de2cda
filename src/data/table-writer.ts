/**
 * Writes rows of raw strings into one new table, inferring column types on the way.
 *
 * Why values are stored before the type is final: the alternative (raw text into a scratch table, then
 * `INSERT … SELECT` with conversions) writes every byte twice, measured ~1.4× slower. Instead the table is created
 * without declared types (no affinity, so nothing is altered on the way in) and each value is stored as:
 *  - its typed value when that is unambiguous and prints back to exactly the raw text (`42`, `3.5`, `2023-12-31`),
 *    so it can be turned back into the original text should the column end up text;
 *  - otherwise its raw text (`1.234,56`, `31/12/2023`), converted in place at the end by one UPDATE.
 * For the usual files (ISO dates, `.` decimals) no UPDATE runs at all. Finally the declared types are written into
 * the schema (see `declareTypes`) so readers see `INTEGER`, `REAL`, `DATE`…
 *
 * Everything happens inside the importer's single transaction: nothing is visible until COMMIT.
 */
import type Database from 'better-sqlite3';
import { AppError } from '../errors.js';
import { ValueStats } from './catalog.js';
import type { ColumnCatalog, ColumnType, TableCatalog } from './catalog-types.js';
import { columnNames, quoteIdent } from './naming.js';
import {
  ALL_TYPES,
  type ColumnDecision,
  classify,
  convert,
  decideType,
  describeMask,
  isNullToken,
  type Locale,
  NUM_BR,
  NUM_EN,
  sqlType,
} from './types.js';

/** SQLite's default SQLITE_MAX_COLUMN. */
export const MAX_COLUMNS = 2000;
/** Rows per multi-row INSERT (bounded by SQLite's 32,766 host parameters for wide tables). */
const ROWS_PER_INSERT = 64;

/** Evidence for the file's number locale, shared by all the tables (sheets) of one upload. */
export interface LocaleEvidence {
  en: number;
  br: number;
}

interface Collapse {
  row: number;
  value: string;
  family: string;
  before: number;
}

interface ColumnState {
  name: string;
  label: string;
  mask: number;
  sawTime: boolean;
  nulls: number;
  nonNull: number;
  /** Values stored as numbers (must become text again if the column ends up text). */
  numbersStored: number;
  /** Non-null values stored as text, and how many of them are already ISO dates / date-times. */
  textStored: number;
  isoDates: number;
  isoDatetimes: number;
  /** Decimals of the REAL values stored as numbers (-1: none yet). */
  decimals: number;
  stats: ValueStats;
  collapse: Collapse | null;
  decision?: ColumnDecision;
}

export interface WriterResult {
  catalog: TableCatalog;
  warnings: string[];
}

type Bindable = string | number | bigint | null;

export class TableWriter {
  private readonly columns: ColumnState[] = [];
  private batch: Bindable[] = [];
  private batchRows = 0;
  private insertMany: Database.Statement | null = null;
  private rows = 0;
  private shortRows = 0;
  private longRows = 0;
  private readonly startPages: number;
  private readonly headerWidth: number;

  constructor(
    private readonly db: Database.Database,
    readonly name: string,
    private readonly label: string,
    labels: readonly string[],
    private readonly evidence: LocaleEvidence,
    private readonly defaultLocale: () => Locale,
  ) {
    if (labels.length > MAX_COLUMNS) {
      throw new AppError('unprocessable_file', {
        detail: `it has ${labels.length.toLocaleString('en')} columns; the limit is ${MAX_COLUMNS}`,
      });
    }
    this.startPages = this.pageCount();
    this.headerWidth = labels.length;
    const names = columnNames(labels);
    labels.forEach((l, i) => {
      this.columns.push(this.newColumn(names[i]!, l, 0));
    });
    const defs = this.columns.map((c) => quoteIdent(c.name)).join(', ');
    db.exec(`CREATE TABLE ${quoteIdent(name)} (${defs})`);
  }

  get rowCount(): number {
    return this.rows;
  }

  get width(): number {
    return this.columns.length;
  }

  private newColumn(name: string, label: string, nullsSoFar: number): ColumnState {
    return {
      name,
      label,
      mask: ALL_TYPES,
      sawTime: false,
      nulls: nullsSoFar,
      nonNull: 0,
      numbersStored: 0,
      textStored: 0,
      isoDates: 0,
      isoDatetimes: 0,
      decimals: -1,
      stats: new ValueStats(),
      collapse: null,
    };
  }

  private pageCount(): number {
    return this.db.pragma('page_count', { simple: true }) as number;
  }

  /** Adds a column (JSON keys seen late, extra fields of ragged rows); earlier rows read NULL there. */
  addColumn(label: string): number {
    if (this.columns.length >= MAX_COLUMNS) {
      throw new AppError('unprocessable_file', {
        detail: `it has more than ${MAX_COLUMNS} columns, the limit`,
      });
    }
    this.flush();
    const labels = [...this.columns.map((c) => c.label), label];
    const name = columnNames(labels).at(-1)!;
    // columnNames numbers duplicates against earlier labels, but earlier columns keep their names: re-check.
    let unique = name;
    for (let k = 2; this.columns.some((c) => c.name === unique); k++) unique = `${name}_${k}`;
    this.columns.push(this.newColumn(unique, label, this.rows));
    this.db.exec(`ALTER TABLE ${quoteIdent(this.name)} ADD COLUMN ${quoteIdent(unique)}`);
    this.insertMany = null;
    return this.columns.length - 1;
  }

  /**
   * One row of raw values (null = missing). Fewer values than columns → NULLs; more → new columns `column_N`
   * (unless the extra values are all empty, e.g. a trailing delimiter). Both are counted for the warnings.
   */
  writeRow(values: ReadonlyArray<string | null | undefined>, ragged = true): void {
    const cols = this.columns;
    if (values.length !== cols.length && ragged) {
      // A row narrower than columns added for an earlier long row, but complete against the header, is fine.
      if (values.length < this.headerWidth) this.shortRows++;
      else if (values.length > cols.length) {
        let extra = false;
        for (let i = cols.length; i < values.length; i++) {
          const v = values[i];
          if (v !== null && v !== undefined && v !== '') extra = true;
        }
        if (extra) {
          this.longRows++;
          while (cols.length < values.length) this.addColumn(`column_${cols.length + 1}`);
        }
      }
    }
    const batch = this.batch;
    const n = cols.length;
    for (let i = 0; i < n; i++) {
      const raw = values[i];
      const col = cols[i]!;
      if (raw === null || raw === undefined || isNullToken(raw)) {
        col.nulls++;
        batch.push(null);
        continue;
      }
      col.nonNull++;
      col.stats.add(raw);
      if (col.mask === 0) {
        col.textStored++;
        batch.push(raw);
        continue;
      }
      const r = classify(raw, col.mask);
      const mask = col.mask & r.mask;
      if ((r.mask & (NUM_EN | NUM_BR)) === NUM_EN) this.evidence.en++;
      else if ((r.mask & (NUM_EN | NUM_BR)) === NUM_BR) this.evidence.br++;
      if (mask === 0) {
        col.collapse = {
          row: this.rows + 1,
          value: raw,
          family: describeMask(col.mask),
          before: col.nonNull - 1,
        };
        col.mask = 0;
        col.textStored++;
        batch.push(raw);
        continue;
      }
      col.mask = mask;
      if (r.time) col.sawTime = true;
      const canonical = r.canonical;
      if (canonical === undefined) {
        col.textStored++;
        batch.push(raw);
      } else if (typeof canonical === 'bigint') {
        col.numbersStored++;
        batch.push(canonical);
      } else if (typeof canonical === 'number') {
        // Decimals are restorable as text only with one decimal count per column (`toFixed(decimals)`).
        if (col.decimals === -1) col.decimals = r.frac!;
        if (col.decimals === r.frac) {
          col.numbersStored++;
          batch.push(canonical);
        } else {
          col.textStored++;
          batch.push(raw);
        }
      } else {
        col.textStored++;
        if (r.isoDate) col.isoDates++;
        else if (r.isoDatetime) col.isoDatetimes++;
        batch.push(canonical);
      }
    }
    this.rows++;
    if (++this.batchRows >= this.rowsPerInsert()) this.flush();
  }

  private rowsPerInsert(): number {
    return Math.max(1, Math.min(ROWS_PER_INSERT, Math.floor(32_000 / this.columns.length)));
  }

  private insertSql(rows: number): string {
    const one = `(${this.columns.map(() => '?').join(',')})`;
    return `INSERT INTO ${quoteIdent(this.name)} VALUES ${Array(rows).fill(one).join(',')}`;
  }

  flush(): void {
    if (this.batchRows === 0) return;
    let stmt: Database.Statement;
    if (this.batchRows === this.rowsPerInsert()) {
      this.insertMany ??= this.db.prepare(this.insertSql(this.batchRows));
      stmt = this.insertMany;
    } else stmt = this.db.prepare(this.insertSql(this.batchRows));
    stmt.run(this.batch);
    this.batch = [];
    this.batchRows = 0;
  }

  /** Pages this table added so far (including those still in SQLite's cache), in bytes. */
  bytesWritten(pageSize: number): number {
    return (this.pageCount() - this.startPages) * pageSize;
  }

  /** Settles the types, converts what was stored raw, declares the types, and returns the catalog entry. */
  finish(pageSize: number, now: number): WriterResult {
    this.flush();
    const warnings: string[] = [];
    const locale =
      this.evidence.br > this.evidence.en ? 'br' : this.evidence.en > this.evidence.br ? 'en' : null;
    const fileLocale: Locale = locale ?? this.defaultLocale();
    const toConvert: number[] = [];
    this.columns.forEach((col, i) => {
      const d = decideType(col.mask, col.sawTime, col.nonNull, fileLocale);
      col.decision = d;
      const needs =
        d.type === 'text'
          ? col.numbersStored > 0
          : d.type === 'date'
            ? col.textStored > col.isoDates
            : d.type === 'datetime'
              ? col.textStored > col.isoDatetimes
              : col.textStored > 0;
      if (needs) toConvert.push(i);
      const c = col.collapse;
      if (d.type === 'text' && c && (c.before >= 10 || c.before * 2 >= col.nonNull)) {
        const value = c.value.length > 40 ? `${c.value.slice(0, 40)}…` : c.value;
        warnings.push(
          `column "${col.label}" kept as text: value ${JSON.stringify(value)} (row ${c.row}) is not ${c.family} like the ${c.before} values before it`,
        );
      }
    });
    if (toConvert.length > 0) this.convertInPlace(toConvert);
    this.declareTypes();

    // One scan for min/max of every column (in C; cheaper than tracking typed min/max per value in JS).
    const minMax = this.columns
      .map((c) => `min(${quoteIdent(c.name)}), max(${quoteIdent(c.name)})`)
      .join(', ');
    const mm = this.db
      .prepare(`SELECT ${minMax} FROM ${quoteIdent(this.name)}`)
      .raw()
      .get() as Array<number | string | bigint | null>;

    const columns: ColumnCatalog[] = this.columns.map((col, i) => {
      const type: ColumnType = col.decision!.type;
      const norm = (v: number | string | bigint | null | undefined) =>
        v === undefined || v === null ? null : typeof v === 'bigint' ? Number(v) : v;
      return {
        name: col.name,
        label: col.label,
        type,
        null_count: col.nulls,
        distinct_estimate: col.stats.distinct(),
        min: norm(mm[2 * i]),
        max: norm(mm[2 * i + 1]),
        top_values: type === 'text' ? col.stats.top() : [],
      };
    });
    if (this.shortRows > 0) {
      warnings.push(
        `${this.shortRows.toLocaleString('en')} row(s) had fewer fields than the header; the missing values are NULL`,
      );
    }
    if (this.longRows > 0) {
      warnings.push(
        `${this.longRows.toLocaleString('en')} row(s) had more fields than the header; the extra values are in added columns (${this.columns
          .filter((c) => /^column_\d+$/.test(c.label))
          .map((c) => c.name)
          .join(', ')})`,
      );
    }
    return {
      catalog: {
        name: this.name,
        label: this.label,
        rows: this.rows,
        columns,
        size_bytes: this.bytesWritten(pageSize),
        created_at: now,
      },
      warnings,
    };
  }

  /** Converts the raw-stored values of the given columns with one UPDATE (a JS function per value). */
  private convertInPlace(indexes: number[]): void {
    const decisions = this.columns.map((c) => c.decision!);
    const decimals = this.columns.map((c) => c.decimals);
    this.db.function(
      'agentgraph_convert',
      { deterministic: true, safeIntegers: true },
      (index: unknown, value: unknown): Bindable => {
        const i = Number(index);
        const d = decisions[i]!;
        if (d.type === 'text') {
          if (typeof value === 'number') return value.toFixed(decimals[i]!);
          return typeof value === 'string' || value === null ? value : String(value);
        }
        if (typeof value !== 'string') return value as Bindable;
        return convert(value, d);
      },
    );
    // Only the rows holding a value to convert are rewritten.
    const cond = (i: number) => {
      const q = quoteIdent(this.columns[i]!.name);
      return decisions[i]!.type === 'text' ? `typeof(${q}) IN ('integer', 'real')` : `typeof(${q}) = 'text'`;
    };
    const sets = indexes
      .map((i) => {
        const q = quoteIdent(this.columns[i]!.name);
        return `${q} = CASE WHEN ${cond(i)} THEN agentgraph_convert(${i}, ${q}) ELSE ${q} END`;
      })
      .join(', ');
    this.db.exec(`UPDATE ${quoteIdent(this.name)} SET ${sets} WHERE ${indexes.map(cond).join(' OR ')}`);
  }

  /**
   * Rewrites the table's CREATE statement with the declared types. Safe because it changes no on-disk format:
   * declared types only decide the affinity applied to future writes and comparisons, and every stored value
   * already has the storage class that affinity would give it (SQLite's ALTER TABLE documentation uses the same
   * writable_schema procedure for other format-neutral schema edits). Needs better-sqlite3's unsafe mode, which
   * lifts SQLITE_DBCONFIG_DEFENSIVE for this connection only, and only for this statement.
   */
  private declareTypes(): void {
    const defs = this.columns.map((c) => `${quoteIdent(c.name)} ${sqlType(c.decision!.type)}`).join(', ');
    const sql = `CREATE TABLE ${quoteIdent(this.name)} (${defs})`;
    const db = this.db;
    const version = db.pragma('schema_version', { simple: true }) as number;
    db.unsafeMode(true);
    try {
      db.pragma('writable_schema = ON');
      db.prepare(`UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = ?`).run(sql, this.name);
      db.pragma(`schema_version = ${version + 1}`);
    } finally {
      db.pragma('writable_schema = OFF');
      db.unsafeMode(false);
    }
  }
}
