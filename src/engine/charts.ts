/**
 * Chooses a chart from the shape of a result, by rules (issue 5):
 *   date + number            → line
 *   category + one number    → bar, sorted by value; beyond TOP_N categories → top N-1 + "others"
 *   two numbers              → scatter (a text column, if any, becomes the tooltip)
 *   a single value / no rows → no chart
 * The spec is Vega-Lite v5 with the data inline (at most MAX_RESULT_ROWS rows), titles and axis labels in the
 * question's language.
 *
 * Data keys are not always the column names: Vega-Lite reads `.`, `[`, `]`, quotes and backslashes in a field as
 * an access path (`s.region` from `SELECT s.region …` drew 0 bars, issue 12), its escaping breaks on quotes inside
 * tooltips, and Vega itself fails on a field called `constructor`. A name that is a plain identifier is kept; any
 * other becomes `col_N`, and every encoding carries the real name (or label) as its title.
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
  labels?: ReadonlyMap<string, string>;
}

const PLAIN_FIELD = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Vega looks text up in plain objects: a chart or axis title that is exactly `constructor`, `toString`… fails the
 * whole chart ("Operator not defined"). A zero-width space after it changes nothing on screen.
 */
function safeText(text: string): string {
  return text in Object.prototype ? `${text}\u200b` : text;
}

/** One data key per column: its own name when Vega reads it as-is and it is not taken, else `col_N`. */
function dataKeys(columns: string[]): string[] {
  const used = new Set<string>();
  return columns.map((name, i) => {
    let key = PLAIN_FIELD.test(name) && !(name in Object.prototype) ? name : `col_${i + 1}`;
    while (used.has(key)) key = `${key}_`;
    used.add(key);
    return key;
  });
}

export function chooseChart(input: ChartInput): ChartSpec | null {
  const { columns, rows, lang } = input;
  if (rows.length === 0 || columns.length === 0) return null;
  if (rows.length === 1 && columns.length === 1) return null;
  const kinds = columns.map((_, i) => kindOf(rows.map((row) => row[i])));
  const keys = dataKeys(columns);
  const title = (i: number) => safeText(input.labels?.get(columns[i]!) ?? columns[i]!.replace(/_/g, ' '));
  const field = (i: number) => ({ field: keys[i]!, title: title(i) });
  const numeric = kinds.flatMap((k, i) => (k === 'quantitative' ? [i] : []));
  const temporal = kinds.indexOf('temporal');
  const nominal = kinds.indexOf('nominal');
  const base = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: safeText(input.question.length > 90 ? `${input.question.slice(0, 87)}…` : input.question),
    width: 'container',
  };
  const records = (indexes: number[], data = rows) =>
    data.map((row) => Object.fromEntries(indexes.map((i) => [keys[i]!, row[i] ?? null])));

  if (temporal !== -1 && numeric.length >= 1 && rows.length >= 2) {
    const y = numeric[0]!;
    const series = nominal !== -1 ? nominal : -1;
    return {
      ...base,
      data: { values: records([temporal, y, ...(series !== -1 ? [series] : [])]) },
      mark: { type: 'line', point: rows.length <= 60, tooltip: true },
      encoding: {
        x: { ...field(temporal), type: 'temporal' },
        y: { ...field(y), type: 'quantitative' },
        ...(series !== -1 ? { color: { ...field(series), type: 'nominal' } } : {}),
      },
    };
  }

  if (nominal !== -1 && numeric.length === 1 && rows.length >= 2) {
    const y = numeric[0]!;
    let data = records([nominal, y]);
    const category = keys[nominal]!;
    const value = keys[y]!;
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
        y: { ...field(nominal), type: 'nominal', sort: '-x' },
        x: { ...field(y), type: 'quantitative' },
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
        x: { ...field(x), type: 'quantitative' },
        y: { ...field(y), type: 'quantitative' },
        ...(label.length
          ? {
              tooltip: [
                field(nominal),
                { ...field(x), type: 'quantitative' },
                { ...field(y), type: 'quantitative' },
              ],
            }
          : {}),
      },
    };
  }

  // Lists of names or dates, several numbers in one row: a table reads better than any chart.
  return null;
}
