/**
 * A finishing place said in words (issue 13): a value of the place column, not the table's row order; an ordinal
 * before a numbering column is its number; a list pasted in side-by-side blocks is only looked up, never counted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerRows, refusalReason } from './ask.js';
import { createFixture, type Fixture } from './fixtures.js';
import { draftSpec, foldedSpec, placesSpec, raceSpec, slalomSpec } from './small-tables.js';

let places: Fixture;
let race: Fixture;
let draft: Fixture;
let folded: Fixture;

beforeAll(() => {
  places = createFixture([placesSpec()]);
  race = createFixture([raceSpec()]);
  draft = createFixture([draftSpec()]);
  folded = createFixture([foldedSpec()]);
});
afterAll(() => {
  for (const fx of [places, race, draft, folded]) fx.close();
});

const column = (fx: Fixture, question: string) => answerRows(fx, question).map((row) => row[0]);

describe('a place in words', () => {
  it('is a value of the place column, whatever the row order', () => {
    expect(column(places, 'Which season did they place first?')).toEqual(['2000–01', '2002–03']);
    expect(column(places, 'In which season did they finish third?')).toEqual(['1999–00']);
    expect(column(places, 'Em qual temporada ficaram em segundo lugar?')).toEqual(['2001–02']);
  });

  it('on a numeric place column, in both languages', () => {
    expect(column(race, 'Who finished second?')).toEqual(['Ada Olsen']);
    expect(column(race, 'Who came in 3rd?')).toEqual(['Mira Duval']);
    expect(column(race, 'Quem ficou em quarto lugar?')).toEqual(['Tess Okafor']);
  });

  it('the first row is still row order when no place is said', () => {
    expect(column(places, 'What was the first season?')).toEqual(['1998–99']);
  });
});

describe('an ordinal before a numbering column', () => {
  it('is that column’s number', () => {
    expect(column(draft, 'How many players were selected in the first round?')).toEqual([2]);
    expect(column(draft, 'Quantos jogadores foram escolhidos na quarta rodada?')).toEqual([1]);
  });
});

describe('a list in side-by-side blocks', () => {
  it('is refused for counts and years, which one block would answer in part', () => {
    expect(refusalReason(folded, 'How many times did Ana Ruiz win?')).toContain('side by side');
    expect(refusalReason(folded, 'Who won in 1996?')).toContain('side by side');
  });

  it('a name is still looked up in its own block', () => {
    expect(column(folded, 'Who won after Cy Dorn?')).toEqual(['Ana Ruiz']);
  });
});

describe('first and last beside a rank written as text', () => {
  it('is refused: the page order may not be the ranking, and the ranking is not a number', () => {
    const slalom = createFixture([slalomSpec()]);
    try {
      expect(refusalReason(slalom, 'Who was last in the slalom?')).toContain('total_rank');
      expect(refusalReason(slalom, 'Quem foi o último no slalom?')).toContain('total_rank');
      expect(column(slalom, 'Who is the last athlete on the list?')).toEqual(['Ola Fenn']);
    } finally {
      slalom.close();
    }
  });
});
