/**
 * Row order is data (issue 13): first/last/top on the list, previous/next/before/after/above/below a named row, in
 * both languages — and what must be refused (an anchor that is in several rows).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeResult, interpret, isNoAnswer } from '../../src/builtin/index.js';
import { answerRows, refusalReason } from './ask.js';
import { createFixture, type Fixture } from './fixtures.js';
import { fleetSpec, medalSpec, raceSpec } from './small-tables.js';

let fx: Fixture;

beforeAll(() => {
  fx = createFixture([raceSpec()]);
});
afterAll(() => fx.close());

const answer = (question: string, fixture = fx) => answerRows(fixture, question);

describe('first and last on the list', () => {
  it('reads the first or last row, not the most frequent value', () => {
    // "came in first" is a place: rank 1, shown beside the name.
    expect(answer('Who came in first?')).toEqual([['Lena Marsh', 1]]);
    expect(answer('What is the last country on the list?')).toEqual([['Germany']]);
    expect(answer('Quem ficou em último?')).toEqual([['Zoe Brandt']]);
    expect(answer('Qual é o último país da lista?')).toEqual([['Germany']]);
  });

  it('with a condition: the first or last row that meets it', () => {
    expect(answer('Who was the last athlete from Norway?')).toEqual([['Kara Voss']]);
    expect(answer('Quem foi o primeiro atleta de France?')).toEqual([['Mira Duval']]);
  });
});

describe('the row before or after a named one', () => {
  it('answers from the neighbouring row, never the named row itself', () => {
    expect(answer('Who finished after Ada Olsen?')).toEqual([['Mira Duval']]);
    expect(answer('Quem terminou depois de Ada Olsen?')).toEqual([['Mira Duval']]);
    expect(answer('Which country is above Portugal?')).toEqual([['Kenya']]);
    expect(answer('Qual país está acima de Portugal?')).toEqual([['Kenya']]);
    expect(answer('Who is the athlete previous to Kara Voss?')).toEqual([['Ines Lobo']]);
  });

  it('counts the rows before or after it', () => {
    expect(answer('How many athletes are listed before Ines Lobo?')).toEqual([[4]]);
    expect(answer('Quantos atletas aparecem antes de Ines Lobo?')).toEqual([[4]]);
  });

  it('an anchor in several rows is read where it first appears, and "after" skips its own rows', () => {
    // Kenya is rows 1 and 4: the row after the first Kenya is Ada Olsen (Norway); before it, nothing.
    expect(answer('Which athlete comes after Kenya?')).toEqual([['Ada Olsen']]);
    expect(answer('Which country is listed after Norway?')).toEqual([['France']]);
    const r = interpret('Which athlete comes before Kenya?', fx.catalog);
    expect(r.kind === 'sql' && fx.db.prepare(r.sql).raw().all()).toEqual([]);
  });
});

describe('summary rows', () => {
  it('a trailing Total row is left out of sums, rankings and row order', () => {
    const medals = createFixture([medalSpec()]);
    try {
      expect(answer('What is the total number of gold medals?', medals)).toEqual([[20]]);
      expect(answer('Which nation has the most gold medals?', medals)).toEqual([['Atlantis', 9]]);
      expect(answer('What is the last nation on the list?', medals)).toEqual([['Freedonia']]);
    } finally {
      medals.close();
    }
  });
});

describe('lookups and anchors', () => {
  it('a question word asks for a column the question names: the cell of the named row', () => {
    expect(answer("What was Tess Okafor's country?")).toEqual([['Kenya']]);
    expect(answer('Qual era o país de Ines Lobo?')).toEqual([['Portugal']]);
  });

  it('an anchor in several rows is read when a condition said with it picks one', () => {
    expect(answer('Which athlete is listed after Kenya with an age of 31?')).toEqual([['Ada Olsen']]);
  });
});

describe('conditions after the named row', () => {
  it('one tells its row apart; several might describe the row asked for: refused', () => {
    expect(answer('Who finished after Ada Olsen from Norway?')).toEqual([['Mira Duval']]);
    expect(refusalReason(fx, 'Who finished after Ada Olsen from Norway with age 27?')).toMatch(
      /which conditions describe the row to start from \(Ada Olsen\)/,
    );
  });
});

describe('a named row that no row fits', () => {
  // The question presumes the row exists: an empty result means the reading did not fit, so it is no answer.
  function executed(question: string) {
    const r = interpret(question, fx.catalog);
    if (r.kind !== 'sql') throw new Error(`refused "${question}": ${r.reason}`);
    const rows = fx.db.prepare(r.sql).raw().all() as unknown[][];
    return {
      rows,
      noAnswer: isNoAnswer(r.answerTemplate, { columns: [], rows }),
      text: describeResult(r, { columns: [], rows }),
    };
  }

  it('is refused for first/last and before/after, in both languages', () => {
    const last = executed('Who was the last athlete from Norway with age over 40?');
    expect(last.rows).toEqual([]);
    expect(last.noAnswer).toBe(true);
    expect(last.text).toMatch(/^I could not find the answer: no row matches what I understood/);
    const pt = executed('Quem foi o último atleta de Norway com idade acima de 40?');
    expect(pt.noAnswer).toBe(true);
    expect(pt.text).toMatch(/^Não encontrei a resposta/);
  });

  it('while a list with no rows is an answer: nobody', () => {
    const list = executed('Which athletes have an age over 40?');
    expect(list.rows).toEqual([]);
    expect(list.noAnswer).toBe(false);
    expect(list.text).toMatch(/^No rows matched/);
    // A row found is an answer as before.
    expect(executed('Who was the last athlete from Norway?').noAnswer).toBe(false);
  });
});

describe('a verb whose doer is a column', () => {
  it('must be read through that column, or the question is refused', () => {
    const fleet = createFixture([fleetSpec()]);
    try {
      expect(answerRows(fleet, 'Which yacht does Tom Fry own?')).toEqual([['Blue Moon']]);
      expect(answerRows(fleet, 'How many yachts does Ann Lee own?')).toEqual([[2]]);
      expect(answerRows(fleet, 'Who is the owner of the first yacht listed?')).toEqual([['Ann Lee']]);
      // Read without the verb, this would answer with the first yacht's name.
      expect(refusalReason(fleet, 'Who owns the first yacht listed?')).toMatch(/owns/);
      expect(refusalReason(fleet, 'Quem possui o primeiro iate da lista?')).toMatch(/possui/);
    } finally {
      fleet.close();
    }
  });
});
