/**
 * The SQL guard: decides whether a statement may run in a session's database. Two layers, both required:
 *
 * 1. `checkSql` — static rules over real tokens (sandbox/tokenizer.ts): exactly one statement, and it must be a
 *    reader (SELECT, WITH … SELECT, VALUES, EXPLAIN of those). Specific statements and functions get a specific
 *    reason, because the reason goes back to the LLM, which retries with it.
 * 2. `prepareGuarded` — SQLite itself is the final judge: the statement is prepared on the read-only connection and
 *    must report `reader === true` (returns rows) and `readonly === true` (sqlite3_stmt_readonly). The second alone
 *    is not enough: ATTACH, DETACH, BEGIN and some PRAGMAs are "readonly" for SQLite because they do not write the
 *    database file, which is why layer 1 rejects them by name.
 *
 * Layer 2 also repairs double-quoted string literals (better-sqlite3 is built with DQS off), see `rewriteDqs`.
 * docs/sandbox.md explains each rule.
 */
import type Database from 'better-sqlite3';
import { AppError } from '../errors.js';
import { keyword, statements, type Token, tokenize, unquote } from './sandbox/tokenizer.js';

/** Longer SQL is certainly not a question about a table; also bounds the guard's own work. */
export const MAX_SQL_LENGTH = 100_000;

/**
 * Table-valued pragma functions that only describe the schema. Every `pragma_*` function is side-effect free by
 * SQLite's design, but others leak things a visitor has no use for (pragma_database_list prints the file path).
 */
export const ALLOWED_PRAGMA_FUNCTIONS: ReadonlySet<string> = new Set([
  'pragma_table_info',
  'pragma_table_xinfo',
  'pragma_table_list',
  'pragma_index_list',
  'pragma_index_info',
  'pragma_index_xinfo',
  'pragma_foreign_key_list',
]);

/**
 * Functions refused when called (name followed by `(`), so a column that happens to be called `edit` still works.
 * Most do not exist in this build (better-sqlite3 has no readfile, load_extension() is disabled, fts3_tokenizer's
 * pointer form is compiled out), but a clear reason beats "no such function", and a future build must not
 * silently enable them.
 */
const DENIED_FUNCTIONS: ReadonlyMap<string, string> = new Map([
  ['load_extension', 'load_extension() is not allowed: extensions cannot be loaded'],
  ['fts3_tokenizer', 'fts3_tokenizer() is not allowed'],
  ['readfile', 'readfile() is not allowed: queries cannot read files'],
  ['writefile', 'writefile() is not allowed: queries cannot write files'],
  ['edit', 'edit() is not allowed'],
  ['fsdir', 'fsdir() is not allowed: queries cannot list files'],
  ['zipfile', 'zipfile() is not allowed: queries cannot read files'],
]);

/**
 * Names refused wherever they appear (no visitor table or column has any business being called this). Maps, not
 * object literals: every name in the SQL is looked up, and `constructor` or `__proto__` would find the object's
 * prototype (a `constructor` column made every question fail with unsafe_sql, issue 12).
 */
const DENIED_NAMES: ReadonlyMap<string, string> = new Map([
  ['sqlite_dbpage', 'sqlite_dbpage is not allowed: query the tables instead'],
  ['writable_schema', 'writable_schema is not allowed'],
]);

const ONLY_READERS = 'only one SELECT (or WITH … SELECT, VALUES, EXPLAIN) statement is allowed';
const ONLY_READERS_PT = 'só é permitida uma instrução SELECT (ou WITH … SELECT, VALUES, EXPLAIN)';

/** Leading verbs we refuse by name, with the reason the model gets. */
const NO_TRANSACTIONS = 'transaction statements are not allowed: every query runs on its own';
const VERB_REASONS: ReadonlyMap<string, string> = new Map([
  ['ATTACH', 'ATTACH is not allowed: a query can only read the tables of this session'],
  ['DETACH', 'DETACH is not allowed: a query can only read the tables of this session'],
  [
    'PRAGMA',
    "PRAGMA statements are not allowed; to describe a table use SELECT * FROM pragma_table_info('table_name')",
  ],
  ['VACUUM', 'VACUUM is not allowed: the database is read-only'],
  ['BEGIN', NO_TRANSACTIONS],
  ['COMMIT', NO_TRANSACTIONS],
  ['END', NO_TRANSACTIONS],
  ['ROLLBACK', NO_TRANSACTIONS],
  ['SAVEPOINT', NO_TRANSACTIONS],
  ['RELEASE', NO_TRANSACTIONS],
]);
const WRITE_VERBS = new Set([
  'INSERT',
  'UPDATE',
  'DELETE',
  'REPLACE',
  'UPSERT',
  'CREATE',
  'DROP',
  'ALTER',
  'REINDEX',
  'ANALYZE',
]);

export function unsafe(reason: string, reasonPt?: string): AppError {
  return new AppError('unsafe_sql', reasonPt ? { reason, reason_pt: reasonPt } : { reason });
}

function verbReason(verb: string): AppError {
  const named = VERB_REASONS.get(verb);
  if (named) return unsafe(named);
  if (WRITE_VERBS.has(verb))
    return unsafe(
      `${verb} changes the database, which is read-only; ${ONLY_READERS}`,
      `${verb} altera o banco de dados, que é somente leitura; ${ONLY_READERS_PT}`,
    );
  return unsafe(
    `a statement starting with ${verb || 'this token'} is not allowed; ${ONLY_READERS}`,
    `uma instrução que começa com ${verb || 'este símbolo'} não é permitida; ${ONLY_READERS_PT}`,
  );
}

/** Skips a balanced parenthesised group starting at tokens[i] === '('; returns the index after it. */
function skipGroup(tokens: Token[], i: number): number {
  const depth = tokens[i]!.depth;
  let j = i + 1;
  while (j < tokens.length && !(tokens[j]!.text === ')' && tokens[j]!.depth === depth)) j += 1;
  return j + 1;
}

const isName = (t: Token | undefined) => t !== undefined && ['word', 'dquoted', 'bracketed'].includes(t.kind);

/**
 * The verb of the statement a WITH clause introduces: `WITH a AS (…), b(x) AS MATERIALIZED (…) DELETE …` →
 * 'DELETE'. Returns '' when the clause does not have the expected shape (SQLite will then refuse to prepare it).
 */
function verbAfterWith(tokens: Token[], i: number): string {
  let j = i + 1;
  if (keyword(tokens[j]) === 'RECURSIVE') j += 1;
  for (;;) {
    if (!isName(tokens[j])) return '';
    j += 1;
    if (tokens[j]?.text === '(') j = skipGroup(tokens, j);
    if (keyword(tokens[j]) !== 'AS') return '';
    j += 1;
    if (keyword(tokens[j]) === 'NOT') j += 1;
    if (keyword(tokens[j]) === 'MATERIALIZED') j += 1;
    if (tokens[j]?.text !== '(') return '';
    j = skipGroup(tokens, j);
    if (tokens[j]?.text !== ',') break;
    j += 1;
  }
  return keyword(tokens[j]);
}

/**
 * Static check. Returns the single statement, trimmed of surrounding comments and the trailing `;`, or throws
 * AppError('unsafe_sql', { reason, reason_pt? }).
 */
export function checkSql(sql: string): { sql: string } {
  if (sql.length > MAX_SQL_LENGTH)
    throw unsafe(
      `the SQL is longer than ${MAX_SQL_LENGTH} characters`,
      `o SQL tem mais de ${MAX_SQL_LENGTH} caracteres`,
    );
  const lexed = tokenize(sql);
  if (lexed.unterminated)
    throw unsafe(
      `a ${lexed.unterminated} quote is never closed`,
      `uma aspa ${lexed.unterminated} nunca é fechada`,
    );
  const found = statements(lexed.tokens);
  if (found.length === 0) throw unsafe('there is no SQL statement', 'não há instrução SQL');
  if (found.length > 1)
    throw unsafe(
      `exactly one statement is allowed, found ${found.length}: remove everything after the first ';'`,
      `só é permitida uma instrução, foram encontradas ${found.length}: remova tudo depois do primeiro ';'`,
    );
  const tokens = found[0]!;

  let i = 0;
  if (keyword(tokens[i]) === 'EXPLAIN') {
    i += 1;
    if (keyword(tokens[i]) === 'QUERY' && keyword(tokens[i + 1]) === 'PLAN') i += 2;
  }
  const first = keyword(tokens[i]);
  const verb = first === 'WITH' ? verbAfterWith(tokens, i) : first;
  // An unparseable WITH ('') is left to SQLite: it cannot prepare it, so it cannot run either.
  if (!(verb === 'SELECT' || verb === 'VALUES' || (first === 'WITH' && verb === ''))) throw verbReason(verb);

  for (let k = 0; k < tokens.length; k += 1) {
    const token = tokens[k]!;
    if (!isName(token)) continue;
    const name = (token.kind === 'word' ? token.text : unquote(token)).toLowerCase();
    const denied =
      DENIED_NAMES.get(name) ?? (tokens[k + 1]?.text === '(' ? DENIED_FUNCTIONS.get(name) : undefined);
    if (denied) throw unsafe(denied);
    if (name.startsWith('pragma_') && !ALLOWED_PRAGMA_FUNCTIONS.has(name))
      throw unsafe(
        `${name} is not allowed; the pragma functions allowed are ${[...ALLOWED_PRAGMA_FUNCTIONS].join(', ')}`,
      );
  }

  const last = tokens[tokens.length - 1]!;
  return { sql: sql.slice(tokens[0]!.start, last.end) };
}

export interface GuardedStatement {
  statement: Database.Statement;
  /** The SQL that was prepared: checkSql's output, after any double-quote repair. */
  sql: string;
  /** The double-quoted tokens turned into string literals, e.g. ['"Seattle"']. */
  rewrites: string[];
}

// SQLite ≥ 3.46 adds a hint when the unknown column was double-quoted; older versions print the bare name.
const NO_SUCH_COLUMN =
  /^no such column: (?:"(.+)" - should this be a string literal in single-quotes\?|(.+))$/s;

function missingColumn(error: unknown): string | undefined {
  const match = error instanceof Error ? NO_SUCH_COLUMN.exec(error.message) : null;
  if (!match) return undefined;
  return match[1] !== undefined ? match[1].replaceAll('""', '"') : match[2];
}
const MAX_REWRITES = 20;

/**
 * DQS repair. SQLite reported `no such column: X`; if X is written as a bare double-quoted token (not `t."X"`)
 * and no table or view of the database has a column X, the author meant a string: rewrite every such token to a
 * single-quoted literal. Returns null when the error is a genuine unknown column.
 */
export function rewriteDqs(sql: string, missing: string, knownColumns: ReadonlySet<string>): string | null {
  if (knownColumns.has(missing.toLowerCase())) return null;
  const { tokens } = tokenize(sql);
  const targets = tokens.filter(
    (t, k) => t.kind === 'dquoted' && unquote(t) === missing && tokens[k - 1]?.text !== '.',
  );
  if (targets.length === 0) return null;
  let out = sql;
  for (const t of targets.reverse()) {
    out = `${out.slice(0, t.start)}'${missing.replaceAll("'", "''")}'${out.slice(t.end)}`;
  }
  return out;
}

/** Lower-cased names of every column of every table and view in the main schema. */
export function columnNames(db: Database.Database): Set<string> {
  const names = db
    .prepare(
      `SELECT DISTINCT lower(p.name) FROM sqlite_schema AS s, pragma_table_xinfo(s.name) AS p
       WHERE s.type IN ('table', 'view')`,
    )
    .pluck()
    .all() as string[];
  return new Set(names);
}

/** Error text safe to show: SQLite's message, without file paths the caller asks to hide. */
export function sqliteMessage(error: unknown, hide: readonly string[] = []): string {
  let message = error instanceof Error ? error.message : String(error);
  for (const secret of hide) if (secret) message = message.replaceAll(secret, '<database>');
  return message;
}

/**
 * Full guard on an open (read-only) connection: checkSql, prepare (with DQS repair), then SQLite's verdict.
 * `knownColumns` is called at most once, only when a repair is considered. Throws unsafe_sql or sql_error.
 */
export function prepareGuarded(
  db: Database.Database,
  sql: string,
  options: { knownColumns?: () => ReadonlySet<string>; hide?: readonly string[] } = {},
): GuardedStatement {
  let current = checkSql(sql).sql;
  const rewrites: string[] = [];
  let statement: Database.Statement | undefined;
  let columns: ReadonlySet<string> | undefined;
  while (!statement) {
    try {
      statement = db.prepare(current);
    } catch (error) {
      const missing = missingColumn(error);
      if (missing !== undefined && rewrites.length < MAX_REWRITES) {
        columns ??= options.knownColumns?.() ?? columnNames(db);
        const repaired = rewriteDqs(current, missing, columns);
        if (repaired !== null) {
          rewrites.push(`"${missing.replaceAll('"', '""')}"`);
          current = repaired;
          continue;
        }
      }
      throw new AppError('sql_error', { detail: sqliteMessage(error, options.hide) }, { cause: error });
    }
  }
  sqliteVerdict(statement);
  return { statement, sql: current, rewrites };
}

/**
 * SQLite's own verdict on a prepared statement: it must return rows (reader) and must not write the database
 * (sqlite3_stmt_readonly). Either alone has holes: `PRAGMA journal_mode` is a reader that writes; ATTACH,
 * BEGIN and `PRAGMA query_only=0` are "readonly" non-readers.
 */
export function sqliteVerdict(statement: Database.Statement): void {
  if (!statement.reader)
    throw unsafe(
      `the statement does not return rows; ${ONLY_READERS}`,
      `a instrução não retorna linhas; ${ONLY_READERS_PT}`,
    );
  if (!statement.readonly)
    throw unsafe(
      `the statement would change the database, which is read-only; ${ONLY_READERS}`,
      `a instrução alteraria o banco de dados, que é somente leitura; ${ONLY_READERS_PT}`,
    );
}
