import { describe, expect, it } from 'vitest';
import {
  ALL_TYPES,
  type ColumnDecision,
  classify,
  convert,
  decideType,
  fileNumberLocale,
  isNullToken,
} from '../../src/data/types.js';

/** The decision and converted values for a column of raw values, as the importer makes them. */
function column(values: string[], fileLocale: 'en' | 'br' = 'en') {
  let mask = ALL_TYPES;
  let time = false;
  let nonNull = 0;
  for (const v of values) {
    if (isNullToken(v)) continue;
    nonNull++;
    const r = classify(v, mask);
    mask &= r.mask;
    time ||= r.time;
  }
  const d: ColumnDecision = decideType(mask, time, nonNull, fileLocale);
  return { type: d.type, values: values.map((v) => (isNullToken(v) ? null : convert(v, d))) };
}

describe('type rules of the contract', () => {
  it('Brazilian numbers', () => {
    expect(column(['1.234,56', '12,5', '3'])).toEqual({ type: 'real', values: [1234.56, 12.5, 3] });
    expect(column(['R$ 1.467,97', 'R$ 5,00'])).toEqual({ type: 'real', values: [1467.97, 5] });
    expect(column(['12,5%', '10%'])).toEqual({ type: 'real', values: [12.5, 10] });
    expect(column(['1.234.567', '12'])).toEqual({ type: 'integer', values: [1234567n, 12n] });
  });

  it('English numbers', () => {
    expect(column(['1,234.56', '0.5', '-3'])).toEqual({ type: 'real', values: [1234.56, 0.5, -3] });
    expect(column(['1,234', '12,345,678'])).toEqual({ type: 'integer', values: [1234n, 12345678n] });
    expect(column(['1e3', '2.5E-2'])).toEqual({ type: 'real', values: [1000, 0.025] });
  });

  it('ambiguous numbers follow the file locale', () => {
    expect(column(['1.234', '5.678'], 'br')).toEqual({ type: 'integer', values: [1234n, 5678n] });
    expect(column(['1.234', '5.678'], 'en')).toEqual({ type: 'real', values: [1.234, 5.678] });
  });

  it('the file locale: values readable one way only, the delimiter deciding a tie or a lone value', () => {
    expect(fileNumberLocale({ en: 0, br: 0 }, ',')).toBe('en');
    expect(fileNumberLocale({ en: 0, br: 0 }, ';')).toBe('br');
    expect(fileNumberLocale({ en: 0, br: 0 }, null)).toBe('en');
    // One `1,1024` among thousands separators is a typo, not a Brazilian file.
    expect(fileNumberLocale({ en: 0, br: 1 }, ',')).toBe('en');
    expect(fileNumberLocale({ en: 1, br: 0 }, ';')).toBe('br');
    expect(fileNumberLocale({ en: 0, br: 2 }, ',')).toBe('br');
    expect(fileNumberLocale({ en: 4, br: 12 }, ',')).toBe('br');
    expect(fileNumberLocale({ en: 3, br: 1 }, ';')).toBe('en');
    expect(fileNumberLocale({ en: 3, br: 3 }, ';')).toBe('br');
  });

  it('leading-zero identifiers stay text; huge integers stay text', () => {
    expect(column(['00501', '000123', '12']).type).toBe('text');
    expect(column(['1234567890123456789012']).type).toBe('text');
    expect(column(['0', '0.5', '0,5']).type).toBe('text'); // mixed locales in one column
    expect(column(['0', '10']).type).toBe('integer');
  });

  it('dates', () => {
    expect(column(['31/12/2023', '01/02/2023'])).toEqual({
      type: 'date',
      values: ['2023-12-31', '2023-02-01'],
    });
    expect(column(['2023-12-31', '2024-02-29'])).toEqual({
      type: 'date',
      values: ['2023-12-31', '2024-02-29'],
    });
    expect(column(['Jan 1 2000', 'Feb 29 2000', 'December 31, 1999'])).toEqual({
      type: 'date',
      values: ['2000-01-01', '2000-02-29', '1999-12-31'],
    });
    expect(column(['1 de janeiro de 2000', '15-Mar-2001'])).toEqual({
      type: 'date',
      values: ['2000-01-01', '2001-03-15'],
    });
    expect(column(['31.12.2023'])).toEqual({ type: 'date', values: ['2023-12-31'] });
  });

  it('dd/mm by default, mm/dd only when no value contradicts it', () => {
    expect(column(['01/02/2023', '03/04/2023']).values).toEqual(['2023-02-01', '2023-04-03']);
    expect(column(['12/31/2023', '01/02/2023']).values).toEqual(['2023-12-31', '2023-01-02']);
    expect(column(['12/31/2023', '31/12/2023']).type).toBe('text');
    expect(column(['30/02/2023']).type).toBe('text');
  });

  it('date-times', () => {
    expect(column(['31/12/2023 18:05', '01/01/2024 00:00:59'])).toEqual({
      type: 'datetime',
      values: ['2023-12-31 18:05:00', '2024-01-01 00:00:59'],
    });
    expect(column(['2015/01/01 01:00:00', '2015-01-02T03:04:05Z'])).toEqual({
      type: 'datetime',
      values: ['2015-01-01 01:00:00', '2015-01-02 03:04:05'],
    });
    expect(column(['2023-12-31', '2023-12-31 10:00:00']).values).toEqual([
      '2023-12-31 00:00:00',
      '2023-12-31 10:00:00',
    ]);
  });

  it('booleans (0/1 stay integers)', () => {
    expect(column(['true', 'False', 'sim', 'não'])).toEqual({ type: 'boolean', values: [1n, 0n, 1n, 0n] });
    expect(column(['0', '1']).type).toBe('integer');
  });

  it('empty and NULL are NULL; an all-null column is text', () => {
    expect(column(['', 'NULL', 'null', '  ', '5'])).toEqual({
      type: 'integer',
      values: [null, null, null, null, 5n],
    });
    expect(column(['', 'NULL']).type).toBe('text');
  });

  it('a column whose values disagree stays text', () => {
    expect(column(['1', '2', 'três']).type).toBe('text');
    expect(column(['2023-01-01', '5']).type).toBe('text');
  });
});
