/**
 * The built-in engine writes SQLite SQL. On a connected PostgreSQL or MySQL/MariaDB database (issue 15) a statement
 * runs only when it means the same there: it uses only constructs whose meaning is shared (or rewritten to the
 * database's spelling below), else the engine says it cannot answer on this database — never a guess.
 *
 * Shared as written: SELECT … FROM … WHERE … GROUP BY … ORDER BY … LIMIT, "quoted" identifiers (MySQL sessions run
 * with ANSI_QUOTES), 'literals', comparisons, IN, BETWEEN, IS NULL, CASE, DISTINCT, and the functions in SHARED.
 * Rewritten: LIKE → ILIKE on PostgreSQL (SQLite's LIKE ignores ASCII case; MySQL's default collations do too);
 * CAST(… AS REAL / INTEGER / TEXT) → the database's type names; strftime('%Y', x) and the other year / month /
 * day / hour / minute formats → to_char (PostgreSQL) or DATE_FORMAT (MySQL), text like SQLite's; MEDIAN(x) →
 * percentile_cont on PostgreSQL; an unnamed subquery in FROM gets a name (both require one). Refused: any other
 * function (MEDIAN on MySQL, julianday…), other strftime formats, rowid, GLOB.
 */
import type { DatabaseType } from './spec.js';

const SHARED = new Set([
  'count',
  'sum',
  'avg',
  'min',
  'max',
  'lower',
  'upper',
  'coalesce',
  'nullif',
  'abs',
  'round',
  'cast',
]);
const CAST_TYPES: Record<DatabaseType, Record<string, string>> = {
  postgresql: { real: 'DOUBLE PRECISION', integer: 'BIGINT', text: 'TEXT' },
  mysql: { real: 'DOUBLE', integer: 'SIGNED', text: 'CHAR' },
};

export type Translated = { sql: string } | { refused: string };

/** Replaces quoted identifiers and literals by placeholders, so that only SQL words are looked at. */
function words(sql: string): string {
  return sql.replace(/"(?:[^"]|"")*"/g, ' "" ').replace(/'(?:[^']|'')*'/g, " '' ");
}

/** strftime's parts the rewrite knows, in each database's spelling. */
const DATE_PARTS: Record<string, Record<DatabaseType, string>> = {
  '%Y': { postgresql: 'YYYY', mysql: '%Y' },
  '%m': { postgresql: 'MM', mysql: '%m' },
  '%d': { postgresql: 'DD', mysql: '%d' },
  '%H': { postgresql: 'HH24', mysql: '%H' },
  '%M': { postgresql: 'MI', mysql: '%i' },
};

/**
 * strftime('<format>', "column") with a format made of known parts and `-`, `/`, `:`, ` ` → the database's date
 * formatting of the same column; null when the format or the argument is anything else.
 */
function rewriteStrftime(sql: string, type: DatabaseType): string | null {
  let failed = false;
  const out = sql.replace(
    /strftime\('([^']*)',\s*("(?:[^"]|"")*")\)/gi,
    (_whole, format: string, column: string) => {
      const pieces = format.match(/%.|[-/: ]/g) ?? [];
      if (pieces.join('') !== format || pieces.some((p) => p.startsWith('%') && !DATE_PARTS[p])) {
        failed = true;
        return _whole;
      }
      const spelled = pieces.map((p) => DATE_PARTS[p]?.[type] ?? p).join('');
      return type === 'postgresql'
        ? `to_char(${column}, '${spelled}')`
        : `DATE_FORMAT(${column}, '${spelled}')`;
    },
  );
  return failed || /strftime\(/i.test(words(out)) ? null : out;
}

/**
 * SQLite's MEDIAN(x) (its percentile extension: the 50th percentile, the mean of the two middle values for an even
 * count) is PostgreSQL's percentile_cont(0.5) WITHIN GROUP (ORDER BY x). MySQL/MariaDB have no such aggregate:
 * left as is, and refused below. Only a plain argument (no parentheses inside) is rewritten.
 */
function rewriteMedian(sql: string, type: DatabaseType): string {
  if (type !== 'postgresql') return sql;
  return sql.replace(
    /\bMEDIAN\(([^()]*)\)/gi,
    (_whole, arg: string) => `percentile_cont(0.5) WITHIN GROUP (ORDER BY ${arg})`,
  );
}

/**
 * SQLite lets a subquery in FROM go unnamed; PostgreSQL (before 16) and MySQL require an alias. Each `FROM (…)` not
 * followed by a name gets ` AS "agentgraph_N"`. Parentheses inside quoted names and literals do not count.
 */
export function nameSubqueries(sql: string): string {
  let out = '';
  let n = 0;
  const open: boolean[] = []; // per open parenthesis: whether it starts a subquery in FROM
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (c === '"' || c === "'") {
      const end = closingQuote(sql, i);
      out += sql.slice(i, end + 1);
      i = end;
      continue;
    }
    if (c === '(') open.push(/\b(FROM|JOIN)\s*$/i.test(out));
    out += c;
    if (c === ')' && open.pop() && !named(sql.slice(i + 1))) out += ` AS "agentgraph_${++n}"`;
  }
  return out;
}

const AFTER_FROM =
  /^(WHERE|GROUP|ORDER|LIMIT|OFFSET|UNION|INTERSECT|EXCEPT|JOIN|ON|LEFT|RIGHT|INNER|CROSS|FULL|HAVING|WINDOW)\b/i;

/** Whether what follows a subquery's closing parenthesis starts with its name (`AS x`, `"x"`, `x`). */
function named(rest: string): boolean {
  const next = rest.trimStart();
  if (/^AS\b/i.test(next) || next.startsWith('"')) return true;
  return /^[A-Za-z_]/.test(next) && !AFTER_FROM.test(next);
}

/** The index of the quote closing the one at `start` (doubled quotes are part of the text). */
function closingQuote(sql: string, start: number): number {
  const q = sql[start]!;
  for (let i = start + 1; i < sql.length; i++) {
    if (sql[i] !== q) continue;
    if (sql[i + 1] === q) i++;
    else return i;
  }
  return sql.length - 1;
}

export function toDialect(sql: string, type: DatabaseType): Translated {
  let out = nameSubqueries(rewriteMedian(sql, type));
  if (/\bstrftime\s*\(/i.test(words(out))) {
    const rewritten = rewriteStrftime(out, type);
    if (rewritten === null) return { refused: 'STRFTIME()' };
    out = rewritten;
  }
  return finish(out, type, REWRITTEN);
}

/** The functions the rewrites above write (allowed only because they wrote them: the input is SQLite's SQL). */
const REWRITTEN = new Set(['to_char', 'date_format', 'percentile_cont']);

function finish(sql: string, type: DatabaseType, ours: ReadonlySet<string>): Translated {
  const bare = words(sql);
  for (const match of bare.matchAll(/\b([a-z_][a-z0-9_]*)\s*\(/gi)) {
    const name = match[1]!.toLowerCase();
    // `WITHIN GROUP (ORDER BY …)` is percentile_cont's (written by rewriteMedian).
    if (
      ['in', 'exists', 'from', 'as', 'and', 'or', 'not', 'when', 'then', 'else', 'over', 'group'].includes(
        name,
      )
    )
      continue;
    if (!SHARED.has(name) && !ours.has(name)) return { refused: `${name.toUpperCase()}()` };
  }
  if (/\browid\b/i.test(bare)) return { refused: 'row order (rowid)' };
  if (/\bglob\b/i.test(bare)) return { refused: 'GLOB' };
  // Rewrites on the SQL itself, outside quoted text: split on quoted parts and change only the others.
  const parts = sql.split(/("(?:[^"]|"")*"|'(?:[^']|'')*')/);
  const out = parts.map((part, i) => {
    if (i % 2 === 1) return part;
    let text = part.replace(
      /\bAS\s+(REAL|INTEGER|TEXT)\s*\)/gi,
      (_m, t: string) => `AS ${CAST_TYPES[type][t.toLowerCase()]})`,
    );
    if (type === 'postgresql') text = text.replace(/\bLIKE\b/gi, 'ILIKE');
    return text;
  });
  return { sql: out.join('') };
}

/**
 * Statements a connected database must never be sent, whoever wrote them (the model above all): more than one
 * statement, anything but a query, and the functions that reach outside the data (files, programs, sleeps, other
 * servers). The database refuses writes on its own (read-only session and transaction); this refuses early and
 * covers what read-only does not (reading server files, sleeping).
 */
const FORBIDDEN =
  /\b(pg_read_file|pg_read_binary_file|pg_ls_dir|pg_stat_file|lo_import|lo_export|lo_get|pg_sleep\w*|dblink\w*|copy|load_file|load|outfile|dumpfile|sleep|benchmark|set_config|pg_terminate_backend|pg_cancel_backend|into|set|grant|handler|call|do|lock|unlock|flush|kill|shutdown)\b/i;

export function unsafeRemoteSql(sql: string): string | null {
  const bare = words(sql).trim().replace(/;\s*$/, '');
  if (bare.includes(';')) return 'more than one statement';
  if (!/^(select|with)\b/i.test(bare)) return 'not a query';
  const found = FORBIDDEN.exec(bare);
  return found ? `${found[1]!.toUpperCase()} is not allowed` : null;
}
