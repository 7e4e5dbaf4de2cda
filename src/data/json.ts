/**
 * JSON uploads: an array of objects (`[{...}, {...}]`) or NDJSON (one object per line). Both are read as a stream:
 * the array parser only finds where each top-level element ends (tracking strings and nesting) and hands that
 * slice to JSON.parse, so memory holds one record at a time, not the document.
 */
import { AppError } from '../errors.js';

export type JsonRecord = Record<string, unknown>;

/** A record bigger than this is refused (the CSV field/row bounds' counterpart). */
export const MAX_RECORD_CHARS = 8 * 1024 * 1024;
/** A value longer than this (as text) is refused: the CSV field bound. */
export const MAX_CELL_CHARS = 1024 * 1024;
/**
 * Nesting deeper than this is refused. Tables are flat; a nested value is kept as JSON text, and turning a
 * 100,000-deep one back into text overflowed the stack (a 500 instead of a 422, issue 12).
 */
export const MAX_JSON_DEPTH = 64;

function tooDeep(where: string): AppError {
  return notTable(`${where} is nested more than ${MAX_JSON_DEPTH} levels deep`);
}

/**
 * Whether `text` (one JSON value) nests deeper than MAX_JSON_DEPTH: a scan for brackets outside strings, done before
 * JSON.parse so that neither the parser nor JSON.stringify later recurses that deep.
 */
function nestsTooDeep(text: string): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > MAX_JSON_DEPTH) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

function notTable(detail: string): AppError {
  return new AppError('unprocessable_file', { detail });
}

function asRecord(value: unknown, index: number): JsonRecord {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw notTable(
      `JSON element ${index + 1} is not an object; expected an array of objects like [{"a": 1}, …]`,
    );
  }
  return value as JsonRecord;
}

export class JsonArrayParser {
  private buf = '';
  private pos = 0;
  private started = false;
  private ended = false;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private elemStart = -1;
  private count = 0;

  constructor(private readonly onRecord: (record: JsonRecord) => void) {}

  feed(chunk: string): void {
    // Keep only the unconsumed part: the element in progress.
    const keepFrom = this.elemStart >= 0 ? this.elemStart : this.pos;
    this.buf = this.buf.slice(keepFrom) + chunk;
    this.pos -= keepFrom;
    if (this.elemStart >= 0) this.elemStart = 0;
    this.scan();
  }

  end(): void {
    if (!this.started) throw notTable('the JSON text is empty');
    if (!this.ended) throw notTable('the JSON array is not closed (the file is truncated or malformed)');
  }

  private scan(): void {
    const s = this.buf;
    const n = s.length;
    let i = this.pos;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 92) this.escaped = true;
        else if (c === 34) this.inString = false;
        i++;
        continue;
      }
      if (this.ended) {
        if (c > 32) throw notTable('unexpected text after the end of the JSON array');
        i++;
        continue;
      }
      if (!this.started) {
        if (c === 91) this.started = true;
        else if (c > 32 && c !== 0xfeff) throw notTable('expected a JSON array of objects');
        i++;
        continue;
      }
      if (this.depth === 0) {
        // Between elements.
        if (c === 93) {
          this.ended = true;
        } else if (c === 123 || c === 91) {
          this.elemStart = i;
          this.depth = 1;
        } else if (c === 34) {
          throw notTable(`JSON element ${this.count + 1} is not an object; expected an array of objects`);
        } else if (c !== 44 && c > 32) {
          throw notTable(`JSON element ${this.count + 1} is not an object; expected an array of objects`);
        }
        i++;
        continue;
      }
      if (c === 34) this.inString = true;
      else if (c === 123 || c === 91) {
        // +1: the document's own array is not counted in `depth`.
        if (++this.depth + 1 > MAX_JSON_DEPTH) throw tooDeep(`JSON element ${this.count + 1}`);
      } else if (c === 125 || c === 93) {
        this.depth--;
        if (this.depth === 0) {
          const text = s.slice(this.elemStart, i + 1);
          this.elemStart = -1;
          const value = parseJson(text, (why) => `JSON element ${this.count + 1} is malformed: ${why}`);
          this.onRecord(asRecord(value, this.count++));
        }
      }
      i++;
    }
    this.pos = i;
    if (this.elemStart >= 0 && n - this.elemStart > MAX_RECORD_CHARS) {
      throw notTable(`JSON element ${this.count + 1} is larger than ${MAX_RECORD_CHARS / 1024 / 1024} MB`);
    }
  }
}

export class NdjsonParser {
  private pending = '';
  private line = 0;

  constructor(private readonly onRecord: (record: JsonRecord) => void) {}

  feed(chunk: string): void {
    const s = this.pending + chunk;
    let start = 0;
    for (;;) {
      const nl = s.indexOf('\n', start);
      if (nl === -1) break;
      this.handle(s.slice(start, nl));
      start = nl + 1;
    }
    this.pending = s.slice(start);
    if (this.pending.length > MAX_RECORD_CHARS) {
      throw notTable(`line ${this.line + 1} is longer than ${MAX_RECORD_CHARS / 1024 / 1024} MB`);
    }
  }

  end(): void {
    if (this.pending.length > 0) this.handle(this.pending);
    this.pending = '';
  }

  private handle(raw: string): void {
    this.line++;
    const text = raw.trim();
    if (text.length === 0) return;
    if (nestsTooDeep(text)) throw tooDeep(`line ${this.line}`);
    const value = parseJson(
      text,
      (why) =>
        `line ${this.line} is not valid JSON (expected one object per line, NDJSON, or an array of objects): ${why}`,
    );
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw notTable(`line ${this.line} is not a JSON object`);
    }
    this.onRecord(value as JsonRecord);
  }
}

/** A JSON value as the raw text the type inference reads (nested values are kept as JSON text). */
export function jsonCell(value: unknown, key: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (text.length > MAX_CELL_CHARS) {
    throw notTable(`the value of "${key.slice(0, 60)}" is longer than ${MAX_CELL_CHARS / 1024} K characters`);
  }
  return text;
}

/** JSON.parse, with a parse failure reported as unprocessable_file and the place it happened. */
function parseJson(text: string, describe: (why: string) => string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AppError(
      'unprocessable_file',
      { detail: describe((error as Error).message) },
      { cause: error },
    );
  }
}
