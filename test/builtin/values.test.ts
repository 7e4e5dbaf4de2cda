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

  it('otherwise any of the columns, unless one of them is what is asked', () => {
    expect(answer('How many times is Blue Sharks listed?')).toEqual([[2]]);
    expect(refusal('Who was the runner-up in the years of Blue Sharks?')).toContain('Runner-up');
  });
});

describe('quoted names', () => {
  it('a quoted word is a value, never a function word', () => {
    expect(answer('Who won when "All" was the runner-up?')).toEqual([['Gold Bears']]);
    expect(refusal('How many are listed as "none"?')).toContain('none');
  });
});

describe('units, decades and time order', () => {
  it('a unit after a number says what it measures; a decade is a span of years', () => {
    const peaks = createFixture([
      {
        name: 'table_5',
        columns: [
          { name: 'peak', label: 'Peak', type: 'text' },
          { name: 'elevation_m', label: 'Elevation (m)', type: 'integer' },
        ],
        rows: [
          ['Aa', 4100],
          ['Bb', 3900],
          ['Cc', 4700],
        ],
      },
    ]);
    try {
      expect(answerRows(peaks, 'How many peaks have an elevation above 4,000 m?')).toEqual([[2]]);
      expect(answerRows(peaks, 'Quantos picos têm elevação acima de 4.000 m?')).toEqual([[2]]);
    } finally {
      peaks.close();
    }
    expect(answer('How many tournaments were held in the 2010s?')).toEqual([[5]]);
    expect(answer('Quantos torneios aconteceram depois de 2012?')).toEqual([[2]]);
  });

  it('the earliest and the latest follow the year column when there is no date', () => {
    expect(answer('Who was the earliest winner?')).toEqual([['Red Falcons', 2010]]);
    expect(answer('Quem foi o vencedor mais recente?')).toEqual([['Gold Bears', 2014]]);
  });
});

describe('a people for its country', () => {
  it('"the only Serbian player": the adjective picks the country, the noun is the rows', () => {
    const fx = createFixture([
      {
        name: 'table_41',
        columns: [
          { name: 'name', label: 'Name', type: 'text' },
          { name: 'nationality', label: 'Nationality', type: 'text' },
        ],
        rows: [
          ['Ivo Marek', 'Serbia'],
          ['Lars Berg', 'Sweden'],
          ['Tom Ruud', 'Sweden'],
          ['Al Cole', 'United States'],
        ],
      },
    ]);
    try {
      expect(answerRows(fx, 'Who is the only Serbian player?')).toEqual([['Ivo Marek']]);
      expect(answerRows(fx, 'How many American players were there?')).toEqual([[1]]);
      expect(answerRows(fx, 'Quantos jogadores suecos?')).toEqual([[2]]);
    } finally {
      fx.close();
    }
  });
});
