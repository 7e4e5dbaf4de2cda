/**
 * Readings that are SQL but not what was asked are refused or turned the one way they make sense (issue 13): "who"
 * is answered with names, a bound on the asked column gives its nearest value, a number far outside a column's values
 * is not tied to it, a year with several date columns names none, a summary row ("Career") is no data, and a cell
 * that lists several places counts for each of them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerRows, refusalReason } from './ask.js';
import { createFixture, type Fixture } from './fixtures.js';
import { officeSpec, seasonsSpec } from './small-tables.js';

let office: Fixture;
let seasons: Fixture;

beforeAll(() => {
  office = createFixture([officeSpec()]);
  seasons = createFixture([seasonsSpec()]);
});
afterAll(() => {
  office.close();
  seasons.close();
});

describe('plausible readings', () => {
  it('"who" is answered with names, not with a column only partly named', () => {
    expect(answerRows(office, 'Who was the first person to hold this office?')).toEqual([['Amos Reed']]);
    expect(answerRows(office, 'Who was in office before Cyra Lund?')).toEqual([['Bela Ortiz']]);
  });

  it('a summary row is left out, and a cell listing two places counts for each', () => {
    expect(answerRows(office, 'What is the total number of terms?')).toEqual([[7]]);
    expect(answerRows(office, 'How many people are from Italy?')).toEqual([[3]]);
  });

  it('one value past a bound on the asked column: the nearest one', () => {
    expect(answerRows(seasons, 'What year comes after 2003?')).toEqual([[2004]]);
    expect(answerRows(seasons, 'Qual ano vem antes de 2003?')).toEqual([[2002]]);
  });

  it('refuses a number far outside the column it would be tied to', () => {
    expect(refusalReason(seasons, 'How many seasons had an attendance of more than 5,000,000?')).toContain(
      '5,000,000',
    );
  });
});

describe('years in text columns', () => {
  it('a year named right after its column, in a text column of years', () => {
    const clubs = createFixture([
      {
        name: 'table_9',
        columns: [
          { name: 'team', label: 'Team', type: 'text' },
          { name: 'year_started', label: 'Year started', type: 'text' },
          { name: 'year_ended', label: 'Year ended', type: 'text' },
        ],
        rows: [
          ['Alder Hawks', '1929', '1931'],
          ['Barrow Bees', 'pre-1939', '1954'],
          ['Corby Cats', '1949', '1973'],
          ['Derby Dogs', '1949', '1960'],
        ],
      },
    ]);
    try {
      expect(answerRows(clubs, 'What team started in 1949 and ended in 1973?')).toEqual([['Corby Cats']]);
      expect(answerRows(clubs, 'Quantas equipes começaram em 1949?')).toEqual([[2]]);
      // "pre-1939" has no year to compare: comparisons need cells that start with theirs.
      expect(refusalReason(clubs, 'How many teams started before 1940?')).toContain('1940');
    } finally {
      clubs.close();
    }
  });
});
