/**
 * The JSON body parser: Fastify's own (body limit, `__proto__` / `constructor.prototype` refused), plus a refusal
 * of duplicate keys at any depth. JSON.parse keeps the last of two equal keys silently, so `{"top_k": 1,
 * "top_k": 1000}` would mean whatever the last writer wanted while a proxy or log reading the first saw another
 * value; an ambiguous body is refused instead (400 bad_input).
 */
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';

const QUOTE = 34; // "
const BACKSLASH = 92;

/** Index of the quote closing the string that opens at `start`. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i += 2;
    else if (c === QUOTE) return i;
    else i += 1;
  }
  return text.length;
}

/**
 * The first key that appears twice in one object of a valid JSON text, compared after unescaping (`"a"` and
 * `"\u0061"` are the same key). Iterative: a body of 64 KiB can nest 32,000 levels deep.
 */
export function duplicateKey(text: string): string | undefined {
  // One entry per open container: the keys seen so far for an object, null for an array.
  const open: (Set<string> | null)[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i += 1) {
    switch (text[i]) {
      case '"': {
        const end = stringEnd(text, i);
        const keys = open.at(-1);
        if (expectKey && keys) {
          const raw = text.slice(i + 1, end);
          const key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
          if (keys.has(key)) return key;
          keys.add(key);
          expectKey = false;
        }
        i = end;
        break;
      }
      case '{':
        open.push(new Set());
        expectKey = true;
        break;
      case '[':
        open.push(null);
        expectKey = false;
        break;
      case '}':
      case ']':
        open.pop();
        break;
      case ',':
        expectKey = open.at(-1) instanceof Set;
        break;
    }
  }
  return undefined;
}

export function installJsonParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, raw, done) => {
    const body = String(raw); // parseAs 'string': always a string already
    parseJson(request, body, (error, value) => {
      if (error) return done(error, undefined);
      const key = duplicateKey(body);
      if (key === undefined) return done(null, value);
      const shown = JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key);
      done(
        new AppError('bad_input', {
          detail: `the key ${shown} appears twice in the same JSON object`,
          detail_pt: `a chave ${shown} aparece duas vezes no mesmo objeto JSON`,
        }),
        undefined,
      );
    });
  });
}
