/**
 * Rows of raw strings → values ready to INSERT, plus everything the end of the import needs to decide the column
 * types and write the catalog. No database here: this runs inside the CSV worker thread (csv-worker.ts) as well as
 * on the main thread (JSON, XLSX, small CSV files), and TableWriter (table-writer.ts) does the SQL side.
 *
 * Why values are stored before the type is final: the alternative (raw text into a scratch table, then
 * `INSERT … SELECT` with conversions) writes every byte twice, measured ~1.4× slower. Instead each value is stored as:
 *  - its typed value when that is unambiguous and prints back to exactly the raw text (`42`, `3.5`, `2023-12-31`),
 *    so it can be turned back into the original text should the column end up text;
 *  - otherwise its raw text (`1.234,56`, `31/12/2023`), converted in place at the end by one UPDATE.
 *
 * Statistics are streamed too: null counts, distinct estimates and top values (ValueStats), and min/max of the
 * stored values (`typedMin`…, `textMin`…) so no final scan is needed when nothing has to be converted.
 */
import { AppError } from '../errors.js';
import { ValueStats } from './catalog.js';
import type { TopValue } from './catalog-types.js';
import { mayStartSummary, rowSummaryLabel, summaryLabel } from './summary-rows.js';
import { ALL_TYPES, classify, describeMask, isNullToken, NUM_BR, NUM_EN } from './types.js';
import { isSoftUnit, ORDINAL, unitKey } from './units.js';

/** SQLite's default SQLITE_MAX_COLUMN. */
export const MAX_COLUMNS = 2000;
/** Rows handed over at once (a multiple of any batch size TableWriter uses; the last segment may be shorter). */
const SEGMENT_VALUES = 16_384;
/**
 * Summary rows a table may end with (`Total`, then `Average`): more in a row than this are data (a column of
 * categories that happen to read "Total"), and so is every later one.
 */
const MAX_SUMMARY_ROWS = 3;
/** A table needs this many data rows before a summary row for it to be one. */
const MIN_ROWS_BEFORE_SUMMARY = 2;

export type Bindable = string | number | bigint | null;

/** Evidence for the file's number locale, shared by all the tables (sheets) of one upload. */
export interface LocaleEvidence {
  en: number;
  br: number;
}

/** Value kinds in a Segment. */
export const K_NULL = 0;
export const K_REAL = 1;
export const K_INT = 2;
export const K_TEXT = 3;

/**
 * Rows for TableWriter: `added` columns (labels) first, then `rows` rows, row-major, full width. Packed so that
 * handing it to another thread is a few copies of flat memory rather than millions of values to serialize:
 * per value a kind; numbers (REAL, and INTEGER up to 15 digits) in `nums`; text values concatenated in `text`,
 * their lengths in order in `lens`.
 */
export interface Segment {
  added: string[];
  rows: number;
  kinds: Uint8Array;
  nums: Float64Array;
  text: string;
  lens: Uint32Array;
}

/** The transferable buffers of a segment (postMessage transfer list). */
export function segmentBuffers(seg: Segment): ArrayBuffer[] {
  return [seg.kinds.buffer as ArrayBuffer, seg.nums.buffer as ArrayBuffer, seg.lens.buffer as ArrayBuffer];
}

export interface Collapse {
  row: number;
  value: string;
  family: string;
  before: number;
  /** Why, when it is not "`value` is not `family` like the values before it" (the warning says this instead). */
  reason?: string;
}

/** What a column looked like over the whole file: enough to decide its type and write its catalog entry. */
export interface ColumnSummary {
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
  collapse: Collapse | null;
  distinct: number;
  top: TopValue[];
  /** Min/max of the values stored as numbers, and of those stored as text (SQLite's BINARY order). */
  numMin: number | null;
  numMax: number | null;
  textMin: string | null;
  textMax: string | null;
  /**
   * The unit the column's numbers were written with (`years`, `%`, `R$`, ORDINAL), null for none — or for currency
   * prefixes and `%` that disagree (RowBuilder.acceptUnit). Meaningful only if the column ends up a number.
   */
  unit: string | null;
}

/** A trailing summary row: its row number (= rowid) and the label that made it one (`Total`). */
export interface SummaryRow {
  row: number;
  label: string;
}

export interface BuilderSummary {
  rows: number;
  shortRows: number;
  longRows: number;
  columns: ColumnSummary[];
  /**
   * The table's trailing summary rows. Their values count for the columns' types but not for the statistics
   * (nulls, distinct values, top values, min/max).
   */
  summaryRows: SummaryRow[];
  /**
   * Cells of summary rows holding the label itself (`Total` under `Rank`) in a column that its other values type:
   * left out of the typing, stored as raw text, and to be set NULL if the column ends up typed (TableWriter).
   */
  labelCells: Array<{ row: number; col: number }>;
}

interface ColumnState extends Omit<ColumnSummary, 'distinct' | 'top'> {
  stats: ValueStats;
  /** unitKey of `unit` (the first unit seen; units.ts), and whether disagreeing currency/% prefixes dropped it. */
  unitKey: string | null;
  unitDropped: boolean;
  /** Values of data rows written with the unit, and the first of them (for the warning if they are too few). */
  unitCount: number;
  firstUnit: { row: number; value: string } | null;
  /** Non-null values of summary rows counted in nonNull (label cells are not). */
  summaryValues: number;
  /**
   * First UTF-16 code units of textMin / textMax. While JavaScript's order is SQLite's (see RowBuilder.wideText), a
   * value whose first unit lies strictly between them is neither a new min nor a new max, and the string comparison
   * (a call into V8's runtime) is skipped: ~6 % of the parse worker's time on the ingest benchmark.
   */
  minHead: number;
  maxHead: number;
}

function newColumn(label: string, nullsSoFar: number): ColumnState {
  return {
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
    collapse: null,
    stats: new ValueStats(),
    numMin: null,
    numMax: null,
    textMin: null,
    textMax: null,
    unit: null,
    unitKey: null,
    unitDropped: false,
    unitCount: 0,
    firstUnit: null,
    summaryValues: 0,
    minHead: 0,
    maxHead: 0,
  };
}

/** Does a unit-bearing value fit the column's units so far? Notes the unit (`acceptUnit` of RowBuilder). */
function acceptUnit(col: ColumnState, unit: string): boolean {
  if (unit === col.unit) return true;
  const key = unit === ORDINAL ? ORDINAL : unitKey(unit);
  if (col.unitKey === null) {
    col.unitKey = key;
    col.unit = unit;
    return true;
  }
  if (key === col.unitKey) {
    // `1 year` then `17 years`: the catalog shows the longer (plural) spelling.
    if (unit.length > col.unit!.length) col.unit = unit;
    return true;
  }
  // Currency prefixes and % were numbers before units existed: two of them keep the number, without a unit.
  if (isSoftUnit(unit) && isSoftUnit(col.unit!)) {
    col.unitDropped = true;
    return true;
  }
  return false;
}

/**
 * At the end of a number column with a unit: the unit stands when at least half of its values (summary rows aside)
 * carry it. Fewer, a real unit is rather a label on a few values (`1 Compilation` among episode counts): the
 * column is text. Fewer currency signs or `%` (numbers before units existed) keep the number, without a unit.
 */
function settleUnit(col: ColumnState): void {
  if (col.unit === null || (col.mask & (NUM_EN | NUM_BR)) === 0) return;
  const values = col.nonNull - col.summaryValues;
  if (col.unitCount > 0 && col.unitCount * 2 >= values) return;
  const first = col.firstUnit;
  if (first !== null && !isSoftUnit(col.unit)) {
    col.collapse = {
      row: first.row,
      value: first.value,
      family: 'a number',
      before: values - col.unitCount,
      reason: `only ${col.unitCount} of its ${values} numbers ${col.unitCount === 1 ? 'has' : 'have'} a unit (${JSON.stringify(first.value.length > 40 ? `${first.value.slice(0, 40)}…` : first.value)}, row ${first.row})`,
    };
    col.mask = 0;
  }
  col.unit = null;
}

/** What the values before a unit clash were (`a number in kg`), for the warning. */
function unitFamily(col: ColumnState): string {
  return col.unit === ORDINAL ? 'an ordinal' : `a number in ${col.unit}`;
}

/** A row held back while it may be one of the table's trailing summary rows (a copy: parsers reuse arrays). */
interface HeldRow {
  values: Array<string | null | undefined>;
  ragged: boolean;
  label: string;
}

/**
 * `a < b` in SQLite's BINARY collation (UTF-8 byte order). JS compares UTF-16 code units, which agrees except
 * between surrogate pairs (U+10000…, UTF-16 D800–DFFF) and U+E000–U+FFFF: in UTF-8 the former sort last.
 */
export function utf8Less(a: string, b: string): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      const fx = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      const fy = y >= 0xe000 ? y - 0x800 : y + 0x2000;
      return fx < fy;
    }
    return x < y;
  }
  return a.length < b.length;
}

export class RowBuilder {
  private readonly columns: ColumnState[] = [];
  private kinds = new Uint8Array(0);
  private nums = new Float64Array(0);
  private lens = new Uint32Array(0);
  /**
   * The segment's text values, appended one by one. V8 keeps `+=` as a rope and flattens it once when the segment
   * is posted: measured ~8 % less parse-worker time than collecting the values in an array and joining them.
   */
  private segmentText = '';
  private textCount = 0;
  private filled = 0;
  private segmentRows = 0;
  private added: string[] = [];
  private rows = 0;
  private shortRows = 0;
  private longRows = 0;
  private readonly headerWidth: number;
  /** Rows that look like summaries and are not written yet: they are summaries if nothing but such rows follows. */
  private held: HeldRow[] = [];
  /** Set once a summary-looking row turned out to be data: from then on no row is held back. */
  private summaryOff = false;
  private readonly summaryRows: SummaryRow[] = [];
  private readonly labelCells: Array<{ row: number; col: number }> = [];
  /**
   * Whether a text value may hold a character from U+D800 up (where UTF-16 order and SQLite's UTF-8 order
   * differ). The CSV path clears it while no decoded text had any, so min/max use JavaScript's native comparison.
   */
  wideText = true;

  /** `emit` receives the rows in order; it may be called from writeRow, addColumn and finish. */
  constructor(
    labels: readonly string[],
    readonly evidence: LocaleEvidence,
    private readonly emit: (segment: Segment) => void,
  ) {
    if (labels.length > MAX_COLUMNS) throw tooManyColumns(labels.length);
    this.headerWidth = labels.length;
    for (const l of labels) this.columns.push(newColumn(l, 0));
  }

  get width(): number {
    return this.columns.length;
  }

  get rowCount(): number {
    return this.rows;
  }

  /** Adds a column (JSON keys seen late, extra fields of ragged rows); earlier rows read NULL there. */
  addColumn(label: string): number {
    if (this.columns.length >= MAX_COLUMNS) throw tooManyColumns();
    this.flush();
    this.columns.push(newColumn(label, this.rows));
    if (this.columns.length > this.kinds.length) this.allocate();
    this.added.push(label);
    return this.columns.length - 1;
  }

  /** Hands over the rows collected so far (with the columns added before them). */
  flush(): void {
    if (this.segmentRows === 0) return;
    const n = this.filled;
    const seg: Segment = {
      added: this.added,
      rows: this.segmentRows,
      kinds: this.kinds.subarray(0, n),
      nums: this.nums.subarray(0, n),
      text: this.segmentText,
      lens: this.lens.subarray(0, this.textCount),
    };
    this.added = [];
    this.segmentText = '';
    this.textCount = 0;
    this.filled = 0;
    this.segmentRows = 0;
    this.allocate();
    this.emit(seg);
  }

  /** Fresh arrays for the next segment (the previous ones may have been transferred to another thread). */
  private allocate(): void {
    const size = Math.max(SEGMENT_VALUES, this.columns.length);
    this.kinds = new Uint8Array(size);
    this.nums = new Float64Array(size);
    this.lens = new Uint32Array(size);
  }

  /**
   * One row of raw values (null = missing). Fewer values than columns → NULLs; more → new columns `column_N`
   * (unless the extra values are all empty, e.g. a trailing delimiter). Both are counted for the warnings.
   * A row whose first non-empty cell is a summary label (`Total`) is held back until the next row shows whether
   * it ends the table (summary-rows.ts); row numbers and order are kept either way.
   */
  writeRow(values: ReadonlyArray<string | null | undefined>, ragged = true): void {
    if (!this.summaryOff && (this.held.length > 0 || mayStartSummary(values[0]))) {
      const label = rowSummaryLabel(values);
      if (label !== null) {
        if (this.held.length < MAX_SUMMARY_ROWS) {
          this.held.push({ values: values.slice(), ragged, label });
          return;
        }
        this.summaryOff = true;
      }
      if (this.held.length > 0) this.releaseHeld();
    }
    this.put(values, ragged, null);
  }

  /** The held rows are data after all (a data row follows them): written as such, and no row is held any more. */
  private releaseHeld(): void {
    const held = this.held;
    this.held = [];
    this.summaryOff = true;
    for (const h of held) this.put(h.values, h.ragged, null);
  }

  /**
   * Writes a row. `summary` (the row's label word) marks a summary row: its values are typed and stored like any
   * other, but left out of the statistics, and the cells holding the label are left out of the typing too.
   */
  private put(
    values: ReadonlyArray<string | null | undefined>,
    ragged: boolean,
    summary: string | null,
  ): void {
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
          if (values.length > MAX_COLUMNS) throw tooManyColumns();
          while (cols.length < values.length) this.addColumn(`column_${cols.length + 1}`);
        }
      }
    }
    const n = cols.length;
    if (this.filled + n > this.kinds.length) {
      this.flush();
      if (n > this.kinds.length) this.allocate();
    }
    const kinds = this.kinds;
    const nums = this.nums;
    const lens = this.lens;
    const narrow = !this.wideText;
    let o = this.filled;
    const evidence = this.evidence;
    const data = summary === null;
    for (let i = 0; i < n; i++) {
      const raw = values[i];
      const col = cols[i]!;
      if (raw === null || raw === undefined || isNullToken(raw)) {
        if (data) col.nulls++;
        kinds[o++] = K_NULL;
        continue;
      }
      // What is stored: `text` (kind K_TEXT), or the number `num` (K_INT / K_REAL).
      let kind = K_TEXT;
      let text = raw;
      let num = 0;
      if (!data && col.mask !== 0 && col.nonNull > 0 && summaryLabel(raw) === summary) {
        // `Total` under `Rank`: not a value of the column (its numbers decide its type); NULL if they do.
        this.labelCells.push({ row: this.rows + 1, col: i });
      } else {
        col.nonNull++;
        if (data) col.stats.add(raw);
        else col.summaryValues++;
        if (col.mask === 0) col.textStored++;
        else {
          const r = classify(raw, col.mask);
          let mask = col.mask & r.mask;
          const locales = r.mask & (NUM_EN | NUM_BR);
          if (locales === NUM_EN) evidence.en++;
          else if (locales === NUM_BR) evidence.br++;
          // A number written with a unit: the column's units must agree (`5 kg` then `3 lb` is text).
          let family = '';
          if (mask !== 0 && r.unit !== '') {
            if (!acceptUnit(col, r.unit)) {
              family = unitFamily(col);
              mask = 0;
            } else if (data) {
              col.unitCount++;
              col.firstUnit ??= { row: this.rows + 1, value: raw };
            }
          }
          if (mask === 0) {
            col.collapse = {
              row: this.rows + 1,
              value: raw,
              family: family || describeMask(col.mask),
              before: col.nonNull - 1,
            };
            col.mask = 0;
            col.textStored++;
          } else {
            col.mask = mask;
            if (r.time) col.sawTime = true;
            const canonical = r.canonical;
            if (canonical === undefined) {
              col.textStored++;
            } else if (typeof canonical === 'number') {
              if (r.frac === 0) {
                col.numbersStored++;
                kind = K_INT;
                num = canonical;
              } else {
                // Decimals are restorable as text only with one decimal count per column (`toFixed(decimals)`).
                if (col.decimals === -1) col.decimals = r.frac;
                if (col.decimals === r.frac) {
                  col.numbersStored++;
                  kind = K_REAL;
                  num = canonical;
                } else col.textStored++;
              }
            } else {
              col.textStored++;
              if (r.isoDate) col.isoDates++;
              else if (r.isoDatetime) col.isoDatetimes++;
              text = canonical;
            }
          }
        }
      }
      if (kind === K_TEXT) {
        kinds[o++] = K_TEXT;
        lens[this.textCount++] = text.length;
        this.segmentText += text;
        if (!data) continue;
        if (col.textMin === null) {
          col.textMin = text;
          col.textMax = text;
          col.minHead = col.maxHead = text.charCodeAt(0) || 0;
        } else if (narrow) {
          const head = text.charCodeAt(0) || 0;
          if (head <= col.minHead && text < col.textMin) {
            col.textMin = text;
            col.minHead = head;
          } else if (head >= col.maxHead && text > col.textMax!) {
            col.textMax = text;
            col.maxHead = head;
          }
        } else if (text !== col.textMin && text !== col.textMax) {
          if (utf8Less(text, col.textMin)) col.textMin = text;
          else if (utf8Less(col.textMax!, text)) col.textMax = text;
        }
      } else {
        kinds[o] = kind;
        nums[o++] = num;
        if (!data) continue;
        if (col.numMin === null || num < col.numMin) col.numMin = num;
        if (col.numMax === null || num > col.numMax) col.numMax = num;
      }
    }
    this.filled = o;
    this.rows++;
    this.segmentRows++;
    if (o + n > SEGMENT_VALUES) this.flush();
  }

  /**
   * Rows still held at the end are the table's trailing summary rows, when there are data rows before them and each
   * has a number besides its label (a bare `Total` line is not a summary of anything).
   */
  private writeSummaryRows(): void {
    const held = this.held;
    this.held = [];
    const summaries =
      this.rows >= MIN_ROWS_BEFORE_SUMMARY && held.every((h) => hasNumberBesides(h.values, h.label));
    for (const h of held) {
      if (summaries) {
        const label = h.values.find((v) => summaryLabel(v ?? '') === h.label)!;
        this.summaryRows.push({ row: this.rows + 1, label: label.trim() });
      }
      this.put(h.values, h.ragged, summaries ? h.label : null);
    }
  }

  /** Hands over the last rows and returns what the columns looked like. */
  finish(): BuilderSummary {
    if (this.held.length > 0) this.writeSummaryRows();
    for (const col of this.columns) settleUnit(col);
    this.flush();
    if (this.added.length > 0) {
      const none = new Uint8Array(0);
      this.emit({
        added: this.added,
        rows: 0,
        kinds: none,
        nums: new Float64Array(0),
        text: '',
        lens: new Uint32Array(0),
      });
    }
    this.added = [];
    return {
      rows: this.rows,
      shortRows: this.shortRows,
      longRows: this.longRows,
      columns: this.columns.map(
        ({
          stats,
          minHead: _min,
          maxHead: _max,
          unitKey: _key,
          unitDropped,
          unitCount: _count,
          firstUnit: _first,
          summaryValues: _summary,
          unit,
          ...c
        }) => ({
          ...c,
          unit: unitDropped ? null : unit,
          distinct: stats.distinct(),
          top: stats.top(),
        }),
      ),
      summaryRows: this.summaryRows,
      labelCells: this.labelCells,
    };
  }
}

/** Has the row a number in a cell other than its label's (`Total, Total, 49, 49` has)? */
function hasNumberBesides(values: ReadonlyArray<string | null | undefined>, label: string): boolean {
  for (const v of values) {
    if (v === null || v === undefined || isNullToken(v) || summaryLabel(v) === label) continue;
    if (classify(v, NUM_EN | NUM_BR).mask !== 0) return true;
  }
  return false;
}

export function tooManyColumns(count?: number): AppError {
  return new AppError('unprocessable_file', {
    detail:
      count === undefined
        ? `it has more than ${MAX_COLUMNS} columns, the limit`
        : `it has ${count.toLocaleString('en')} columns; the limit is ${MAX_COLUMNS}`,
  });
}
