/**
 * The SQL is always ONE SELECT with quoted identifiers and escaped literals: values with quotes and semicolons and
 * column names with double quotes must neither break the statement nor change its meaning.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interpret } from '../../src/builtin/index.js';
import { quoteIdent, quoteLiteral } from '../../src/builtin/sql-builder.js';
import { createFixture, type Fixture } from './fixtures.js';
import { awkwardSpec, lojasSpec, sensorsSpec } from './tables.js';

let fx: Fixture;
beforeAll(() => {
  fx = createFixture([awkwardSpec()]);
});
afterAll(() => fx.close());

function run(q: string): { sql: string; rows: unknown[][] } {
  const r = interpret(q, fx.catalog);
  if (r.kind !== 'sql') throw new Error(`refused "${q}": ${r.reason}`);
  return { sql: r.sql, rows: fx.db.prepare(r.sql).raw().all() as unknown[][] };
}

describe('SQL safety', () => {
  it('escapes quotes in identifiers and literals', () => {
    expect(quoteIdent('weird"score')).toBe('"weird""score"');
    expect(quoteLiteral("O'Brien")).toBe("'O''Brien'");
    expect(() => quoteLiteral(Number.NaN)).toThrow();
  });

  it("matches a value with a single quote (O'Brien) and counts it right", () => {
    const { sql, rows } = run("How many pets does O'Brien have?");
    expect(sql).toContain("'O''Brien'");
    expect(rows).toEqual([[10]]);
  });

  it('a value containing "; DROP TABLE" stays a literal', () => {
    const { sql, rows } = run('How many rows have owner Smith; DROP TABLE x?');
    expect(sql).toContain("'Smith; DROP TABLE x'");
    expect(rows).toEqual([[10]]);
    // The table is still there.
    expect(fx.db.prepare('SELECT COUNT(*) AS n FROM pets').get()).toEqual({ n: 40 });
  });

  it('quotes a column name that contains a double quote', () => {
    const { sql, rows } = run('What is the average score by owner?');
    expect(sql).toContain('"weird""score"');
    expect(rows).toHaveLength(4);
  });

  it('every answer is one SELECT statement', () => {
    const several = createFixture([lojasSpec(), sensorsSpec(), awkwardSpec()]);
    try {
      const questions = [
        'Qual o preço médio por loja?',
        'Top 3 sensors by average temperature',
        "How many pets does O'Brien have?",
        'Quantas vendas com desconto acima de 5?',
        'Show the 5 most recent sensor readings',
        'List the owners with score above 50',
      ];
      for (const q of questions) {
        const r = interpret(q, several.catalog);
        expect(r.kind, q).toBe('sql');
        if (r.kind !== 'sql') continue;
        expect(r.sql.startsWith('SELECT ')).toBe(true);
        expect(r.sql).not.toContain(';');
        const stmt = several.db.prepare(r.sql);
        expect(stmt.reader).toBe(true);
        expect(() => stmt.all()).not.toThrow();
      }
    } finally {
      several.close();
    }
  });
});
