import { afterEach, describe, expect, it } from 'vitest';
import { detectHeader } from '../../src/data/header.js';
import { load, newSession, query, removeSessions } from './helpers.js';

afterEach(removeSessions);

const rows = (text: string) => text.split('\n').map((l) => l.split(';'));

describe('header detection', () => {
  it('a row of names above typed columns is a header; a row like the others is data', () => {
    const [first, ...rest] = rows('id;valor;dia\n1;2,5;01/02/2023\n2;3,5;02/02/2023');
    expect(detectHeader(first!, rest)).toBe(true);
    const [d1, ...drest] = rows('1;2,5;01/02/2023\n2;3,5;02/02/2023\n3;4,5;03/02/2023');
    expect(detectHeader(d1!, drest)).toBe(false);
  });

  it('years above columns of numbers that are not years are a header (País;2019;2020)', () => {
    const [first, ...rest] = rows('País;2019;2020\nBrasil;1.234,5;2.345,6\nChile;345,1;400\nPeru;12;13');
    expect(detectHeader(first!, rest)).toBe(true);
    // Integers that are not years, too.
    const [f2, ...r2] = rows('2019;2020;2021\n15;230;1.500\n7;8;9');
    expect(detectHeader(f2!, r2)).toBe(true);
  });

  it('a year above a column of years is data, and header cells must be distinct and non-empty', () => {
    const [first, ...rest] = rows('2019;Ana\n2020;Bia\n2021;Caio');
    expect(detectHeader(first!, rest)).toBe(false);
    // Repeated cells do not look like column names.
    const [f2, ...r2] = rows('2019;2019\n1,5;2,5\n3,5;4,5');
    expect(detectHeader(f2!, r2)).toBe(false);
    const [f3, ...r3] = rows('2019;\n1,5;2,5\n3,5;4,5');
    expect(detectHeader(f3!, r3)).toBe(false);
  });

  it('imports a table whose header is made of years', async () => {
    const s = newSession();
    const r = await load(s, 'pib.csv', 'País;2019;2020\nBrasil;1.234,5;2.345,6\nChile;345,1;400\n');
    expect(r.warnings.join()).not.toMatch(/no header/);
    expect(r.tables[0]!.columns.map((c) => [c.name, c.label, c.type])).toEqual([
      ['pais', 'País', 'text'],
      ['c_2019', '2019', 'real'],
      ['c_2020', '2020', 'real'],
    ]);
    expect(query(s, 'SELECT * FROM pib')).toEqual([
      { pais: 'Brasil', c_2019: 1234.5, c_2020: 2345.6 },
      { pais: 'Chile', c_2019: 345.1, c_2020: 400 },
    ]);
  });
});
