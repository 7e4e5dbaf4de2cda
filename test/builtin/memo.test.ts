/**
 * interpret() memoizes what it derives from a catalog (table indexes, the cells a word can begin, a text column of
 * dates, suggestions) per catalog object, to stay under 1 ms. Those memos must never change an answer: a question
 * reads the same on a fresh copy of the catalog (nothing memoized yet), on the same object asked again, and in any
 * order among other questions and tables.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interpret } from '../../src/builtin/index.js';
import type { Catalog } from '../../src/data/catalog-types.js';
import { createFixture, type Fixture } from './fixtures.js';
import { gamesSpec, hostsSpec, medalSpec, raceSpec, scheduleSpec } from './small-tables.js';
import { lojasSpec } from './tables.js';

const QUESTIONS = [
  // dates written as text, whole dates, months
  'How many games were played in October?',
  'Quantos jogos foram em setembro?',
  'Who was the opponent on September 13?',
  'What was the attendance on September 19, 1984?',
  'Qual foi o público em 2 de outubro de 1984?',
  // values, values by part of a cell, outcomes, places
  'How many games did they win?',
  'Which athlete finished second?',
  'How many athletes are from Kenya?',
  'How many venues are in Ireland?',
  'How many gold medals did Norway win?',
  'Qual a média de preço por loja?',
  'Quantas vendas na loja Centro?',
  // refusals (these carry suggestions)
  'Why did the crowd leave early?',
  'what is the weather like?',
  'qual a melhor loja para investir?',
];

let fixtures: Fixture[] = [];

beforeAll(() => {
  fixtures = [
    createFixture([scheduleSpec()]),
    createFixture([raceSpec()]),
    createFixture([hostsSpec()]),
    createFixture([gamesSpec()]),
    createFixture([medalSpec()]),
    createFixture([lojasSpec()]),
    createFixture([scheduleSpec(), raceSpec()]),
  ];
});
afterAll(() => {
  for (const f of fixtures) f.close();
});

const fresh = (catalog: Catalog): Catalog => structuredClone(catalog);

describe('memoized catalog indexes', () => {
  it('a question reads the same on a fresh catalog object and on one asked before', () => {
    for (const fx of fixtures) {
      const cold = QUESTIONS.map((q) => interpret(q, fresh(fx.catalog)));
      const shared = fresh(fx.catalog);
      const first = QUESTIONS.map((q) => interpret(q, shared));
      const again = [...QUESTIONS].reverse().map((q) => interpret(q, shared));
      expect(first).toEqual(cold);
      expect(again.reverse()).toEqual(cold);
    }
  });

  it('follow-ups read the same with and without memoized indexes', () => {
    const fx = fixtures[0]!;
    const question = 'How many games were played in September?';
    const first = interpret(question, fresh(fx.catalog));
    if (first.kind !== 'sql') throw new Error(`refused "${question}"`);
    const previous = { question, sql: first.sql };
    const cold = interpret('and in October?', fresh(fx.catalog), { previous });
    expect(cold.kind).toBe('sql');
    const shared = fresh(fx.catalog);
    interpret(question, shared);
    expect(interpret('and in October?', shared, { previous })).toEqual(cold);
  });
});
