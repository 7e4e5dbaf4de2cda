/**
 * Neighbours in time (issue 13): "the previous winner", "the year after 2003", "the attendance the season before
 * 2005" follow the year column — a page listed newest first has its rows the other way — while "listed above" stays
 * the page's order; a value past a bound asked as one value is refused rather than summed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerRows, refusalReason } from './ask.js';
import { createFixture, type Fixture } from './fixtures.js';
import { cupSpec, medalSpec, seasonsSpec } from './small-tables.js';

let cup: Fixture;
let seasons: Fixture;

beforeAll(() => {
  cup = createFixture([cupSpec()]);
  seasons = createFixture([seasonsSpec()]);
});
afterAll(() => {
  cup.close();
  seasons.close();
});

const first = (fx: Fixture, question: string) => answerRows(fx, question).map((row) => row[0]);

describe('previous and next follow the years', () => {
  it('in a table listed newest first', () => {
    expect(first(cup, 'Which team won before Pine Albion?')).toEqual(['Elm United']);
    expect(first(cup, 'Who won the next cup after Ash Harriers?')).toEqual(['Elm United']);
    expect(first(cup, 'Qual time venceu antes de Oak Rovers?')).toEqual(['Pine Albion']);
  });

  it('the page order when the question says listed', () => {
    expect(first(cup, 'Which team is listed above Pine Albion?')).toEqual(['Oak Rovers']);
  });
});

describe('the year next to a year', () => {
  it('one row, not every row past it, in both languages', () => {
    expect(first(seasons, 'Which division did they play in the year after 2003?')).toEqual(['First']);
    expect(first(seasons, 'What was the attendance the season before 2005?')).toEqual([7200]);
    expect(first(seasons, 'Qual foi o público na temporada depois de 2004?')).toEqual([8800]);
    expect(first(cup, 'What was the next team after 2008?')).toEqual(['Elm United']);
  });

  it('a total past a bound is still a total; one value past it is refused', () => {
    expect(first(seasons, 'What was the total attendance after 2004?')).toEqual([21600]);
    expect(refusalReason(seasons, 'What was the attendance after 2004?')).toContain('several rows');
  });
});

describe('a year the table does not hold', () => {
  it('names the event the table is about, no condition on its rows', () => {
    const medals = createFixture([medalSpec()]);
    try {
      expect(first(medals, 'Which nation won the most gold medals in 1994?')).toEqual(['Atlantis']);
    } finally {
      medals.close();
    }
  });

  it('where the table has years, it is a condition on them', () => {
    expect(first(seasons, 'Which division did they play in 2003?')).toEqual(['First']);
  });
});
