/**
 * Portuguese parity (issue 13): the idioms a Brazilian user types for what English questions say in other words —
 * "de onde", "que" for "than", verbs and nouns that name a header ("pesa" → Weight, "fios por polegada" → Threads
 * per inch, "eleitos pela primeira vez" → First elected), verbs that only say what a row records.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerRows, refusalReason } from './ask.js';
import { createFixture, type Fixture } from './fixtures.js';
import {
  contestSpec,
  countiesSpec,
  couplesSpec,
  draftSpec,
  finalsSpec,
  gamesSpec,
  golfSpec,
  hostsSpec,
  medalSpec,
  membersSpec,
  officeSpec,
  peaksSpec,
  raceSpec,
  threadsSpec,
} from './small-tables.js';

let fx: Fixture;

beforeAll(() => {
  fx = createFixture([hostsSpec()]);
});
afterAll(() => fx.close());

/** Rows of the answer on a fixture holding just this table. */
function on(spec: Parameters<typeof createFixture>[0][number], question: string): unknown[][] {
  const one = createFixture([spec]);
  try {
    return answerRows(one, question);
  } finally {
    one.close();
  }
}

describe('"de onde": where, with the preposition Portuguese puts before it', () => {
  it('answers from the column of places, as "where … from" does', () => {
    expect(answerRows(fx, 'de onde era o vencedor de 2013?')).toEqual([['Denver, United States']]);
    expect(answerRows(fx, 'where was the 2013 winner from?')).toEqual([['Denver, United States']]);
    expect(answerRows(fx, 'de onde veio o vencedor de 2011?')).toEqual([['Austin, United States']]);
  });
});

describe('"o nome do X": the filler and its "of" lead to the column asked', () => {
  it('reads the column after "o nome do", in both languages', () => {
    expect(answerRows(fx, 'qual foi o nome do local do último vencedor?')).toEqual([['Nice, France']]);
    expect(answerRows(fx, 'what was the name of the venue of the last winner?')).toEqual([['Nice, France']]);
  });
});

describe('"que" for "than" between two named things', () => {
  it('compares the two sides, a statement asked being a yes/no question', () => {
    expect(on(medalSpec(), 'Borduria teve mais medalhas de bronze que Carpania?')).toEqual([['não', 3, 8]]);
    expect(on(medalSpec(), 'Borduria recebeu mais ou menos medalhas de ouro que Carpania?')).toEqual([
      ['mais', 5, 3],
    ]);
    expect(on(medalSpec(), 'Borduria teve menos medalhas de prata do que Carpania?')).toEqual([
      ['não', 6, 3],
    ]);
  });

  it('a "que" that opens a clause is no comparison', () => {
    expect(on(medalSpec(), 'qual nação tem mais medalhas de ouro que Dravonia?')).toEqual([
      ['Atlantis', 9],
      ['Borduria', 5],
      ['Carpania', 3],
    ]);
  });
});

describe('Portuguese words for headers', () => {
  it('verbs that name a measure: "pesa" is Weight, "liderou … voltas" is Laps led', () => {
    expect(on(threadsSpec(), 'qual tamanho pesa mais?')).toEqual([['1 3/4', 52]]);
    expect(on(peaksSpec(), 'Mount Arlo liderou quantas voltas?')).toEqual([[73]]);
  });

  it('a header named in other words and order: "fios por polegada", "eleitos pela primeira vez"', () => {
    expect(on(threadsSpec(), 'qual tamanho é o único com 5 fios por polegada?')).toEqual([['1 3/4', 5]]);
    expect(on(membersSpec(), 'o número de pessoas eleitas pela primeira vez em 1857')).toEqual([[2]]);
    expect(on(membersSpec(), 'quantos foram eleitos pela primeira vez em 1841?')).toEqual([[1]]);
  });
});

describe('verbs that only say what a row records', () => {
  it('"ocupar o cargo", "de acordo com o quadro" add no condition', () => {
    expect(on(officeSpec(), 'quem foi a primeira pessoa a ocupar este cargo?')).toEqual([['Amos Reed']]);
    expect(on(officeSpec(), 'quem tem mais mandatos de acordo com este quadro?')).toEqual([['Cyra Lund', 3]]);
  });

  it('"vencido" names the winning rows where an outcome column says who won', () => {
    expect(on(finalsSpec(), 'quando foi o último Harbor Cup vencido?')).toEqual([[1971]]);
  });
});

describe('Portuguese comparatives and rank idioms', () => {
  it('"mais rápido que 2:02" is a lower time, "mais pesado do que" a higher weight', () => {
    expect(on(raceSpec(), 'quantas atletas terminaram mais rápido que 2:02?')).toEqual([[2]]);
    expect(on(threadsSpec(), 'quantos tamanhos são mais pesados do que 10?')).toEqual([[3]]);
  });

  it('"a maioria dos" asks for the value most rows have', () => {
    expect(on(draftSpec(), 'qual era a escola da maioria dos jogadores?')).toEqual([['Riverside', 2]]);
  });

  it('"o mais bem colocado" is the best place, and "qual é" is no "and"', () => {
    expect(on(contestSpec(), 'qual é o país mais bem colocado?')).toEqual([['Portugal', 1]]);
    expect(on(contestSpec(), 'qual artista da Main Arena foi o mais bem classificado?')).toEqual([
      ['Rui Mota', 1],
    ]);
  });

  it('"por quantas semanas" counts, it does not group; "3º" is the ordinal of a "3rd" header', () => {
    expect(on(couplesSpec(), 'por quantas semanas Ana and Rui foram o "3º casal"?')).toEqual([[2]]);
  });

  it('"os outros dois", "iguais a": words of number and agreement', () => {
    expect(on(draftSpec(), 'quais outros dois jogadores são da escola Riverside?')).toEqual([
      ['Owen Hale'],
      ['Dev Patel'],
    ]);
    expect(on(medalSpec(), 'as medalhas de ouro deles são iguais a 5')).toEqual([['Borduria', 5]]);
  });
});

describe('Portuguese word order around the rows and the places', () => {
  it('"entre os 3 primeiros" is the top 3 places', () => {
    expect(on(raceSpec(), 'quantas atletas entre os 3 primeiros eram de Kenya?')).toEqual([[1]]);
    expect(on(raceSpec(), 'quantas atletas entre os 5 primeiros corriam pela France?')).toEqual([[1]]);
  });

  it('a noun for the rows before the date that picks them adds no condition, a verb there does', () => {
    expect(on(gamesSpec(), 'qual foi o público do jogo de 19 de setembro de 1984?')).toEqual([[33119]]);
    const games = createFixture([gamesSpec()]);
    try {
      expect(refusalReason(games, 'qual foi o público dos jogos cancelados em 1985?')).toMatch(/cancelados/);
    } finally {
      games.close();
    }
  });

  it('"a pontuação total" of a column of text is no total to compute: refused, the cell alone is not', () => {
    const golf = createFixture([golfSpec()]);
    try {
      expect(refusalReason(golf, 'qual foi a pontuação total de Ana Ruiz?')).toMatch(/coluna numérica/);
      expect(answerRows(golf, 'qual foi a pontuação de Ana Ruiz?')).toEqual([['66-72-70=208']]);
    } finally {
      golf.close();
    }
  });
});

describe('Portuguese counts of a quantity named after its noun', () => {
  it('"quantas medalhas de ouro" sums Gold, as "how many gold medals" does — never counts rows', () => {
    expect(on(medalSpec(), 'quantas medalhas de ouro a Borduria ganhou?')).toEqual([[5]]);
    expect(on(medalSpec(), 'qual é o número total de medalhas de ouro?')).toEqual([[20]]);
    expect(on(medalSpec(), 'how many gold medals did Borduria win?')).toEqual([[5]]);
  });

  it('a participle of choosing is no Pick column: "mais jogadores escolhidos" counts players', () => {
    expect(on(draftSpec(), 'qual escola teve mais jogadores escolhidos?')).toEqual([['Riverside', 2]]);
    expect(on(draftSpec(), 'quem foi escolhido primeiro?')).toEqual([['Owen Hale']]);
  });
});

describe('countries and verbs named in Portuguese', () => {
  it('"França", "Estados Unidos" name the part of a cell written in English ("Lyon, France")', () => {
    expect(answerRows(fx, 'quantas finais foram realizadas na França?')).toEqual([[2]]);
    expect(answerRows(fx, 'quem venceu nos Estados Unidos em 2013?')).toEqual([['Red Falcons']]);
    expect(answerRows(fx, 'quantas finais foram realizadas nos Estados Unidos?')).toEqual([[2]]);
  });

  it('"sede" is a Seat column, "cumpriu" only says what a row records', () => {
    expect(on(countiesSpec(), 'qual é a sede de Harlow?')).toEqual([['Carden']]);
    expect(on(officeSpec(), 'quantos mandatos Cyra Lund cumpriu?')).toEqual([[3]]);
  });
});
