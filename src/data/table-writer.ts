/**
 * The SQL side of one new table: creates it, inserts the rows RowBuilder (row-builder.ts) prepared, and at the end
 * settles the types, converts what was stored raw, declares the types and builds the catalog entry.
 *
 * The table is created without declared types (no affinity, so nothing is altered on the way in). At the end only
 * the rows holding raw text in a typed column (or numbers in a column that turned out text) are rewritten by one
 * UPDATE — for the usual files (ISO dates, `.` decimals) none — and the declared types are written into the schema
 * (see `declareTypes`) so readers see `INTEGER`, `REAL`, `DATE`…
 *
 * Everything happens inside the importer's single transaction: nothing is visible until COMMIT.
 */
import type Database from 'better-sqlite3';
import type { ColumnCatalog, ColumnType, TableCatalog } from './catalog-types.js';
import { columnNames, quoteIdent } from './naming.js';
import {
  type Bindable,
  type BuilderSummary,
  type ColumnSummary,
  K_INT,
  K_REAL,
  K_TEXT,
  MAX_COLUMNS,
  type Segment,
  tooManyColumns,
} from './row-builder.js';
import { type ColumnDecision, convert, decideType, type Locale, sqlType } from './types.js';
import { ORDINAL } from './units.js';

/** Rows per multi-row INSERT (fewer for wide tables, see MAX_PARAMS). 50–200 measured alike. */
const ROWS_PER_INSERT = 100;
/**
 * Values bound per INSERT. The values are passed as arguments (`run(...values)`), not as one array: better-sqlite3
 * then reads them straight from the call's arguments instead of one generic property lookup each, measured ~15 %
 * faster per INSERT. This bounds the arguments of that call (and stays far below SQLite's 32,766 parameters).
 */
const MAX_PARAMS = 8_000;

export interface WriterResult {
  catalog: TableCatalog;
  warnings: string[];
}

export class TableWriter {
  private readonly names: string[] = [];
  private readonly labels: string[] = [];
  private pending: Bindable[] = [];
  private pendingRows = 0;
  private insertMany: Database.Statement | null = null;
  private batchRows = 1;
  private readonly startPages: number;

  constructor(
    private readonly db: Database.Database,
    readonly name: string,
    private readonly label: string,
    labels: readonly string[],
  ) {
    if (labels.length > MAX_COLUMNS) throw tooManyColumns(labels.length);
    this.startPages = this.pageCount();
    const names = columnNames(labels);
    this.labels.push(...labels);
    this.names.push(...names);
    db.exec(`CREATE TABLE ${quoteIdent(name)} (${names.map(quoteIdent).join(', ')})`);
    this.resetStatement();
  }

  get width(): number {
    return this.names.length;
  }

  private pageCount(): number {
    return this.db.pragma('page_count', { simple: true }) as number;
  }

  private resetStatement(): void {
    this.insertMany = null;
    this.batchRows = Math.max(1, Math.min(ROWS_PER_INSERT, Math.floor(MAX_PARAMS / this.names.length)));
  }

  /** Adds a column (JSON keys seen late, extra fields of ragged rows); earlier rows read NULL there. */
  addColumn(label: string): void {
    if (this.names.length >= MAX_COLUMNS) throw tooManyColumns();
    this.flush();
    const name = columnNames([...this.labels, label]).at(-1)!;
    // columnNames numbers duplicates against earlier labels, but earlier columns keep their names: re-check.
    let unique = name;
    for (let k = 2; this.names.includes(unique); k++) unique = `${name}_${k}`;
    this.names.push(unique);
    this.labels.push(label);
    this.db.exec(`ALTER TABLE ${quoteIdent(this.name)} ADD COLUMN ${quoteIdent(unique)}`);
    this.resetStatement();
  }

  /** Inserts a segment: full batches go through the prepared multi-row INSERT, the remainder waits for more. */
  write(seg: Segment): void {
    for (const label of seg.added) this.addColumn(label);
    const rows = seg.rows;
    if (rows === 0) return;
    const w = this.names.length;
    const per = this.batchRows;
    const { kinds, nums, text, lens } = seg;
    let o = 0;
    let t = 0;
    let pos = 0;
    // Unpacks values [o, end) into `out` from index `at`.
    const unpack = (out: Bindable[], at: number, end: number) => {
      for (; o < end; o++, at++) {
        const k = kinds[o];
        if (k === K_TEXT) {
          const len = lens[t++]!;
          out[at] = text.slice(pos, pos + len);
          pos += len;
        } else if (k === K_REAL) out[at] = nums[o]!;
        else if (k === K_INT) out[at] = BigInt(nums[o]!);
        else out[at] = null;
      }
    };
    let row = 0;
    if (this.pendingRows > 0) {
      const take = Math.min(per - this.pendingRows, rows);
      unpack(this.pending, this.pending.length, take * w);
      this.pendingRows += take;
      row = take;
      if (this.pendingRows === per) this.flush();
    }
    if (rows - row >= per) {
      this.insertMany ??= this.db.prepare(this.insertSql(per));
      const stmt = this.insertMany;
      const step = per * w;
      const params: Bindable[] = new Array(step);
      for (; row + per <= rows; row += per) {
        unpack(params, 0, o + step);
        stmt.run(...params);
      }
    }
    if (row < rows) {
      unpack(this.pending, this.pending.length, rows * w);
      this.pendingRows += rows - row;
    }
  }

  private insertSql(rows: number): string {
    const one = `(${this.names.map(() => '?').join(',')})`;
    return `INSERT INTO ${quoteIdent(this.name)} VALUES ${Array(rows).fill(one).join(',')}`;
  }

  private flush(): void {
    if (this.pendingRows === 0) return;
    if (this.pendingRows === this.batchRows) {
      this.insertMany ??= this.db.prepare(this.insertSql(this.batchRows));
      this.insertMany.run(...this.pending);
    } else this.db.prepare(this.insertSql(this.pendingRows)).run(...this.pending);
    this.pending = [];
    this.pendingRows = 0;
  }

  /** Pages this table added so far (including those still in SQLite's cache), in bytes. */
  bytesWritten(pageSize: number): number {
    return (this.pageCount() - this.startPages) * pageSize;
  }

  /** Settles the types, converts what was stored raw, declares the types, and returns the catalog entry. */
  finish(summary: BuilderSummary, fileLocale: Locale, pageSize: number, now: number): WriterResult {
    this.flush();
    const warnings: string[] = [];
    const cols = summary.columns;
    const decisions: ColumnDecision[] = [];
    const toConvert: number[] = [];
    cols.forEach((col, i) => {
      const d = decideType(col.mask, col.sawTime, col.nonNull, fileLocale);
      decisions.push(d);
      if (needsConversion(col, d)) toConvert.push(i);
      const c = col.collapse;
      if (d.type === 'text' && c && (c.before >= 10 || c.before * 2 >= col.nonNull)) {
        const value = c.value.length > 40 ? `${c.value.slice(0, 40)}…` : c.value;
        warnings.push(
          `column "${col.label}" kept as text: ${c.reason ?? `value ${JSON.stringify(value)} (row ${c.row}) is not ${c.family} like the ${c.before} values before it`}`,
        );
      }
    });
    const summaryRows = summary.summaryRows.map((r) => r.row);
    const nulled = this.nullLabelCells(summary, decisions);
    if (toConvert.length > 0) this.convertInPlace(toConvert, cols, decisions);
    this.declareTypes(decisions);
    const minMax = this.minMax(cols, decisions, new Set(toConvert), summaryRows);

    const columns: ColumnCatalog[] = cols.map((col, i) => {
      const type: ColumnType = decisions[i]!.type;
      const numeric = type === 'integer' || type === 'real';
      return {
        name: this.names[i]!,
        label: col.label,
        type,
        null_count: col.nulls,
        distinct_estimate: col.distinct,
        min: minMax[i]![0],
        max: minMax[i]![1],
        top_values: type === 'text' ? col.top : [],
        ...(numeric && col.unit !== null && col.unit !== ORDINAL ? { unit: col.unit } : {}),
        ...(type === 'integer' && col.unit === ORDINAL ? { ordinal: true as const } : {}),
      };
    });
    if (summary.summaryRows.length > 0) warnings.push(summaryWarning(summary, nulled));
    if (summary.shortRows > 0) {
      warnings.push(
        `${summary.shortRows.toLocaleString('en')} row(s) had fewer fields than the header; the missing values are NULL`,
      );
    }
    if (summary.longRows > 0) {
      warnings.push(
        `${summary.longRows.toLocaleString('en')} row(s) had more fields than the header; the extra values are in added columns (${this.names
          .filter((_, i) => /^column_\d+$/.test(this.labels[i]!))
          .join(', ')})`,
      );
    }
    return {
      catalog: {
        name: this.name,
        label: this.label,
        rows: summary.rows,
        columns,
        size_bytes: this.bytesWritten(pageSize),
        created_at: now,
        ...(summaryRows.length > 0 ? { summary_rows: summaryRows } : {}),
      },
      warnings,
    };
  }

  /**
   * The label cells of summary rows (`Total` under `Rank`) in columns that ended up typed are set NULL: the label
   * is not a value of such a column, and text among its numbers would break SQL's comparisons and MIN/MAX. Returns
   * the labels of the columns concerned (for the warning).
   */
  private nullLabelCells(summary: BuilderSummary, decisions: ColumnDecision[]): string[] {
    const byColumn = new Map<number, number[]>();
    for (const { row, col } of summary.labelCells) {
      if (decisions[col]!.type === 'text') continue;
      const rows = byColumn.get(col) ?? [];
      rows.push(row);
      byColumn.set(col, rows);
    }
    for (const [col, rows] of byColumn) {
      this.db
        .prepare(
          `UPDATE ${quoteIdent(this.name)} SET ${quoteIdent(this.names[col]!)} = NULL WHERE rowid IN (${rows.join(', ')})`,
        )
        .run();
    }
    return [...byColumn.keys()].map((col) => summary.columns[col]!.label);
  }

  /**
   * Min/max per column. Streamed by RowBuilder over the stored values, which are the final values when nothing
   * was converted; converted columns (and those whose streamed extremes cannot be trusted) are scanned in SQL.
   */
  private minMax(
    cols: ColumnSummary[],
    decisions: ColumnDecision[],
    converted: Set<number>,
    summaryRows: number[],
  ): Array<[number | string | null, number | string | null]> {
    const out: Array<[number | string | null, number | string | null]> = [];
    const scan: number[] = [];
    const norm = (v: number | string | bigint | null | undefined) =>
      v === undefined || v === null ? null : typeof v === 'bigint' ? Number(v) : v;
    cols.forEach((col, i) => {
      const type = decisions[i]!.type;
      if (col.nonNull === 0) out.push([null, null]);
      else if (converted.has(i)) {
        out.push([null, null]);
        scan.push(i);
      } else if (type === 'text' || type === 'date' || type === 'datetime') {
        // Nothing converted: every stored value is text (numbersStored === 0 for text, textStored for dates).
        out.push([col.textMin, col.textMax]);
      } else out.push([norm(col.numMin), norm(col.numMax)]);
    });
    if (scan.length > 0) {
      const exprs = scan
        .map((i) => `min(${quoteIdent(this.names[i]!)}), max(${quoteIdent(this.names[i]!)})`)
        .join(', ');
      // Summary rows are left out, as RowBuilder leaves them out of the streamed extremes.
      const where = summaryRows.length > 0 ? ` WHERE rowid NOT IN (${summaryRows.join(', ')})` : '';
      const mm = this.db
        .prepare(`SELECT ${exprs} FROM ${quoteIdent(this.name)}${where}`)
        .raw()
        .get() as Array<number | string | bigint | null>;
      scan.forEach((col, k) => {
        out[col] = [norm(mm[2 * k]), norm(mm[2 * k + 1])];
      });
    }
    return out;
  }

  /** Converts the raw-stored values of the given columns with one UPDATE (a JS function per value). */
  private convertInPlace(indexes: number[], cols: ColumnSummary[], decisions: ColumnDecision[]): void {
    const decimals = cols.map((c) => c.decimals);
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
      const q = quoteIdent(this.names[i]!);
      return decisions[i]!.type === 'text' ? `typeof(${q}) IN ('integer', 'real')` : `typeof(${q}) = 'text'`;
    };
    const sets = indexes
      .map((i) => {
        const q = quoteIdent(this.names[i]!);
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
  private declareTypes(decisions: ColumnDecision[]): void {
    const defs = this.names.map((n, i) => `${quoteIdent(n)} ${sqlType(decisions[i]!.type)}`).join(', ');
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

/**
 * The upload warning about a table's summary rows, in plain words: `row 24 ("Total") looks like a total or average
 * of the rows above: it is kept in the table, marked as a summary row in the catalog and left out of the column
 * statistics; the label is stored as NULL in column "Rank", which holds numbers or dates`.
 */
function summaryWarning(summary: BuilderSummary, nulled: string[]): string {
  const rows = summary.summaryRows;
  const labels = rows.map((r) => JSON.stringify(r.label)).join(', ');
  const which =
    rows.length === 1
      ? `row ${rows[0]!.row} (${labels}) looks like a total or average of the rows above: it is kept in the table, marked as a summary row`
      : `rows ${rows.map((r) => r.row).join(', ')} (${labels}) look like totals or averages of the rows above: they are kept in the table, marked as summary rows`;
  const columns = nulled.map((l) => JSON.stringify(l)).join(', ');
  const cells =
    nulled.length === 0
      ? ''
      : nulled.length === 1
        ? `; the label is stored as NULL in column ${columns}, which holds numbers or dates`
        : `; the label is stored as NULL in columns ${columns}, which hold numbers or dates`;
  return `${which} in the catalog and left out of the column statistics${cells}`;
}

/** Does the column hold stored values that are not yet in their final form for decision `d`? */
function needsConversion(col: ColumnSummary, d: ColumnDecision): boolean {
  switch (d.type) {
    case 'text':
      return col.numbersStored > 0;
    case 'date':
      return col.textStored > col.isoDates;
    case 'datetime':
      return col.textStored > col.isoDatetimes;
    default:
      return col.textStored > 0;
  }
}
