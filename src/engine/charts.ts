/**
 * Chooses a chart from the shape of a result, by rules (issue 5):
 *   date + number            → line
 *   category + one number    → bar, sorted by value; beyond TOP_N categories → top N-1 + "others"
 *   two numbers              → scatter (a text column, if any, becomes the tooltip)
 *   a single value / no rows → no chart
 * The spec is Vega-Lite v5 with the data inline (at most MAX_RESULT_ROWS rows), titles and axis labels in the
 * question's language.
 */
import type { Lang } from '../errors.js';

export type ChartSpec = Record<string, unknown>;

const TOP_N = 20;
const ISO_TEMPORAL = /^\d{4}(-\d{2}(-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?)?)?$/;

type Kind = 'temporal' | 'quantitative' | 'nominal';

function kindOf(values: unknown[]): Kind {
  const present = values.filter((v) => v !== null && v !== undefined);
  if (present.length === 0) return 'nominal';
  if (present.every((v) => typeof v === 'number')) return 'quantitative';
  if (present.every((v) => typeof v === 'string' && ISO_TEMPORAL.test(v))) return 'temporal';
  return 'nominal';
}

const OTHERS = {
  en: (n: number) => `Others (${n}, summed)`,
  pt: (n: number) => `Outros (${n}, somados)`,
};

export interface ChartInput {
  question: string;
  lang: Lang;
  columns: string[];
  rows: unknown[][];
  /** Human labels of result columns (catalog labels), by column name. */
  labels?: Record<string, string>;
}

export function chooseChart(input: ChartInput): ChartSpec | null {
  const { columns, rows, lang } = input;
  if (rows.length === 0 || columns.length === 0) return null;
  if (rows.length === 1 && columns.length === 1) return null;
  const kinds = columns.map((_, i) => kindOf(rows.map((row) => row[i])));
  const title = (name: string) => input.labels?.[name] ?? name.replace(/_/g, ' ');
  const numeric = kinds.flatMap((k, i) => (k === 'quantitative' ? [i] : []));
  const temporal = kinds.indexOf('temporal');
  const nominal = kinds.indexOf('nominal');
  const base = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: input.question.length > 90 ? `${input.question.slice(0, 87)}…` : input.question,
    width: 'container',
  };
  const records = (indexes: number[], data = rows) =>
    data.map((row) => Object.fromEntries(indexes.map((i) => [columns[i]!, row[i] ?? null])));

  if (temporal !== -1 && numeric.length >= 1 && rows.length >= 2) {
    const y = numeric[0]!;
    const series = nominal !== -1 ? nominal : -1;
    return {
      ...base,
      data: { values: records([temporal, y, ...(series !== -1 ? [series] : [])]) },
      mark: { type: 'line', point: rows.length <= 60, tooltip: true },
      encoding: {
        x: { field: columns[temporal], type: 'temporal', title: title(columns[temporal]!) },
        y: { field: columns[y], type: 'quantitative', title: title(columns[y]!) },
        ...(series !== -1
          ? { color: { field: columns[series], type: 'nominal', title: title(columns[series]!) } }
          : {}),
      },
    };
  }

  if (nominal !== -1 && numeric.length === 1 && rows.length >= 2) {
    const y = numeric[0]!;
    let data = records([nominal, y]);
    const category = columns[nominal]!;
    const value = columns[y]!;
    if (data.length > TOP_N) {
      const sorted = [...data].sort((a, b) => Number(b[value] ?? 0) - Number(a[value] ?? 0));
      const rest = sorted.slice(TOP_N - 1);
      const restSum = rest.reduce((sum, r) => sum + Number(r[value] ?? 0), 0);
      data = [...sorted.slice(0, TOP_N - 1), { [category]: OTHERS[lang](rest.length), [value]: restSum }];
    }
    return {
      ...base,
      data: { values: data },
      mark: { type: 'bar', tooltip: true },
      encoding: {
        y: { field: category, type: 'nominal', sort: '-x', title: title(category) },
        x: { field: value, type: 'quantitative', title: title(value) },
      },
    };
  }

  if (numeric.length >= 2 && rows.length >= 2) {
    const [x, y] = numeric as [number, number];
    const label = nominal !== -1 ? [nominal] : [];
    return {
      ...base,
      data: { values: records([x, y, ...label]) },
      mark: { type: 'point', tooltip: true },
      encoding: {
        x: { field: columns[x], type: 'quantitative', title: title(columns[x]!) },
        y: { field: columns[y], type: 'quantitative', title: title(columns[y]!) },
        ...(label.length
          ? { tooltip: [{ field: columns[nominal] }, { field: columns[x] }, { field: columns[y] }] }
          : {}),
      },
    };
  }

  // Lists of names or dates, several numbers in one row: a table reads better than any chart.
  return null;
}
