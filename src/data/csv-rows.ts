/**
 * CSV bytes → typed row segments: decode → sniff the delimiter → parse → header detection → RowBuilder.
 * No database and no I/O here, so the same code runs in the CSV worker thread (csv-worker.ts, for files bigger
 * than the sniffed head) and on the main thread (small files).
 */
import { AppError } from '../errors.js';
import { CsvParser, DEFAULT_CSV_LIMITS } from './csv-parser.js';
import { type EncodingName, StreamDecoder } from './encoding.js';
import { HeaderSampler, isBlank } from './header.js';
import { type BuilderSummary, type LocaleEvidence, RowBuilder, type Segment } from './row-builder.js';
import { sniffDelimiter } from './sniff.js';

export interface CsvEvents {
  /** The table's column labels, before any segment. */
  start(labels: string[]): void;
  segment(seg: Segment): void;
}

export interface CsvOutcome {
  summary: BuilderSummary;
  evidence: LocaleEvidence;
  warnings: string[];
  delimiter: string;
  encoding: EncodingName;
}

export function emptyFile(): AppError {
  return new AppError('unprocessable_file', { detail: 'the file is empty' });
}

/** A UTF-16 code unit from U+D800 up (see RowBuilder.wideText). */
const WIDE = /[\ud800-\uffff]/;

export class CsvRows {
  private decoder: StreamDecoder | null = null;
  private parser: CsvParser | null = null;
  private builder: RowBuilder | null = null;
  private readonly sampler: HeaderSampler;
  private blankRows = 0;
  private delimiter = ',';
  private readonly evidence: LocaleEvidence = { en: 0, br: 0 };
  private wide = false;

  constructor(
    private readonly fileName: string,
    private readonly events: CsvEvents,
  ) {
    this.sampler = new HeaderSampler((labels) => {
      this.events.start(labels);
      const builder = new RowBuilder(labels, this.evidence, (seg) => this.events.segment(seg));
      builder.wideText = this.wide;
      this.builder = builder;
      return (row) => builder.writeRow(row);
    });
  }

  /** The first chunk must be the file's head (what the delimiter is sniffed on, and where a BOM would be). */
  feed(bytes: Uint8Array): void {
    if (!this.decoder) {
      this.decoder = new StreamDecoder(bytes);
      const text = this.checked(this.decoder.decode(bytes));
      this.delimiter = sniffDelimiter(text, this.fileName);
      this.parser = new CsvParser(
        this.delimiter,
        (fields) => {
          // Blank lines and rows of empty fields (`;;;;` at the end of spreadsheet exports) carry nothing.
          // The parser reuses `fields` for the next row: the sampler keeps copies of the rows it samples.
          if (isBlank(fields)) this.blankRows++;
          else this.sampler.push(this.sampler.started ? fields : fields.slice());
        },
        DEFAULT_CSV_LIMITS,
      );
      this.parser.feed(text);
      return;
    }
    this.parser!.feed(this.checked(this.decoder.decode(bytes)));
  }

  /** Notes decoded text with characters from U+D800 up, before any of its rows reaches the builder. */
  private checked(text: string): string {
    if (!this.wide && WIDE.test(text)) {
      this.wide = true;
      if (this.builder) this.builder.wideText = true;
    }
    return text;
  }

  /** Hands over the last rows; returns the column summaries and the file-level warnings. */
  end(): CsvOutcome {
    if (!this.decoder || !this.parser) throw emptyFile();
    this.parser.feed(this.checked(this.decoder.end()));
    this.parser.end();
    if (!this.sampler.started) {
      if (this.sampler.sampled === 0) throw emptyFile();
      if (this.sampler.sampled === 1) {
        throw new AppError('unprocessable_file', { detail: 'the file has a header row but no data rows' });
      }
      this.sampler.decide();
    }
    const warnings: string[] = [];
    if (!this.sampler.header) {
      warnings.push('no header row was detected: the columns are named column_1, column_2, …');
    }
    if (this.blankRows > 0) warnings.push(`${this.blankRows.toLocaleString('en')} empty row(s) were skipped`);
    return {
      summary: this.builder!.finish(),
      evidence: this.evidence,
      warnings,
      delimiter: this.delimiter,
      encoding: this.decoder.encoding,
    };
  }
}
