/**
 * Text encodings of uploads. BOMs decide UTF-8 / UTF-16; without a BOM a file is UTF-8 unless its first non-ASCII
 * bytes are not valid UTF-8, in which case it is Windows-1252 (what Excel "CSV" exports on Brazilian Windows).
 *
 * The decision is made lazily, at the first non-ASCII byte, because everything before it decodes the same in both:
 * a file whose first accented letter is at byte 50,000,000 is still decoded right without buffering or re-reading.
 * A file that shows valid multi-byte UTF-8 first and invalid bytes later is corrupt, and refused (never mojibake).
 */
import { TextDecoder } from 'node:util';
import { AppError } from '../errors.js';

export type EncodingName = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252' | 'ascii';

/** Bytes that Windows-1252 leaves undefined: text with them is not cp1252 either. */
const CP1252_UNDEFINED = new Set([0x81, 0x8d, 0x8f, 0x90, 0x9d]);

export function detectBom(head: Uint8Array): { encoding: EncodingName; length: number } | null {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', length: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', length: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', length: 2 };
  return null;
}

/**
 * Validates UTF-8 from `start`. Returns the index of the first invalid byte (or -1), and how many well-formed
 * multi-byte sequences precede it. A sequence cut by the end of the buffer is not an error (the next chunk completes it).
 */
export function scanUtf8(bytes: Uint8Array, start: number): { invalidAt: number; multibyte: number } {
  let multibyte = 0;
  const n = bytes.length;
  let i = start;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return { invalidAt: i, multibyte };
    if (i + need >= n) {
      // Truncated at the end of the buffer: check what is there, accept the rest.
      for (let k = 1; i + k < n; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return { invalidAt: i, multibyte };
      return { invalidAt: -1, multibyte };
    }
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k]!;
      if ((c & 0xc0) !== 0x80) return { invalidAt: i, multibyte };
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return { invalidAt: i, multibyte };
    multibyte++;
    i += need + 1;
  }
  return { invalidAt: -1, multibyte };
}

function invalidUtf8(offset: number): AppError {
  return new AppError('unprocessable_file', {
    detail: `the text is not valid UTF-8 (invalid byte sequence at byte ${offset}); save it as UTF-8 or Windows-1252`,
  });
}

/** Streaming decoder with the lazy UTF-8 / Windows-1252 decision described above. */
export class StreamDecoder {
  private decoder: TextDecoder | null = null;
  private mode: EncodingName;
  private offset = 0;
  private skip = 0;

  constructor(head: Uint8Array) {
    const bom = detectBom(head);
    if (bom) {
      this.mode = bom.encoding;
      this.skip = bom.length;
      this.decoder = new TextDecoder(bom.encoding, { fatal: true });
    } else {
      this.mode = 'ascii';
    }
  }

  /** 'ascii' until the first non-ASCII byte has decided between UTF-8 and Windows-1252. */
  get encoding(): EncodingName {
    return this.mode;
  }

  decode(chunk: Uint8Array): string {
    let bytes = chunk;
    if (this.skip > 0) {
      const s = Math.min(this.skip, bytes.length);
      bytes = bytes.subarray(s);
      this.skip -= s;
      this.offset += s;
    }
    const base = this.offset;
    this.offset += bytes.length;
    if (this.mode === 'ascii') {
      let i = 0;
      const n = bytes.length;
      while (i < n && bytes[i]! < 0x80) i++;
      if (i === n) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
      const scan = scanUtf8(bytes, i);
      if (scan.invalidAt === -1 || scan.multibyte > 0) {
        // Valid UTF-8 so far (or valid multi-byte text before a bad byte, which the fatal decoder will report).
        this.mode = 'utf-8';
        this.decoder = new TextDecoder('utf-8', { fatal: true });
      } else {
        for (let k = i; k < n; k++) {
          if (CP1252_UNDEFINED.has(bytes[k]!)) {
            throw new AppError('unprocessable_file', {
              detail: `the text is neither UTF-8 nor Windows-1252 (byte 0x${bytes[k]!.toString(16)} at ${base + k})`,
            });
          }
        }
        this.mode = 'windows-1252';
        this.decoder = new TextDecoder('windows-1252');
      }
    }
    try {
      return this.decoder!.decode(bytes, { stream: true });
    } catch (error) {
      throw this.locate(bytes, base, error);
    }
  }

  end(): string {
    if (!this.decoder) return '';
    try {
      return this.decoder.decode();
    } catch {
      throw this.mode === 'utf-8'
        ? invalidUtf8(this.offset)
        : new AppError('unprocessable_file', {
            detail: `the file ends in the middle of a ${this.mode} character`,
          });
    }
  }

  private locate(bytes: Uint8Array, base: number, error: unknown): AppError {
    if (this.mode === 'utf-8') {
      const at = scanUtf8(bytes, 0).invalidAt;
      return invalidUtf8(base + Math.max(at, 0));
    }
    return new AppError(
      'unprocessable_file',
      { detail: `the text is not valid ${this.mode}` },
      { cause: error },
    );
  }
}
