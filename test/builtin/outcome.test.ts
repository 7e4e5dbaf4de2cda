/**
 * Outcomes said with a verb or a noun (issue 13): "how many games did they win", "quantas derrotas" — a condition on
 * the column that records each game's result ("W 21–14", "L 10–17"); two outcomes at once are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerRows, refusalReason } from './ask.js';
import { createFixture, type Fixture } from './fixtures.js';
import { scheduleSpec } from './small-tables.js';

let schedule: Fixture;

beforeAll(() => {
  schedule = createFixture([scheduleSpec()]);
});
afterAll(() => schedule.close());

const first = (question: string) => answerRows(schedule, question).map((row) => row[0]);

describe('an outcome word', () => {
  it('picks the rows whose result says it, in both languages', () => {
    expect(first('How many games did they win?')).toEqual([3]);
    expect(first('How many losses?')).toEqual([2]);
    expect(first('Quantas vitórias o time teve?')).toEqual([3]);
  });

  it('with another condition', () => {
    expect(first('How many games did they win in October?')).toEqual([1]);
  });

  it('two outcomes at once are refused', () => {
    expect(refusalReason(schedule, 'How many wins and losses?')).toContain('losses');
  });
});
