import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { type ChartSpec, chooseChart } from '../../src/engine/charts.js';

type SceneItem = { width?: number; x?: number; y?: number; text?: string; tooltip?: Record<string, string> };
type SceneNode = { marktype?: string; role?: string; items?: (SceneNode & SceneItem)[] };

/** Renders a spec with the real Vega-Lite and Vega (no canvas) and returns the items of one mark type and role. */
async function render(spec: ChartSpec, marktype: string, role = 'mark'): Promise<SceneItem[]> {
  const view = new vega.View(vega.parse(vegaLite.compile(spec as never).spec), { renderer: 'none' });
  await view.runAsync();
  const found: SceneItem[] = [];
  const walk = (node: SceneNode) => {
    if (node.marktype === marktype && node.role === role) found.push(...(node.items ?? []));
    for (const child of node.items ?? []) walk(child);
  };
  walk((view.scenegraph() as unknown as { root: SceneNode }).root);
  view.finalize();
  return found;
}

/** What a person reads: the zero-width space that keeps Vega working is invisible. */
const visible = (text: string | undefined) => text?.replace(/\u200b/g, '');

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
      labels: new Map([['regiao', 'Região']]),
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

  /** A text column and two numbers, two rows. */
  const scatterOf = (columns: string[]) =>
    chooseChart({
      ...base,
      columns,
      rows: [
        ['A', 1, 2],
        ['B', 3, 4],
      ],
    })!;

  it('two numbers → scatter with the text column as tooltip', () => {
    const spec = scatterOf(['country', 'income', 'health']);
    expect(spec.mark).toMatchObject({ type: 'point' });
    expect(spec.encoding).toMatchObject({ x: { field: 'income' }, y: { field: 'health' } });
  });

  it('a list of names only → no chart', () => {
    expect(chooseChart({ ...base, columns: ['name'], rows: [['a'], ['b']] })).toBeNull();
  });

  // Issue 12: `SELECT s.region, SUM(s.amount) … GROUP BY 1` names its columns with a dot, which Vega-Lite read as a
  // path (0 bars); quotes and backslashes broke its tooltip expressions, `constructor` broke Vega itself.
  const HOSTILE_NAMES = [
    's.region',
    'SUM(s.amount)',
    'a[0]',
    'b]',
    'total sales',
    `it's "quoted"`,
    'back\\slash',
    '"lead',
    '\\.',
    'constructor',
    '__proto__',
    'toString',
    'valueOf',
    'hasOwnProperty',
  ];

  it.each(HOSTILE_NAMES)('a bar chart over a column named %j draws every bar', async (name) => {
    const spec = chooseChart({
      question: name,
      lang: 'en',
      columns: [name, `${name} value`],
      rows: [
        ['North', 3],
        ['South', 5],
        ['East', 4],
      ],
    })!;
    expect(spec.mark).toMatchObject({ type: 'bar' });
    const bars = await render(spec, 'rect');
    expect(bars).toHaveLength(3);
    for (const bar of bars) expect(bar.width).toBeGreaterThan(0);
    expect(new Set(bars.map((bar) => Math.round(bar.width!))).size).toBe(3); // three values, three lengths
    expect(bars.map((bar) => Object.values(bar.tooltip ?? {}).sort())).toEqual([
      ['3', 'North'],
      ['5', 'South'],
      ['4', 'East'],
    ]);
    // Axis titles name the real column (underscores read as spaces), whatever the data key became.
    const titles = (await render(spec, 'text', 'axis-title')).map((t) => visible(t.text));
    const shown = name.replace(/_/g, ' ');
    expect(titles.sort()).toEqual([shown, `${shown} value`].sort());
  });

  it('a line chart and a scatter over dotted names draw their points', async () => {
    const line = chooseChart({
      ...base,
      columns: ['o.order_date', 'SUM(o.total)'],
      rows: [
        ['2024-01-01', 1],
        ['2024-02-01', 3],
        ['2024-03-01', 2],
      ],
    })!;
    expect(line.mark).toMatchObject({ type: 'line' });
    const points = await render(line, 'symbol');
    expect(points).toHaveLength(3);
    expect(new Set(points.map((p) => p.y)).size).toBe(3); // three different heights: the values were read

    const scatter = scatterOf(['c.name', 'c.income', 'c.health']);
    expect(scatter.mark).toMatchObject({ type: 'point' });
    const dots = await render(scatter, 'symbol');
    expect(dots.map((d) => d.tooltip)).toEqual([
      { 'c.name': 'A', 'c.income': '1', 'c.health': '2' },
      { 'c.name': 'B', 'c.income': '3', 'c.health': '4' },
    ]);
  });

  it('plain names stay the data keys; two columns with one name get two keys', () => {
    const spec = chooseChart({
      ...base,
      columns: ['region', 'region'],
      rows: [
        ['North', 1],
        ['South', 2],
      ],
    })!;
    expect(spec.encoding).toMatchObject({ y: { field: 'region' }, x: { field: 'region_' } });
    expect((spec.data as { values: unknown[] }).values[0]).toEqual({ region: 'North', region_: 1 });
  });
});
