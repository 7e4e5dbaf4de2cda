/**
 * Amounts the importer kept as text (issue 13): "14,375 ft" with "N/A" beside it is still a number to rank, compare
 * and add — by the number each cell starts with — but a number said in another unit than the cells' is refused; two
 * words naming one column ("led … laps" → Laps led) read that column; "the same X as Y had Z" reads Z in Y's row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerRows, refusalReason } from './ask.js';
import { createFixture, type Fixture } from './fixtures.js';
import { leagueSpec, peaksSpec, runnersSpec } from './small-tables.js';

let peaks: Fixture;
let league: Fixture;

beforeAll(() => {
  peaks = createFixture([peaksSpec()]);
  league = createFixture([leagueSpec()]);
});
afterAll(() => {
  peaks.close();
  league.close();
});

const first = (fx: Fixture, question: string) => answerRows(fx, question).map((row) => row[0]);

describe('amounts written as text', () => {
  it('ranked and compared by their leading number; "N/A" is no number', () => {
    expect(first(peaks, 'Which peak has the highest elevation?')).toEqual(['Mount Arlo']);
    expect(first(peaks, 'Which peak has the lowest elevation?')).toEqual(['Mount Dane']);
    expect(first(peaks, 'How many peaks have an elevation above 13,000 ft?')).toEqual([2]);
    expect(first(peaks, 'Quantos picos têm elevação acima de 13.000 ft?')).toEqual([2]);
  });

  it('a number in another unit than the cells is refused', () => {
    expect(refusalReason(peaks, 'How many peaks have a top speed above 60 mph?')).toContain('60');
  });
});

describe('one column named by two words', () => {
  it('"led … laps" is Laps led, not Laps', () => {
    expect(first(peaks, 'Mount Arlo led how many laps?')).toEqual([73]);
  });
});

describe('the same value read from another column', () => {
  it('"the same goals conceded as X had goals scored"', () => {
    expect(
      first(league, 'Which team had the same goals conceded as Germany (GER) had goals scored?'),
    ).toEqual(['Mexico (MEX)']);
  });
});

describe('times written as text', () => {
  it('fastest is the lowest time; times and minutes compare in seconds; DNF and typos are no time', () => {
    const runners = createFixture([runnersSpec()]);
    try {
      expect(first(runners, 'Which athlete had the fastest time?')).toEqual(['Ivo Dren']);
      expect(first(runners, 'Quem foi o mais rápido?')).toEqual(['Ivo Dren']);
      expect(first(runners, 'How many athletes finished faster than 31:00?')).toEqual([2]);
      expect(first(runners, 'How many athletes had a time over 60 minutes?')).toEqual([1]);
      expect(refusalReason(runners, 'How many athletes had a time over 30?')).toContain('30');
    } finally {
      runners.close();
    }
  });
});
