/**
 * Never guess: questions the engine cannot map must come back as "cannot answer", in the question's language, with
 * 3–5 suggestions that the engine itself can answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interpret, suggestQuestions } from '../../src/builtin/index.js';
import { createFixture, type Fixture } from './fixtures.js';
import { lojasSpec, sensorsSpec } from './tables.js';

let fx: Fixture;
let lojasOnly: Fixture;

beforeAll(() => {
  fx = createFixture([lojasSpec(), sensorsSpec()]);
  lojasOnly = createFixture([lojasSpec()]);
});
afterAll(() => {
  fx.close();
  lojasOnly.close();
});

const OUT_OF_SCOPE_PT = [
  'Por que as vendas caíram em 2022?',
  'Qual é a melhor loja para trabalhar?',
  'Qual o salário médio dos vendedores?',
  'Quantos funcionários tem cada loja?',
  'Qual será o preço no próximo ano?',
  'Qual a correlação entre preço e desconto?',
  'Qual é o sentido da vida?',
  'Qual a temperatura média das vendas da loja Centro?',
];
const OUT_OF_SCOPE_EN = [
  'Why did the lab sensor fail?',
  'What do you think about the garage?',
  'What is the average salary by store?',
  'How many employees are in each store?',
  'Predict the temperature for next year',
  'What is the variance of the humidity?',
  'blorp fizzle wump',
  'Join the sensor log with the store sales',
  'What is the average humidity of the Mochila sales?',
];

describe('refusals', () => {
  for (const q of OUT_OF_SCOPE_PT) {
    it(`pt: refuses "${q}"`, () => {
      const r = interpret(q, fx.catalog);
      expect(r.kind).toBe('unsupported');
      if (r.kind !== 'unsupported') return;
      expect(r.lang).toBe('pt');
      expect(r.reason.length).toBeGreaterThan(10);
      expect(r.suggestions.length).toBeGreaterThanOrEqual(3);
      expect(r.suggestions.length).toBeLessThanOrEqual(5);
    });
  }
  for (const q of OUT_OF_SCOPE_EN) {
    it(`en: refuses "${q}"`, () => {
      const r = interpret(q, fx.catalog);
      expect(r.kind).toBe('unsupported');
      if (r.kind === 'unsupported') expect(r.lang).toBe('en');
    });
  }

  it('says what it understood', () => {
    const r = interpret('Qual o salário médio por loja?', lojasOnly.catalog);
    expect(r.kind).toBe('unsupported');
    if (r.kind !== 'unsupported') return;
    expect(r.reason).toContain('salário');
    expect(r.understood).toContain('loja');
  });

  it('refuses rather than pick a table when the question fits several equally', () => {
    const r = interpret('How many rows are there?', fx.catalog);
    expect(r.kind).toBe('unsupported');
  });

  it('answers the same question when only one table exists', () => {
    expect(interpret('How many rows are there?', lojasOnly.catalog).kind).toBe('sql');
  });

  it('has nothing to answer with no tables', () => {
    const r = interpret('How many rows are there?', []);
    expect(r.kind).toBe('unsupported');
  });
});

describe('suggestions', () => {
  it('still offers at least 3 for a table with a single text column', () => {
    const tiny = createFixture([
      {
        name: 'nomes',
        columns: [{ name: 'nome', type: 'text' }],
        rows: [['Ana'], ['Bia'], ['Caio'], ['Ana']],
      },
    ]);
    try {
      for (const lang of ['pt', 'en'] as const) {
        const list = suggestQuestions(tiny.catalog, lang);
        expect(list.length).toBeGreaterThanOrEqual(3);
        for (const q of list) expect(interpret(q, tiny.catalog, { lang }).kind, q).toBe('sql');
      }
    } finally {
      tiny.close();
    }
  });

  for (const lang of ['pt', 'en'] as const) {
    it(`${lang}: 3–5 questions the engine answers, on the right tables`, () => {
      const list = suggestQuestions(fx.catalog, lang);
      expect(list.length).toBeGreaterThanOrEqual(3);
      expect(list.length).toBeLessThanOrEqual(5);
      for (const q of list) {
        const r = interpret(q, fx.catalog, { lang });
        expect(r.kind, q).toBe('sql');
        if (r.kind === 'sql') expect(() => fx.db.prepare(r.sql).all()).not.toThrow();
      }
    });
  }
});
