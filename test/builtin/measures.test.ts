/**
 * Which number column a question weighs (issue 13): a verb of the question chooses between two columns named by the
 * same noun, a second measure is never dropped, a country is found by its name in the other language.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerRows, refusalReason } from './ask.js';
import { createFixture, type Fixture } from './fixtures.js';
import { countiesSpec, entriesSpec, leagueSpec, medalSpec, runsSpec } from './small-tables.js';

let league: Fixture;
let medals: Fixture;
let entries: Fixture;
let runs: Fixture;

beforeAll(() => {
  league = createFixture([leagueSpec()]);
  medals = createFixture([medalSpec()]);
  entries = createFixture([entriesSpec()]);
  runs = createFixture([runsSpec()]);
});
afterAll(() => {
  league.close();
  medals.close();
  entries.close();
  runs.close();
});

const first = (fx: Fixture, question: string) => answerRows(fx, question).map((row) => row[0]);

describe('two columns named by the same noun', () => {
  it('the verb of the question says which', () => {
    expect(first(league, 'Which team scored the most goals?')).toEqual(['Germany (GER)']);
    expect(first(league, 'Which team conceded the most goals?')).toEqual(['Mexico (MEX)']);
  });

  it('without it, the question is refused naming both', () => {
    const reason = refusalReason(league, 'Which team has the most goals?');
    expect(reason).toContain('goals_scored');
    expect(reason).toContain('goals_conceded');
  });
});

describe('a second measure', () => {
  it('joined by "and" to the one counted, both are added together, in both languages', () => {
    expect(first(medals, 'How many gold and silver medals did Atlantis win?')).toEqual([13]);
    expect(first(medals, 'Quantas medalhas de ouro e prata a Atlantis ganhou?')).toEqual([13]);
  });

  it('is never dropped: ranked by two columns is refused', () => {
    expect(refusalReason(medals, 'Which nation won the most gold and silver medals?')).toMatch(/silver/i);
  });

  it('one of them alone is answered', () => {
    expect(first(medals, 'How many gold medals did Atlantis win?')).toEqual([9]);
  });
});

describe('names across languages', () => {
  it('a country named in Portuguese matches the English cell', () => {
    expect(first(league, 'Quantos gols a Alemanha marcou?')).toEqual([14]);
    expect(first(league, 'How many goals did Germany score?')).toEqual([14]);
    expect(first(league, 'How many goals did Japan concede?')).toEqual([12]);
  });
});

describe('a total or the best row', () => {
  it('an entity on a few rows is ranked by its best row unless the question asks for the total', () => {
    expect(first(entries, 'Which team did the most laps?')).toEqual(['Scuderia Alba']);
    expect(first(entries, 'Qual equipe fez mais voltas?')).toEqual(['Scuderia Alba']);
    expect(first(entries, 'Which team has the highest total laps?')).toEqual(['Nordwerk']);
    expect(first(entries, 'Qual equipe tem o maior total de voltas?')).toEqual(['Nordwerk']);
  });
});

describe('words that are not the rows', () => {
  it('a misspelt quantity is not a name for the rows', () => {
    expect(refusalReason(league, 'What was the total number of loses?')).toContain('loses');
  });

  it('one word of a longer header before a column is a condition left unexplained', () => {
    expect(refusalReason(entries, 'How many race drivers are there?')).toContain('race');
  });
});

describe('units and ranks', () => {
  it('a unit after a number says which column it is of', () => {
    expect(first(runs, 'What was the only year that a 5 km event took place?')).toEqual([2002]);
    expect(first(runs, 'Where was the only 5km event held?')).toEqual(['Lima']);
    expect(first(runs, 'Em que ano foi a prova de 20 km?')).toEqual([2005]);
  });

  it('a rank is looked up, never summed', () => {
    expect(first(runs, 'What was the position in Cali?')).toEqual([2]);
  });
});

describe('people and square kilometres', () => {
  it('a number of people is a population; a unit in the header names its column', () => {
    const counties = createFixture([countiesSpec()]);
    try {
      expect(first(counties, 'How many counties have more than 50,000 people?')).toEqual([2]);
      expect(first(counties, 'Quantos condados têm menos de 30.000 habitantes?')).toEqual([2]);
      expect(first(counties, 'How many counties are larger than 900 square kilometers?')).toEqual([2]);
    } finally {
      counties.close();
    }
  });
});

describe('words of a total', () => {
  it('"added together", "amount" after the measure, "somados"', () => {
    expect(first(medals, 'What is the total of all of the gold medals added together?')).toEqual([20]);
    expect(first(medals, 'What is the combined gold amount for Atlantis and Borduria?')).toEqual([14]);
    // "total" is also a column here: answering with it would drop "gold".
    expect(refusalReason(medals, 'What is the total gold amount for Atlantis and Borduria?')).toMatch(
      /gold/i,
    );
    expect(first(medals, 'Qual o total de ouro de Atlantis e Borduria somados?')).toEqual([14]);
  });
});
