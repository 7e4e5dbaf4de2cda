/**
 * A small SQL tokenizer that follows SQLite's own lexical rules (tokenize.c), so the guard reasons about the same
 * tokens SQLite will see: a keyword inside a string, a quoted identifier or a comment is not a keyword, and a `;`
 * inside them does not end a statement. Regexes over raw text get exactly these cases wrong.
 *
 * It does not parse SQL; SQLite does that (and is the final judge, see sql-guard.ts). It only needs to find
 * statement boundaries, the leading verb, function names and double-quoted tokens.
 */

export type TokenKind =
  | 'word' // keyword or bare identifier
  | 'string' // '...'
  | 'dquoted' // "..." — an identifier for SQLite (DQS is off), often meant as a string by LLMs
  | 'bracketed' // [...] or `...` — identifiers
  | 'number'
  | 'blob' // x'..'
  | 'param' // ?, ?1, :a, @a, $a
  | 'punct' // operators and ( ) , . ;
  | 'illegal'; // a character SQLite does not accept outside strings

export interface Token {
  kind: TokenKind;
  /** The exact source text, quotes included. */
  text: string;
  /** Offsets in the source string (UTF-16 units), end exclusive. */
  start: number;
  end: number;
  /** Parenthesis depth before this token: 0 = top level of the statement. */
  depth: number;
}

export interface Tokenized {
  tokens: Token[];
  /** True when the source contains `/*` without a closing `*\/` (SQLite accepts it as a comment to the end). */
  openComment: boolean;
  /** Set when a string or quoted identifier is not closed: SQLite would reject the text. */
  unterminated?: string;
}

// SQLite's whitespace: space, \t, \n, \f, \r. Not \v, not U+00A0 (non-ASCII characters are identifier characters).
const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\f' || c === '\r';
const isDigit = (c: string) => c >= '0' && c <= '9';
const isHex = (c: string) => isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
// SQLite treats every byte ≥ 0x80 as an identifier character: unicode letters, zero-width spaces and homoglyphs
// all become part of a word, never a separator or an operator.
const isIdChar = (c: string) =>
  (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isDigit(c) || c === '_' || c === '$' || c >= '\u0080';
const isIdStart = (c: string) => isIdChar(c) && !isDigit(c) && c !== '$';

/** Finds the end (exclusive) of a quoted run starting at `start` whose quote doubles to escape. */
function quoted(sql: string, start: number, close: string, doubling: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === close) {
      if (doubling && sql[i + 1] === close) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i += 1;
  }
  return -1;
}

export function tokenize(sql: string): Tokenized {
  const tokens: Token[] = [];
  let depth = 0;
  let i = 0;
  const push = (kind: TokenKind, end: number) => {
    const text = sql.slice(i, end);
    if (kind === 'punct' && text === ')') depth = Math.max(0, depth - 1);
    tokens.push({ kind, text, start: i, end, depth });
    if (kind === 'punct' && text === '(') depth += 1;
    i = end;
  };

  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1] ?? '';
    if (isSpace(c)) {
      i += 1;
    } else if (c === '-' && next === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl === -1 ? sql.length : nl + 1;
    } else if (c === '/' && next === '*') {
      const close = sql.indexOf('*/', i + 2);
      if (close === -1) return { tokens, openComment: true };
      i = close + 2;
    } else if (c === "'" || c === '"' || c === '`') {
      const end = quoted(sql, i, c, true);
      if (end === -1) return { tokens, openComment: false, unterminated: c };
      push(c === "'" ? 'string' : c === '"' ? 'dquoted' : 'bracketed', end);
    } else if (c === '[') {
      const end = quoted(sql, i, ']', false);
      if (end === -1) return { tokens, openComment: false, unterminated: '[' };
      push('bracketed', end);
    } else if ((c === 'x' || c === 'X') && next === "'") {
      let j = i + 2;
      while (j < sql.length && isHex(sql[j]!)) j += 1;
      if (sql[j] !== "'") return { tokens, openComment: false, unterminated: "x'" };
      push('blob', j + 1);
    } else if (isDigit(c) || (c === '.' && isDigit(next))) {
      let j = i;
      while (j < sql.length && (isIdChar(sql[j]!) || sql[j] === '.' || sql[j] === '_')) {
        // exponent sign: 1e+5, 1E-3
        if ((sql[j] === 'e' || sql[j] === 'E') && (sql[j + 1] === '+' || sql[j + 1] === '-')) j += 1;
        j += 1;
      }
      push('number', j);
    } else if (isIdStart(c)) {
      let j = i + 1;
      while (j < sql.length && isIdChar(sql[j]!)) j += 1;
      push('word', j);
    } else if (c === '?') {
      let j = i + 1;
      while (j < sql.length && isDigit(sql[j]!)) j += 1;
      push('param', j);
    } else if (c === ':' || c === '@' || c === '$') {
      let j = i + 1;
      while (j < sql.length && (isIdChar(sql[j]!) || sql[j] === ':')) j += 1;
      push(j === i + 1 ? 'illegal' : 'param', j);
    } else if ('(),;.+-*/%&~=<>!|'.includes(c)) {
      const two = c + next;
      const len = ['<=', '>=', '==', '!=', '<>', '<<', '>>', '||', '->'].includes(two)
        ? sql.slice(i, i + 3) === '->>'
          ? 3
          : 2
        : 1;
      push(c === '!' && len === 1 ? 'illegal' : 'punct', i + len);
    } else {
      push('illegal', i + 1);
    }
  }
  return { tokens, openComment: false };
}

/** The upper-cased text of a word token, or '' for any other token (so keyword tests never match a string). */
export function keyword(token: Token | undefined): string {
  return token?.kind === 'word' ? token.text.toUpperCase() : '';
}

/** The identifier a quoted token names: `"a""b"` → `a"b`, `[x]` → `x`. */
export function unquote(token: Token): string {
  const body = token.text.slice(1, -1);
  if (token.kind === 'dquoted') return body.replaceAll('""', '"');
  if (token.kind === 'string') return body.replaceAll("''", "'");
  if (token.text.startsWith('`')) return body.replaceAll('``', '`');
  return body;
}

/** Splits tokens into statements at top-level `;`; empty statements (`;;`, trailing `;`) are dropped. */
export function statements(tokens: Token[]): Token[][] {
  const out: Token[][] = [];
  let current: Token[] = [];
  for (const token of tokens) {
    if (token.kind === 'punct' && token.text === ';') {
      if (current.length) out.push(current);
      current = [];
    } else {
      current.push(token);
    }
  }
  if (current.length) out.push(current);
  return out;
}
