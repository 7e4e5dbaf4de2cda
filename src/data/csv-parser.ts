/**
 * A push-style RFC 4180 parser over decoded text: quoted fields (with delimiters, newlines and doubled quotes
 * inside), CRLF / LF / CR line ends, bounded field and row sizes.
 *
 * Hand-written because it was measured against the libraries (see docs/benchmarks-ingest.md): it is as fast as
 * udsv on our data, streams without buffering whole lines, and lets us enforce the size bounds while scanning
 * instead of after a 50 MB line has been materialised.
 *
 * State across chunks is kept at field granularity: completed fields of the current row are kept, and the text of
 * the field in progress is carried over and rescanned with the next chunk. The field bound keeps that rescan cheap.
 */
import { AppError } from '../errors.js';

export interface CsvLimits {
  /** Characters in one field. */
  maxField: number;
  /** Characters in one row (all fields). */
  maxRow: number;
  /** Fields in one row. */
  maxFields: number;
}

export const DEFAULT_CSV_LIMITS: CsvLimits = {
  maxField: 1024 * 1024,
  maxRow: 8 * 1024 * 1024,
  maxFields: 2000,
};

const QUOTE = 34;
const LF = 10;
const CR = 13;

export class CsvParser {
  private pending = '';
  /**
   * The fields of the row in progress: one array reused for every row (no allocation per row), its first
   * `fields` elements valid. onRow gets it with exactly those and must not keep it (copy what it keeps).
   */
  private readonly row: string[] = [];
  private fields = 0;
  private rowChars = 0;
  private skipLf = false;
  /** 1-based number of the row being parsed (for messages). */
  private rowNumber = 1;
  private readonly delim: number;

  constructor(
    delimiter: string,
    private readonly onRow: (fields: string[]) => void,
    private readonly limits: CsvLimits = DEFAULT_CSV_LIMITS,
  ) {
    this.delim = delimiter.charCodeAt(0);
  }

  /** Rows emitted so far (1-based number of the next row). */
  get rowsSeen(): number {
    return this.rowNumber - 1;
  }

  feed(chunk: string): void {
    this.run(this.pending.length > 0 ? this.pending + chunk : chunk, false);
  }

  end(): void {
    this.run(this.pending, true);
  }

  private tooLong(what: string, limit: number): AppError {
    return new AppError('unprocessable_file', {
      detail: `row ${this.rowNumber} has a ${what} longer than ${limit.toLocaleString('en')} characters`,
    });
  }

  private tooManyFields(): AppError {
    return new AppError('unprocessable_file', {
      detail: `row ${this.rowNumber} has more than ${this.limits.maxFields} fields, the limit`,
    });
  }

  private push(field: string): void {
    this.row[this.fields++] = field;
    this.rowChars += field.length;
    if (this.fields > this.limits.maxFields) throw this.tooManyFields();
    if (this.rowChars > this.limits.maxRow) throw this.tooLong('line', this.limits.maxRow);
  }

  private emit(): void {
    const row = this.row;
    if (row.length !== this.fields) row.length = this.fields;
    this.fields = 0;
    this.rowChars = 0;
    this.rowNumber++;
    this.onRow(row);
  }

  private run(s: string, final: boolean): void {
    const n = s.length;
    const delim = this.delim;
    const maxField = this.limits.maxField;
    const delimStr = String.fromCharCode(delim);
    const maxFields = this.limits.maxFields;
    const maxRow = this.limits.maxRow;
    let nextDelim = -1;
    let nextLf = -1;
    let nextCr = -1;
    let i = 0;
    this.pending = '';
    if (this.skipLf && n > 0) {
      this.skipLf = false;
      if (s.charCodeAt(0) === LF) i = 1;
    }
    while (i < n) {
      let field: string;
      let j: number;
      if (s.charCodeAt(i) === QUOTE) {
        // Quoted field: find the closing quote, unescaping doubled quotes.
        let from = i + 1;
        let value = '';
        for (;;) {
          const q = s.indexOf('"', from);
          if (q === -1 || (q === n - 1 && !final)) {
            // Unfinished (or a quote at the very end that might be the first of a doubled pair).
            if (!final) {
              if (n - i > maxField + 2) throw this.tooLong('field', maxField);
              this.pending = s.slice(i);
              return;
            }
            throw new AppError('unprocessable_file', {
              detail: `row ${this.rowNumber} has a quoted field that is never closed (unbalanced " quote)`,
            });
          }
          if (s.charCodeAt(q + 1) === QUOTE) {
            value += s.slice(from, q + 1);
            from = q + 2;
            continue;
          }
          value += s.slice(from, q);
          j = q + 1;
          break;
        }
        // Text after the closing quote (`"a"b,`) is kept rather than lost: lenient like spreadsheet programs.
        let k = j;
        while (k < n) {
          const c = s.charCodeAt(k);
          if (c === delim || c === LF || c === CR) break;
          k++;
        }
        if (k === n && !final) {
          this.pending = s.slice(i);
          return;
        }
        field = k > j ? value + s.slice(j, k) : value;
        j = k;
      } else {
        // The next delimiter / LF / CR at or after i, each found by indexOf (native, vectorised) and kept until
        // passed: every occurrence is searched for once, instead of a JavaScript test per character.
        if (nextDelim < i) {
          nextDelim = s.indexOf(delimStr, i);
          if (nextDelim === -1) nextDelim = n;
        }
        if (nextLf < i) {
          nextLf = s.indexOf('\n', i);
          if (nextLf === -1) nextLf = n;
        }
        if (nextCr < i) {
          nextCr = s.indexOf('\r', i);
          if (nextCr === -1) nextCr = n;
        }
        j = Math.min(nextDelim, nextLf, nextCr);
        if (j === n && !final) {
          if (n - i > maxField) throw this.tooLong('field', maxField);
          this.pending = s.slice(i);
          return;
        }
        field = s.slice(i, j);
      }
      if (field.length > maxField) throw this.tooLong('field', maxField);
      this.row[this.fields++] = field;
      this.rowChars += field.length;
      if (this.fields > maxFields) throw this.tooManyFields();
      if (this.rowChars > maxRow) throw this.tooLong('line', maxRow);
      if (j >= n) {
        // End of input (final) right after a field.
        this.emit();
        return;
      }
      const t = s.charCodeAt(j);
      if (t === delim) {
        i = j + 1;
        if (i === n) {
          // A delimiter ends the text: the next field starts in the next chunk, or is empty at the end.
          if (final) {
            this.push('');
            this.emit();
          }
          return;
        }
        continue;
      }
      this.emit();
      if (t === CR) {
        if (j + 1 < n) i = s.charCodeAt(j + 1) === LF ? j + 2 : j + 1;
        else {
          this.skipLf = true;
          return;
        }
      } else i = j + 1;
    }
    if (final && this.fields > 0) {
      this.push('');
      this.emit();
    }
  }
}
