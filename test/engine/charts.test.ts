import { describe, expect, it } from 'vitest';
import { chooseChart } from '../../src/engine/charts.js';

const base = { question: 'q', lang: 'en' as const };

describe('chooseChart', () => {
  it('no chart for a single value or no rows', () => {
    expect(chooseChart({ ...base, columns: ['n'], rows: [[42]] })).toBeNull();
    expect(chooseChart({ ...base, columns: ['a', 'b'], rows: [] })).toBeNull();
  });

  it('date + number → line over time', () => {
    const spec = chooseChart({
      ...base,
      columns: ['year', 'total'],
      rows: [
        ['2012', 10],
        ['2013', 12],
      ],
    })!;
    expect(spec.mark).toMatchObject({ type: 'line' });
    expect(spec.encoding).toMatchObject({ x: { field: 'year', type: 'temporal' }, y: { field: 'total' } });
  });

  it('category + number → bar sorted by value, with labels as axis titles', () => {
    const spec = chooseChart({
      ...base,
      columns: ['regiao', 'avg'],
      rows: [
        ['Sul', 1],
        ['Norte', 3],
      ],
      labels: { regiao: 'Região' },
    })!;
    expect(spec.mark).toMatchObject({ type: 'bar' });
    expect(spec.encoding).toMatchObject({
      y: { field: 'regiao', sort: '-x', title: 'Região' },
      x: { field: 'avg' },
    });
  });

  it('many categories → top 19 + others (summed), titled in the question language', () => {
    const rows = Array.from({ length: 30 }, (_, i) => [`c${i}`, i + 1]);
    const spec = chooseChart({
      question: 'Total por produto',
      lang: 'pt',
      columns: ['produto', 'total'],
      rows,
    })!;
    const values = (spec.data as { values: Record<string, unknown>[] }).values;
    expect(values).toHaveLength(20);
    expect(values[0]).toEqual({ produto: 'c29', total: 30 });
    const others = values[19]!;
    expect(others.produto).toBe('Outros (11, somados)');
    expect(others.total).toBe(66); // 1 + … + 11
    expect(spec.title).toBe('Total por produto');
  });

  it('two numbers → scatter with the text column as tooltip', () => {
    const spec = chooseChart({
      ...base,
      columns: ['country', 'income', 'health'],
      rows: [
        ['A', 1, 2],
        ['B', 3, 4],
      ],
    })!;
    expect(spec.mark).toMatchObject({ type: 'point' });
    expect(spec.encoding).toMatchObject({ x: { field: 'income' }, y: { field: 'health' } });
  });

  it('a list of names only → no chart', () => {
    expect(chooseChart({ ...base, columns: ['name'], rows: [['a'], ['b']] })).toBeNull();
  });
});
