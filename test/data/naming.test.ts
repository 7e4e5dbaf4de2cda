import { describe, expect, it } from 'vitest';
import { columnNames, tableNameFromFile, uniqueName, validateUserTableName } from '../../src/data/naming.js';
import { AppError } from '../../src/errors.js';

describe('naming contract', () => {
  it('normalizes table names from file names', () => {
    expect(tableNameFromFile('seattle-weather.csv')).toBe('seattle_weather');
    expect(tableNameFromFile('Vendas 2023.csv')).toBe('vendas_2023');
    expect(tableNameFromFile('dir/Relatório Único.csv.gz')).toBe('relatorio_unico');
    expect(tableNameFromFile('2023 vendas.tsv')).toBe('t_2023_vendas');
    expect(tableNameFromFile('???.csv')).toBe('table');
    expect(tableNameFromFile('book.xlsx', 'Plan 1')).toBe('book_plan_1');
  });

  it('normalizes column names and keeps them unique', () => {
    expect(
      columnNames(['Preço Unitário', 'Data do Pedido', 'Região', '', 'Região', '1º lugar', 'rowid']),
    ).toEqual(['preco_unitario', 'data_do_pedido', 'regiao', 'column_4', 'regiao_2', 'c_1o_lugar', 'rowid_']);
  });

  it('numbers clashes', () => {
    expect(uniqueName('vendas', ['vendas'])).toBe('vendas_2');
    expect(uniqueName('vendas', ['VENDAS', 'vendas_2'])).toBe('vendas_3');
  });

  it('validates user-chosen names', () => {
    expect(validateUserTableName('Minhas Vendas')).toBe('minhas_vendas');
    for (const bad of [
      '../../x',
      'a/b',
      'sqlite_master',
      'SQLITE_x',
      '_agentgraph_catalog',
      '',
      'x'.repeat(65),
    ]) {
      expect(() => validateUserTableName(bad)).toThrow(AppError);
    }
  });
});
