/**
 * Conditions said in everyday ways (issue 13): "besides X", "not played at X" (a verb between), "against X" for an
 * opponent or the row itself, a number after a column of codes ("draw 2" → "02"), "where did X go to school" when the
 * table holds no places.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerRows } from './ask.js';
import { createFixture, type Fixture } from './fixtures.js';
import { contestSpec, draftSpec, fixturesSpec, runnersSpec, slalomSpec } from './small-tables.js';

let contest: Fixture;
let draft: Fixture;

beforeAll(() => {
  contest = createFixture([contestSpec()]);
  draft = createFixture([draftSpec()]);
});
afterAll(() => {
  contest.close();
  draft.close();
});

const first = (fx: Fixture, question: string) => answerRows(fx, question).map((row) => row[0]);

describe('exclusions', () => {
  it('"besides X", "além de X" leave X out', () => {
    expect(first(contest, 'Which country earned more than 140 points besides Portugal?')).toEqual(['Chile']);
    expect(first(contest, 'Qual país fez mais de 140 pontos além de Portugal?')).toEqual(['Chile']);
  });

  it('"not" before a verb that only says what a row records', () => {
    expect(first(contest, 'How many songs were not performed at Main Arena?')).toEqual([2]);
  });
});

describe('values named in other ways', () => {
  it('a number after a column of codes written as text', () => {
    expect(first(contest, 'What country is in draw 2?')).toEqual(['Portugal']);
  });

  it('where, in a table with no places: the column named', () => {
    expect(first(draft, 'Where did Sam Ortega go to school?')).toEqual(['Hillcrest']);
  });
});

describe('counting with a qualified noun or a place', () => {
  it('"home games" of a team: the column word says where the name is', () => {
    const fx = createFixture([fixturesSpec()]);
    try {
      expect(first(fx, 'How many home games did Toronto play?')).toEqual([2]);
    } finally {
      fx.close();
    }
  });

  it('"in the top N": places 1 to N of the place column, numbers among "–"', () => {
    const fx = createFixture([slalomSpec()]);
    try {
      expect(first(fx, 'How many athletes were in the top 20?')).toEqual([2]);
    } finally {
      fx.close();
    }
  });

  it('"more than N minutes" against times', () => {
    const fx = createFixture([runnersSpec()]);
    try {
      expect(first(fx, 'How many athletes took more than 31 minutes?')).toEqual([3]);
    } finally {
      fx.close();
    }
  });
});

describe('a number of rows per group', () => {
  it('"which year had at least three films": the years whose rows reach it, in both languages', () => {
    const fx = createFixture([
      {
        name: 'table_39',
        columns: [
          { name: 'year', label: 'Year', type: 'integer' },
          { name: 'film', label: 'Film', type: 'text' },
        ],
        rows: [
          [2002, 'Aster'],
          [2002, 'Birch'],
          [2003, 'Cove'],
          [2004, 'Dune'],
          [2004, 'Ember'],
          [2004, 'Fjord'],
        ],
      },
    ]);
    try {
      expect(first(fx, 'Which year had at least three films?')).toEqual([2004]);
      expect(first(fx, 'Qual ano teve pelo menos três filmes?')).toEqual([2004]);
    } finally {
      fx.close();
    }
  });
});
