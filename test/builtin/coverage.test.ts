/**
 * Answer only what was understood (issue 13): every word of the question must be a column, a value, an operation or a
 * word known to add no condition ("listed", "on the chart", a verb saying what a row records). Anything else is a
 * condition the engine would drop, so it refuses and names the word.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interpret } from '../../src/builtin/index.js';
import { createFixture, type Fixture } from './fixtures.js';
import { raceSpec } from './small-tables.js';

let fx: Fixture;

beforeAll(() => {
  fx = createFixture([raceSpec()]);
});
afterAll(() => fx.close());

function answer(question: string): unknown[][] {
  const r = interpret(question, fx.catalog);
  if (r.kind !== 'sql') throw new Error(`refused "${question}": ${r.reason}`);
  return fx.db.prepare(r.sql).raw().all() as unknown[][];
}

function refusal(question: string): string {
  const r = interpret(question, fx.catalog);
  if (r.kind === 'sql') throw new Error(`answered "${question}": ${r.sql}`);
  return r.reason;
}

describe('every word accounted for', () => {
  it('fillers about the table and verbs that only say what a row records are understood', () => {
    expect(answer('How many athletes from Kenya are listed?')).toEqual([[2]]);
    expect(answer('How many athletes from Kenya finished the race?')).toEqual([[2]]);
    expect(answer('Quantos atletas de Kenya estão listados?')).toEqual([[2]]);
  });

  it('a word that may be a condition is not dropped: the question is refused and the word named', () => {
    expect(refusal('How many athletes from Kenya ran barefoot?')).toContain('barefoot');
    expect(refusal('Quantos atletas de Kenya correram descalços?')).toContain('descalços');
  });
});
