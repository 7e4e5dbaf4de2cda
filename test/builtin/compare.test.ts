/**
 * Comparisons between two named things (issue 13): which of X or Y is higher, how many more, the difference, more or
 * less, yes/no, the same value as X, more than X — never an aggregate over both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interpret, isNoAnswer } from '../../src/builtin/index.js';
import { answerRows } from './ask.js';
import { createFixture, type Fixture } from './fixtures.js';
import { countiesSpec, medalSpec, raceSpec, seasonsSpec } from './small-tables.js';

let medals: Fixture;
let race: Fixture;
let seasons: Fixture;

beforeAll(() => {
  medals = createFixture([medalSpec()]);
  race = createFixture([raceSpec()]);
  seasons = createFixture([seasonsSpec()]);
});
afterAll(() => {
  medals.close();
  race.close();
  seasons.close();
});

/** The first column of the answer's rows. */
const answer = (fx: Fixture, question: string) => answerRows(fx, question).map((row) => row[0]);

describe('two named things', () => {
  it('which of the two is higher or lower', () => {
    expect(answer(medals, 'Which nation has more silver medals, Borduria or Carpania?')).toEqual([
      'Borduria',
    ]);
    expect(answer(medals, 'Qual nação tem menos medalhas de bronze, Borduria ou Carpania?')).toEqual([
      'Borduria',
    ]);
    expect(answer(race, 'Who is older, Ada Olsen or Kara Voss?')).toEqual(['Kara Voss']);
  });

  it('how many more, the difference', () => {
    expect(answer(medals, 'How many more gold medals did Atlantis win than Dravonia?')).toEqual([7]);
    expect(answer(medals, 'What is the difference in total between Elbonia and Borduria?')).toEqual([9]);
    expect(answer(medals, 'Qual é a diferença de total entre Elbonia e Borduria?')).toEqual([9]);
  });

  it('more or less, and yes/no, in the question language', () => {
    expect(answer(medals, 'Did Elbonia win more or less bronze medals than Dravonia?')).toEqual(['more']);
    expect(answer(medals, 'Elbonia ganhou mais ou menos medalhas de bronze do que Dravonia?')).toEqual([
      'mais',
    ]);
    expect(answer(medals, 'Did Carpania get more bronze medals than Atlantis?')).toEqual(['yes']);
  });

  it('rows that are not one each are counted', () => {
    expect(answer(race, 'Are there more athletes from Kenya or Germany?')).toEqual(['Kenya']);
  });

  it('the same value as a named row, and more than a named row', () => {
    expect(answer(medals, 'Which nation has the same total as Carpania?')).toEqual(['Borduria']);
    expect(answer(race, 'Which athletes are older than Zoe Brandt?').sort()).toEqual([
      'Kara Voss',
      'Lena Marsh',
    ]);
  });

  it('one named row and two cells it may hold: a lookup among them', () => {
    expect(answer(seasons, 'Was 2004 in the First or Second division?')).toEqual(['First']);
  });

  it('refuses a sum of years, and a comparison with nothing to weigh', () => {
    const r = interpret('Which is larger, Kenya or Norway?', race.catalog);
    expect(r.kind).toBe('unsupported');
  });
});

describe('yes or no over rows', () => {
  it('whether any row meets the conditions, in both languages; a choice is not yes/no', () => {
    const counties = createFixture([countiesSpec()]);
    try {
      expect(answer(counties, 'Are there fewer than 10,000 people in Dale?')).toEqual(['yes']);
      expect(answer(counties, 'Are there more than 10,000 people in Dale?')).toEqual(['no']);
      expect(answer(counties, 'Há menos de 10.000 habitantes em Dale?')).toEqual(['sim']);
      expect(answer(counties, 'Is the seat of Dale Ashby or Brook?')).not.toEqual(['yes']);
    } finally {
      counties.close();
    }
  });
});

describe('a comparison with a named row is a condition, not a ranking', () => {
  it('lists every row past the named one; a superlative besides still ranks them', () => {
    expect(answerRows(race, 'Which athletes are older than Zoe Brandt?')).toEqual([
      ['Lena Marsh', 31],
      ['Kara Voss', 35],
    ]);
    expect(answerRows(race, 'Who is the oldest athlete older than Ada Olsen from Norway?')).toEqual([
      ['Kara Voss', 35],
    ]);
  });

  it('a reading that answers with the very value the question named is refused', () => {
    const r = interpret('Qual atleta é mais velho que Zoe Brandt?', race.catalog);
    // Either understood as the comparison or refused: never "Zoe Brandt" back.
    if (r.kind === 'sql')
      expect(answerRows(race, 'Qual atleta é mais velho que Zoe Brandt?')).not.toContainEqual([
        'Zoe Brandt',
        30,
      ]);
    else expect(r.reason).toMatch(/Athlete/);
  });

  it('"the most" in the plural is every group tied at the top; "top" without a number is the first five', () => {
    expect(
      answerRows(race, 'Which countries have the most athletes?')
        .map((r) => r[0])
        .sort(),
    ).toEqual(['France', 'Kenya', 'Norway']);
    expect(answerRows(race, 'Which are the top countries with the most athletes?')).toHaveLength(5);
  });
});

describe('the same value as a named row', () => {
  it('presumes another row has it: none found is no answer', () => {
    const r = interpret('Which nation has the same number of gold as Atlantis?', medals.catalog);
    if (r.kind !== 'sql') throw new Error(r.reason);
    const rows = medals.db.prepare(r.sql).raw().all() as unknown[][];
    expect(rows).toEqual([]); // nobody else has 9 gold
    expect(isNoAnswer(r.answerTemplate, { columns: [], rows })).toBe(true);
    const found = interpret('Which nation has the same total as Carpania?', medals.catalog);
    if (found.kind !== 'sql') throw new Error(found.reason);
    expect(isNoAnswer(found.answerTemplate, { columns: [], rows: [['Borduria']] })).toBe(false);
  });
});
