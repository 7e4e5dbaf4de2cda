/**
 * Whole dates in a question (issue 13): a day of the date column, with its year when said, compared when "after" or
 * "before" comes first — in both languages; a noun for the rows after the date adds no condition; "the number of
 * people injured" is the Injured column, not a count of rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerRows } from './ask.js';
import { createFixture, type Fixture } from './fixtures.js';
import { gamesSpec, scheduleSpec } from './small-tables.js';

let games: Fixture;

beforeAll(() => {
  games = createFixture([gamesSpec()]);
});
afterAll(() => games.close());

const first = (question: string) => answerRows(games, question).map((row) => row[0]);

describe('a whole date', () => {
  it('month, day and year in either order', () => {
    expect(first('What was the attendance on September 19, 1984?')).toEqual([33119]);
    expect(first('Who was the opponent on 9 January 1985?')).toEqual(['Coast Owls']);
    expect(first('Qual foi o público em 2 de outubro de 1984?')).toEqual([28400]);
  });

  it('a day of any year when no year is said', () => {
    expect(first('How many games were played on August 25?')).toEqual([2]);
  });

  it('after and before a date', () => {
    expect(first('How many games were after 9 January 1985?')).toEqual([2]);
    expect(first('Quantos jogos foram antes de 9 de janeiro de 1985?')).toEqual([2]);
  });

  it('the noun for the rows after the date is no condition', () => {
    expect(first('What was the attendance of the September 19th, 1984 game?')).toEqual([33119]);
  });
});

describe('people counted by a column', () => {
  it('"the number of people injured" is that column', () => {
    expect(first('What is the number of people injured on August 25, 1985?')).toEqual([7]);
  });
});

describe('dates written as text', () => {
  it('a month or a day picks the cells that name it', () => {
    const schedule = createFixture([scheduleSpec()]);
    try {
      const ask = (q: string) => answerRows(schedule, q).map((row) => row[0]);
      expect(ask('How many games were played in October?')).toEqual([2]);
      expect(ask('Quantos jogos foram em setembro?')).toEqual([4]);
      expect(ask('Who was the opponent on September 13?')).toEqual(['Valley Rams']);
    } finally {
      schedule.close();
    }
  });
});
