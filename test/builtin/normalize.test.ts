import { describe, expect, it } from 'vitest';
import { stem } from '../../src/builtin/lexicon.js';
import { detectLang, fold, parseNumeral, tokenize } from '../../src/builtin/normalize.js';

describe('normalize', () => {
  it('folds accents and case the way column names are normalized', () => {
    expect(fold('Preço Unitário')).toBe('preco unitario');
    expect(fold('REGIÃO')).toBe('regiao');
  });

  it('reads numerals in both conventions', () => {
    expect(parseNumeral('1.234,56', 'pt')).toBe(1234.56);
    expect(parseNumeral('1,234.56', 'en')).toBe(1234.56);
    expect(parseNumeral('12,5', 'pt')).toBe(12.5);
    expect(parseNumeral('20.5', 'en')).toBe(20.5);
    expect(parseNumeral('1.000', 'pt')).toBe(1000);
    expect(parseNumeral('12,5%', 'pt')).toBe(12.5);
  });

  it('tokenizes words, numbers, number words and multipliers', () => {
    const t = tokenize('Os três maiores acima de 10 mil em europe_central_asia', 'pt');
    expect(t.map((x) => x.norm)).toEqual([
      'os',
      'tres',
      'maiores',
      'acima',
      'de',
      '10',
      'em',
      'europe',
      'central',
      'asia',
    ]);
    expect(t[1]!.num).toBe(3);
    expect(t[5]!.num).toBe(10000);
    expect(tokenize('top five', 'en')[1]!.num).toBe(5);
    // A number word takes a multiplier too; a time does not.
    expect(tokenize('mais de cinco milhões', 'pt')[2]!.num).toBe(5e6);
    expect(tokenize('dois mil', 'pt').map((x) => x.num)).toEqual([2000]);
    expect(tokenize('4:10 mil', 'pt').map((x) => x.num)).toEqual([250, undefined]);
  });

  it('marks the suffix of an ordinal written against its numeral', () => {
    expect(tokenize('o 3º casal', 'pt').map((x) => x.ordinal ?? false)).toEqual([false, false, true, false]);
    expect(tokenize('the 3rd couple', 'en').map((x) => x.ordinal ?? false)).toEqual([
      false,
      false,
      true,
      false,
    ]);
    expect(tokenize('3 o casal', 'pt').map((x) => x.ordinal ?? false)).toEqual([false, false, false]);
  });

  it('marks capitalized words after the first', () => {
    const t = tokenize('Average price of GOOG', 'en');
    expect(t[0]!.capitalized).toBe(false);
    expect(t[3]!.capitalized).toBe(true);
  });

  it('detects the language', () => {
    expect(detectLang('Qual a média de preço por região?')).toBe('pt');
    expect(detectLang('Quantos pedidos foram feitos?')).toBe('pt');
    expect(detectLang('What is the average price per symbol?')).toBe('en');
    expect(detectLang('Total population by region')).toBe('en');
  });

  it('stems Portuguese and English forms of a word to one stem', () => {
    expect(stem('populosos')).toBe(stem('population'));
    expect(stem(fold('população'))).toBe(stem('population'));
    expect(stem(fold('regiões'))).toBe(stem(fold('região')));
    expect(stem('rainy')).toBe(stem('rain'));
    expect(stem('sunny')).toBe(stem('sun'));
    expect(stem('countries')).toBe(stem('country'));
    expect(stem('quantity')).toBe(stem('quantidade'));
  });
});
