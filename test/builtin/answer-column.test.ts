/**
 * Which column a question asks for (issue 13): the column it names, wherever the question word stands; "when" → a
 * time, "where" → a place, "who" → the column that names the rows; a noun the table has no column for ("which
 * player", "which building") → the rows. Ordinals keep their own order for "first"/"last".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerRows, refusalReason } from './ask.js';
import { createFixture, type Fixture } from './fixtures.js';
import { draftSpec, scheduleSpec } from './small-tables.js';

let draft: Fixture;
let schedule: Fixture;

beforeAll(() => {
  draft = createFixture([draftSpec()]);
  schedule = createFixture([scheduleSpec()]);
});
afterAll(() => {
  draft.close();
  schedule.close();
});

const answer = answerRows;

const refused = refusalReason;

describe('the column asked for', () => {
  it('named after a question word anywhere in the question', () => {
    expect(answer(draft, 'The last player picked came from what school?')).toEqual([['Northfield']]);
    expect(answer(draft, 'O último jogador escolhido veio de qual escola?')).toEqual([['Northfield']]);
  });

  it('an ordinal keeps its own order: the first pick is the smallest', () => {
    expect(answer(draft, 'Who was the first player picked?')).toEqual([['Owen Hale']]);
    expect(answer(schedule, 'What week was the first bye?')).toEqual([[3]]);
  });

  it('when → a time, where → a place', () => {
    expect(answer(schedule, 'When was the last game?')).toEqual([['October 11']]);
    expect(answer(schedule, 'Where was the first game played?')).toEqual([['Portmouth, Canada']]);
    expect(answer(schedule, 'Onde foi o primeiro jogo?')).toEqual([['Portmouth, Canada']]);
  });
});

describe('outcome verbs', () => {
  it('are a condition where a column records results: read there (outcome.test.ts), never dropped', () => {
    expect(answer(schedule, 'Quantos jogos eles venceram?')).toEqual([[3]]);
    // A table of draft picks records no results: the question is about something it does not hold.
    expect(refused(draft, 'How many games did they win?')).toContain('games');
  });
});

describe('one of them', () => {
  it('"name a …" asks for one value, not the list', () => {
    expect(answer(draft, 'Name a position other than Guard.')).toHaveLength(1);
    expect(answer(draft, 'Cite uma escola diferente de Riverside.')).toHaveLength(1);
    expect(answer(draft, 'List the positions other than Guard.')).toHaveLength(4);
  });
});

describe('which thing, not a number', () => {
  it('"which X has the fewest Y" names the row, never just the number', () => {
    const spec = {
      name: 'table_27',
      columns: [
        { name: 'name', label: 'Name', type: 'text' as const },
        { name: 'floors', label: 'Floors', type: 'integer' as const },
      ],
      rows: [
        ['Alder Tower', 16],
        ['Birch House', 10],
        ['Cedar Court', 12],
      ],
    };
    const fx = createFixture([spec]);
    try {
      expect(answer(fx, 'Which building had the least number of floors?')).toEqual([['Birch House', 10]]);
      expect(answer(fx, 'Which building has the most floors?')).toEqual([['Alder Tower', 16]]);
    } finally {
      fx.close();
    }
  });
});

describe('the verb after who', () => {
  it('names the column of agents ("Directed by"); the noun counted is the rows', () => {
    const spec = {
      name: 'table_31',
      columns: [
        { name: 'title', label: 'Title', type: 'text' as const },
        { name: 'directed_by', label: 'Directed by', type: 'text' as const },
        { name: 'attendance', label: 'Attendance', type: 'integer' as const },
      ],
      rows: [
        ['Dust Trail', 'Ray Holt', 900],
        ['Tin Spurs', 'Ray Holt', 450],
        ['Cactus Run', 'Ida Moss', 700],
      ],
    };
    const fx = createFixture([spec]);
    try {
      expect(answer(fx, 'Who directed the most cartoons?')).toEqual([['Ray Holt', 2]]);
      expect(answer(fx, 'Which title was attended by the least number of people?')).toEqual([
        ['Tin Spurs', 450],
      ]);
    } finally {
      fx.close();
    }
  });
});
