import type Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openReadOnly } from '../../src/engine/sandbox/db-cache.js';
import { statements, tokenize } from '../../src/engine/sandbox/tokenizer.js';
import {
  checkSql,
  MAX_SQL_LENGTH,
  prepareGuarded,
  rewriteDqs,
  sqliteVerdict,
} from '../../src/engine/sql-guard.js';
import { AppError } from '../../src/errors.js';
import { removeDir, tempDir } from '../helpers/services.js';
import { makeSessionDb } from './sandbox-helpers.js';

function rejection(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('tokenizer', () => {
  it('keeps semicolons and keywords inside strings, identifiers and comments', () => {
    const sql = `SELECT ';DROP', "a;b", [c;d], \`e;f\` /* ; DROP */ -- ; DROP\n FROM t`;
    expect(statements(tokenize(sql).tokens)).toHaveLength(1);
    const kinds = tokenize(sql).tokens.map((t) => t.kind);
    expect(kinds).toEqual([
      'word',
      'string',
      'punct',
      'dquoted',
      'punct',
      'bracketed',
      'punct',
      'bracketed',
      'word',
      'word',
    ]);
  });

  it('treats non-ASCII characters as identifier characters, like SQLite', () => {
    const { tokens } = tokenize('SELECT 1\u200B; ＤＲＯＰ');
    expect(tokens.map((t) => t.text)).toEqual(['SELECT', '1\u200B', ';', 'ＤＲＯＰ']);
  });

  it('reports unterminated quotes and accepts an open block comment', () => {
    expect(tokenize("SELECT 'abc").unterminated).toBe("'");
    expect(tokenize('SELECT 1 /* never closed ; DROP TABLE t').openComment).toBe(true);
  });
});

describe('checkSql', () => {
  it('returns the single statement without surrounding comments or the trailing semicolon', () => {
    expect(checkSql('  -- intro\nSELECT * FROM t; -- ok\n').sql).toBe('SELECT * FROM t');
    expect(checkSql('WITH a AS (SELECT 1) SELECT * FROM a;;').sql).toBe(
      'WITH a AS (SELECT 1) SELECT * FROM a',
    );
    expect(checkSql('EXPLAIN QUERY PLAN SELECT 1').sql).toBe('EXPLAIN QUERY PLAN SELECT 1');
    expect(checkSql('VALUES (1), (2)').sql).toBe('VALUES (1), (2)');
  });

  it('finds the verb after a WITH clause, including column lists and MATERIALIZED', () => {
    const sql = 'WITH RECURSIVE a(x) AS NOT MATERIALIZED (SELECT 1), "b" AS (SELECT 2) DELETE FROM t';
    expect(rejection(() => checkSql(sql)).params.reason).toMatch(/^DELETE changes the database/);
    expect(checkSql('WITH a(x) AS MATERIALIZED (SELECT 1) SELECT x FROM a').sql).toContain('SELECT x');
  });

  it('gives a reason the model can act on, in English and Portuguese', () => {
    const error = rejection(() => checkSql('SELECT 1; DROP TABLE t'));
    expect(error.code).toBe('unsafe_sql');
    expect(error.localized('en')).toContain('exactly one statement');
    expect(error.localized('pt')).toContain('só é permitida uma instrução');
    expect(rejection(() => checkSql('PRAGMA table_info(t)')).params.reason).toContain('pragma_table_info');
  });

  it('refuses empty and oversized SQL', () => {
    expect(rejection(() => checkSql('  -- nothing\n')).params.reason).toContain('no SQL statement');
    expect(rejection(() => checkSql(`SELECT '${'x'.repeat(MAX_SQL_LENGTH)}'`)).code).toBe('unsafe_sql');
  });

  // Issue 12: a column named `constructor` (Formula 1 data) made every question fail: the deny lists were plain
  // objects, and `DENIED_NAMES['constructor']` is Object itself.
  it('accepts names that are also Object.prototype members, as columns, tables, aliases and functions', () => {
    const names = ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf'];
    for (const name of names) {
      const sql = `SELECT ${name}, "${name}", [${name}] AS ${name} FROM ${name}`;
      expect(checkSql(sql).sql, name).toBe(sql);
      expect(checkSql(`SELECT count(*) FROM t GROUP BY ${name}(x)`).sql, name).toContain(name);
    }
    expect(rejection(() => checkSql('constructor x')).params.reason).toMatch(/^a statement starting with/);
  });

  it('allows the schema-describing pragma functions only', () => {
    expect(checkSql("SELECT name FROM pragma_table_info('t')").sql).toContain('pragma_table_info');
    expect(rejection(() => checkSql('SELECT * FROM pragma_database_list')).code).toBe('unsafe_sql');
    expect(rejection(() => checkSql('SELECT * FROM [pragma_compile_options]')).code).toBe('unsafe_sql');
  });
});

describe('prepareGuarded on a real read-only file', () => {
  let dir: string;
  let db: Database.Database;
  beforeAll(() => {
    dir = tempDir('agentgraph-guard');
    const session = makeSessionDb(dir, 10, ['Seattle', 'Boston']);
    db = openReadOnly(session.dbPath);
  });
  afterAll(() => {
    db.close();
    removeDir(dir);
  });

  it('rewrites double-quoted strings that are not columns, and keeps real quoted columns', () => {
    const guarded = prepareGuarded(
      db,
      'SELECT "city", count(*) FROM t WHERE city = "Seattle" GROUP BY "city"',
    );
    expect(guarded.sql).toBe(`SELECT "city", count(*) FROM t WHERE city = 'Seattle' GROUP BY "city"`);
    expect(guarded.rewrites).toEqual(['"Seattle"']);
    expect(guarded.statement.raw().all()).toEqual([['Seattle', 5]]);
  });

  it('escapes quotes inside a rewritten literal and handles several literals', () => {
    const guarded = prepareGuarded(db, 'SELECT count(*) FROM t WHERE city IN ("O\'Hare", "Boston", "a""b")');
    expect(guarded.sql).toBe(`SELECT count(*) FROM t WHERE city IN ('O''Hare', 'Boston', 'a"b')`);
    expect(guarded.statement.pluck().get()).toBe(5);
  });

  it('does not rewrite a qualified reference or a name that is a column elsewhere', () => {
    expect(rewriteDqs('SELECT t."Seattle" FROM t', 'Seattle', new Set())).toBeNull();
    expect(rewriteDqs('SELECT "meta" FROM t', 'meta', new Set(['meta']))).toBeNull();
    const error = rejection(() => prepareGuarded(db, 'SELECT "meta" FROM t'));
    expect(error.code).toBe('sql_error');
    expect(error.params.detail).toContain('no such column');
  });

  it('takes SQLite as the final judge: reader and readonly are both required', () => {
    // Prepared directly, bypassing checkSql, to show the second layer stands on its own.
    for (const sql of ['PRAGMA journal_mode', 'PRAGMA journal_mode = DELETE', 'EXPLAIN DELETE FROM t']) {
      expect(rejection(() => sqliteVerdict(db.prepare(sql))).params.reason, sql).toContain('would change');
    }
    for (const sql of [
      "ATTACH 'x.db' AS x",
      'BEGIN',
      'PRAGMA query_only = 0',
      'PRAGMA writable_schema = 1',
      'ANALYZE',
    ]) {
      expect(rejection(() => sqliteVerdict(db.prepare(sql))).params.reason, sql).toContain('does not return');
    }
    expect(() => sqliteVerdict(db.prepare('EXPLAIN SELECT * FROM t'))).not.toThrow();
  });

  it('hides file paths in SQLite messages', () => {
    const error = rejection(() => prepareGuarded(db, 'SELECT * FROM nowhere', { hide: ['nowhere'] }));
    expect(error.params.detail).toBe('no such table: <database>');
  });
});
