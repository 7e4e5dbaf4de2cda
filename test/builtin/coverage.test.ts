/**
 * Answer only what was understood (issue 13): every word of the question must be a column, a value, an operation or a
 * word known to add no condition ("listed", "on the chart", a verb saying what a row records). Anything else is a
 * condition the engine would drop, so it refuses and names the word.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerRows, refusalReason } from './ask.js';
import { createFixture, type Fixture } from './fixtures.js';
import { raceSpec } from './small-tables.js';

let fx: Fixture;

beforeAll(() => {
  fx = createFixture([raceSpec()]);
});
afterAll(() => fx.close());

const answer = (question: string) => answerRows(fx, question);

const refusal = (question: string) => refusalReason(fx, question);

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
