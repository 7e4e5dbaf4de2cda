/** The answer sentence: in the question's language, stating the result plainly. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeResult, interpret } from '../../src/builtin/index.js';
import { createFixture, type Fixture } from './fixtures.js';
import { lojasSpec, sensorsSpec } from './tables.js';

let fx: Fixture;
beforeAll(() => {
  fx = createFixture([lojasSpec(), sensorsSpec()]);
});
afterAll(() => fx.close());

function answer(q: string): string {
  const r = interpret(q, fx.catalog);
  if (r.kind !== 'sql') throw new Error(`refused "${q}": ${r.reason}`);
  const stmt = fx.db.prepare(r.sql);
  const rows = stmt.raw().all() as unknown[][];
  return describeResult(r, { columns: stmt.columns().map((c) => c.name), rows });
}

describe('describeResult', () => {
  it('pt scalar, with the Brazilian number format', () => {
    const text = answer('Qual o preço médio?');
    expect(text).toMatch(/^A média de preço é \d{1,3}(\.\d{3})*,\d{1,2}\.$/);
  });

  it('en scalar', () => {
    expect(answer('What is the average temperature?')).toMatch(
      /^The average temperature \(C\) is -?\d+(\.\d+)?\.$/,
    );
  });

  it('percentages carry their unit', () => {
    expect(answer('Qual a porcentagem de vendas da loja Centro?')).toMatch(
      /^A porcentagem de registros com loja = Centro é \d{1,3}(,\d{1,2})?%\.$/,
    );
    expect(answer('Percentage of readings by status')).toMatch(
      /^The percentage of rows by status is: \S+: \d{1,3}(\.\d{1,2})?%; /,
    );
  });

  it('a comparison of a per-group aggregate is stated with the groups it kept', () => {
    expect(answer('Quais lojas têm mais de 56 vendas?')).toBe(
      'O número de registros por loja (número de registros acima de 56) é: Aeroporto: 71; Shopping Norte: 58.',
    );
  });

  it('median, pt and en', () => {
    expect(answer('Qual a mediana do preço?')).toMatch(/^A mediana de preço é \d{1,3}(\.\d{3})*,\d{1,2}\.$/);
    expect(answer('What is the median temperature?')).toMatch(
      /^The median temperature \(C\) is -?\d+(\.\d+)?\.$/,
    );
  });

  it('standard deviation, pt and en', () => {
    expect(answer('Qual o desvio padrão do preço?')).toMatch(
      /^O desvio padrão de preço é \d{1,3}(\.\d{3})*,\d{1,2}\.$/,
    );
    expect(answer('What is the standard deviation of the temperature?')).toMatch(
      /^The standard deviation of temperature \(C\) is \d+(\.\d+)?\.$/,
    );
  });

  it('pt grouped names the grouping and lists the groups', () => {
    const text = answer('Qual o preço médio por loja?');
    expect(text.startsWith('A média de preço por loja é: ')).toBe(true);
    expect(text).toContain('Centro: ');
  });

  it('en ranking says highest/lowest', () => {
    expect(answer('Which sensor has the highest average humidity?')).toMatch(
      /^Sensor with the highest average humidity: \S+ \(/,
    );
    expect(answer('Quais os 2 vendedores com menor quantidade vendida?')).toMatch(
      /^Vendedor com menor total de quantidade: 1\. /,
    );
  });

  it('several aggregates in one sentence', () => {
    expect(answer('What are the minimum and maximum humidity?')).toMatch(
      /^The minimum humidity is [\d.]+; the maximum humidity is [\d.]+\.$/,
    );
  });

  it('several aggregates per group: one value each, in order', () => {
    expect(answer('Qual o preço mínimo e máximo por loja?')).toMatch(
      /^O mínimo de preço e o máximo de preço por loja são: Aeroporto: [\d.,]+ \/ [\d.,]+; Centro: /,
    );
    expect(answer('average and max temperature by sensor')).toMatch(
      /^The average temperature \(C\) and the maximum temperature \(C\) by sensor are: garage: [\d.]+ \/ [\d.]+; /,
    );
  });

  it('counts with conditions', () => {
    expect(answer('How many readings have status fault?')).toMatch(
      /^The number of rows \(status = fault\) is \d+\.$/,
    );
  });

  it('empty results and empty aggregates are said plainly', () => {
    const r = interpret('Qual o preço médio na loja Centro em 1990?', fx.catalog);
    expect(r.kind).toBe('sql');
    if (r.kind !== 'sql') return;
    expect(describeResult(r, { columns: ['avg'], rows: [[null]] })).toContain('Não há valores');
    expect(describeResult(r.answerTemplate, { columns: [], rows: [] })).toContain('Nenhum registro');
  });
});
