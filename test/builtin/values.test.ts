/**
 * Values named by part of a cell (issue 13, item 7), quoted names, and a cell found in several columns: read when the
 * question says which column, refused when nothing tells.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerRows, refusalReason } from './ask.js';
import { createFixture, type Fixture } from './fixtures.js';
import { hostsSpec } from './small-tables.js';

let fx: Fixture;

beforeAll(() => {
  fx = createFixture([hostsSpec()]);
});
afterAll(() => fx.close());

const answer = (question: string) => answerRows(fx, question);

const refusal = (question: string) => refusalReason(fx, question);

describe('part of a cell', () => {
  it('a place inside "City, Country", in both languages', () => {
    expect(answer('How many tournaments were held in the United States?')).toEqual([[2]]);
    expect(answer('Quantos torneios foram realizados na France?')).toEqual([[2]]);
  });

  it('a name with a footnote mark', () => {
    expect(answer('In which year did Green Owls win?')).toEqual([[2012]]);
  });
});

describe('a cell in several columns', () => {
  it('the column word beside it says which', () => {
    expect(answer('How many times was Red Falcons the winner?')).toEqual([[2]]);
  });

  it('otherwise it is refused, naming the columns', () => {
    expect(refusal('How many times is Blue Sharks listed?')).toContain('winner');
  });
});

describe('quoted names', () => {
  it('a quoted word is a value, never a function word', () => {
    expect(answer('Who won when "All" was the runner-up?')).toEqual([['Gold Bears']]);
    expect(refusal('How many are listed as "none"?')).toContain('none');
  });
});
