/**
 * The WikiTableQuestions matching rules of scripts/wtq-score.ts (the official evaluator's), on inline examples:
 * no ../shared needed.
 */
import { describe, expect, it } from 'vitest';
import { questionKind, refusalCause, refusalWords } from '../../scripts/wtq-classify.js';
import {
  checkDenotation,
  matchingColumn,
  normalize,
  parseDate,
  parseNumber,
  toValue,
  toValueList,
} from '../../scripts/wtq-score.js';

const matches = (targets: string[], canon: string[] | undefined, rows: unknown[][]) =>
  matchingColumn({ targets, ...(canon ? { target_canon: canon } : {}) }, rows) >= 0;

describe('normalize (the official evaluator)', () => {
  it('ignores case, accents, curly quotes and dashes', () => {
    expect(normalize('Djurgårdens IF')).toBe('djurgardens if');
    expect(normalize('São Paulo')).toBe(normalize('SAO PAULO'));
    expect(normalize('1949–87')).toBe('1949-87');
    expect(normalize('Rock ’n’ Roll')).toBe("rock 'n' roll");
  });

  it('drops trailing footnote marks, a trailing (…), outer quotes and a final full stop', () => {
    expect(normalize('Lithuania[3]')).toBe('lithuania');
    expect(normalize('Granada*')).toBe('granada');
    expect(normalize('Medline†[a][12]')).toBe('medline');
    expect(normalize('Scott Dixon (W)')).toBe('scott dixon');
    expect(normalize('"Release Me"')).toBe('release me');
    expect(normalize('"Release Me" (1952)[2]')).toBe('release me');
    expect(normalize('St. Louis Browns.')).toBe('st. louis browns');
    expect(normalize('  two\n  lines ')).toBe('two lines');
  });

  it('keeps what stands at the start: a leading (…) or [x] is the value itself', () => {
    expect(normalize('(W)')).toBe('(w)');
    expect(normalize('[a]')).toBe('[a]');
    expect(normalize('[1]')).toBe(''); // a bare citation is removed wherever it stands
  });
});

describe('numbers and dates', () => {
  it('reads numbers as Python int()/float() do', () => {
    expect(parseNumber('17')).toBe(17);
    expect(parseNumber(' 2.50 ')).toBe(2.5);
    expect(parseNumber('1e3')).toBe(1000);
    expect(parseNumber('-.5')).toBe(-0.5);
    expect(parseNumber('17 years')).toBeNull();
    expect(parseNumber('3,373')).toBeNull();
    expect(parseNumber('nan')).toBeNull();
    expect(parseNumber('inf')).toBeNull();
  });

  it('reads Y-M-D with xx placeholders; a bare year is a number', () => {
    expect(parseDate('1995-01-26')).toEqual([1995, 1, 26]);
    expect(parseDate('xxxx-10-xx')).toEqual([-1, 10, -1]);
    expect(parseDate('1995-13-01')).toBeNull();
    expect(parseDate('2011-02')).toBeNull();
    expect(toValue('1985', '1985-xx-xx')).toMatchObject({ type: 'number', amount: 1985 });
  });

  it('the canonical form types a target, the original string gives its text', () => {
    expect(toValue('17 years', '17.0')).toMatchObject({ type: 'number', amount: 17, normalized: '17 years' });
    expect(toValue('January 26, 1995', '1995-01-26')).toMatchObject({ type: 'date', ymd: [1995, 1, 26] });
    expect(toValue('Draco')).toMatchObject({ type: 'string', normalized: 'draco' });
  });
});

describe('matching a result against the targets', () => {
  it('numbers by value: 2 = 2.0, and 17 matches "17 years" through target_canon', () => {
    expect(matches(['2'], ['2'], [[2.0]])).toBe(true);
    expect(matches(['2.0'], ['2.0'], [[2]])).toBe(true);
    expect(matches(['17 years'], ['17.0'], [[17]])).toBe(true);
    expect(matches(['3,373'], ['3373.0'], [[3373]])).toBe(true);
    expect(matches(['0.2'], ['0.2'], [[0.2000000001]])).toBe(true);
    expect(matches(['17 years'], ['17.0'], [[18]])).toBe(false);
  });

  it('text: case, accents, footnotes and a trailing (…) do not matter', () => {
    expect(matches(['Djurgårdens IF'], ['Djurgårdens IF'], [['djurgardens if[1]']])).toBe(true);
    expect(matches(['Scott Dixon'], ['Scott Dixon'], [['Scott Dixon (W)']])).toBe(true);
    expect(matches(['Granada'], ['Granada'], [['Total']])).toBe(false);
  });

  it('a number or date target also matches the same text', () => {
    expect(matches(['October'], ['xxxx-10-xx'], [['october']])).toBe(true);
    expect(matches(['5th'], ['5.0'], [['5th']])).toBe(true);
    expect(matches(['5th'], ['5.0'], [[5]])).toBe(true);
  });

  it('dates by year, month and day', () => {
    expect(matches(['1 May 1979'], ['1979-05-01'], [['1979-05-01']])).toBe(true);
    expect(matches(['1 May 1979'], ['1979-05-01'], [['1979-05-02']])).toBe(false);
    expect(matches(['February'], ['xxxx-02-xx'], [['2011-02']])).toBe(false);
  });

  it('one column, all its rows: a list in any order, repeated values once', () => {
    const rows = [
      ['Iran', 4],
      ['Malaysia', 4],
      ['Iran', 4],
    ];
    expect(matches(['Malaysia', 'Iran'], ['Malaysia', 'Iran'], rows)).toBe(true);
    expect(matches(['Iran'], ['Iran'], rows)).toBe(false); // Malaysia is one value too many
    expect(matches(['4'], ['4'], rows)).toBe(true); // the second column, deduplicated
    expect(matches(['Iran', 'Malaysia', 'Japan'], undefined, rows)).toBe(false);
  });

  it('a count does not answer a list of names, and no rows answer nothing', () => {
    expect(matches(['Caledonian Canal', 'Union Canal'], undefined, [[2]])).toBe(false);
    expect(matches(['2'], ['2'], [])).toBe(false);
  });

  it('NULL is an empty value, not a match for anything', () => {
    expect(matches(['0'], ['0'], [[null]])).toBe(false);
  });

  it('check_denotation needs as many values as targets', () => {
    const targets = toValueList(['a', 'b']);
    expect(checkDenotation(targets, toValueList(['A', 'B']))).toBe(true);
    expect(checkDenotation(targets, toValueList(['a', 'a', 'b']))).toBe(true);
    expect(checkDenotation(targets, toValueList(['a', 'b', 'c']))).toBe(false);
  });
});

describe('breakdowns', () => {
  it('kinds of questions', () => {
    expect(questionKind('how many golfers are from the united states?')).toBe('count');
    expect(questionKind('did the philippines or kazakhstan have a higher number of total medals?')).toBe(
      'comparison',
    );
    expect(questionKind('how many more seasons was marty brill head coach compared to tom conley?')).toBe(
      'comparison',
    );
    expect(questionKind('how many players scored more than 10 goals?')).toBe('count');
    expect(questionKind('is the fourth movement longer than the first?')).toBe('comparison');
    expect(questionKind('was the game played at home?')).toBe('yes/no');
    expect(questionKind('who was the opponent previous to the south georgia wildcats?')).toBe('adjacent');
    expect(questionKind('what constellation appears last on this table?')).toBe('superlative');
    expect(questionKind('which team scored the fewest goals?')).toBe('superlative');
    expect(questionKind('who is the tallest player?')).toBe('superlative');
    expect(questionKind('what is the total of articles for this chart')).toBe('aggregate');
    expect(questionKind('who were the champions in 1961?')).toBe('lookup');
    expect(questionKind('in the west, the contest was held where?')).toBe('lookup');
    expect(questionKind('quantos jogadores são da frança?')).toBe('count');
  });

  it('refusal causes and words from the engine sentence', () => {
    const notFound = 'I could not find "golfers, listed" among the tables\' columns or values.';
    expect(refusalCause(notFound)).toBe('word not found');
    expect(refusalWords(notFound)).toEqual(['golfers', 'listed']);
    const year = '"1817" refers to dates, but the table has no date column.';
    expect(refusalCause(year)).toBe('date word, no date column');
    expect(refusalWords(year)).toEqual(['1817']);
    const number = 'I could not tell which column the number 35 refers to.';
    expect(refusalCause(number)).toBe('number not tied to a column');
    expect(refusalWords(number)).toEqual(['35']);
    expect(refusalCause('Não encontrei "jogos" nas colunas nem nos valores das tabelas.')).toBe(
      'word not found',
    );
    expect(refusalCause('Something new')).toBe('other');
  });
});
