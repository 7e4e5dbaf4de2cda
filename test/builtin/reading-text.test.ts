/**
 * "Show the reading" (issue 13, item 7): every answer says in words what was computed, in the question's language,
 * with the columns' headers and the values of the conditions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interpret } from '../../src/builtin/index.js';
import { createFixture, type Fixture } from './fixtures.js';
import { medalSpec, raceSpec } from './small-tables.js';

let race: Fixture;
let medals: Fixture;

beforeAll(() => {
  race = createFixture([raceSpec()]);
  medals = createFixture([medalSpec()]);
});
afterAll(() => {
  race.close();
  medals.close();
});

function reading(fx: Fixture, question: string): string {
  const r = interpret(question, fx.catalog);
  if (r.kind !== 'sql') throw new Error(`refused "${question}": ${r.reason}`);
  return r.reading;
}

describe('the reading', () => {
  it('says what was counted and where, in both languages', () => {
    expect(reading(race, 'How many athletes are from Kenya?')).toBe(
      'Counted the rows where country = Kenya.',
    );
    expect(reading(race, 'Quantos atletas são de Kenya?')).toBe('Contei as linhas em que country = Kenya.');
  });

  it('names the row order and the anchor of a neighbour', () => {
    expect(reading(race, 'Who finished after Ada Olsen?')).toBe(
      'Took athlete from the row just after the first row where athlete = Ada Olsen.',
    );
    expect(reading(race, 'Quem ficou em último?')).toBe('Peguei athlete da última linha da tabela.');
  });

  it('says which two things were compared, and that a total row was left out', () => {
    expect(reading(medals, 'Which nation has more silver medals, Borduria or Carpania?')).toBe(
      "Compared the silver where nation = Borduria with the silver where nation = Carpania and took the highest (leaving out the table's total row).",
    );
    expect(reading(medals, 'Qual nação tem mais medalhas de ouro?')).toBe(
      'Peguei nation com o maior gold (sem a linha de total da tabela).',
    );
  });
});
