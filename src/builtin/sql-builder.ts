/**
 * Intent → one SQLite SELECT. Identifiers are always double-quoted (embedded quotes doubled) and literals are
 * inlined escaped (single quotes doubled, numbers only when finite), so the statement is safe to show, copy and run
 * as it is; nothing from the question reaches the SQL except through quoteLiteral.
 */
import type { ColumnCatalog, TableCatalog } from '../data/catalog-types.js';
import { isNumericText, isTimeText, namedAsPlace } from './column-roles.js';
import { outcomeCellWords } from './outcome.js';
import { quoteIdent, quoteLiteral } from './sql-quote.js';
import { excludeSummaryRows, rowOrder } from './table-rows.js';
import type { Agg, Bucket, Filter, GroupKey, Intent } from './types.js';

export { quoteIdent, quoteLiteral };

const BUCKET_FORMAT: Record<Bucket, string> = {
  year: '%Y',
  month: '%Y-%m',
  day: '%Y-%m-%d',
  week: '%Y-W%W',
  hour: '%H',
  weekday: '%w',
};

export function groupExpr(g: GroupKey): string {
  const col = quoteIdent(g.column.name);
  if (!g.bucket) return col;
  if (g.bucket === 'day') return `date(${col})`;
  return `strftime('${BUCKET_FORMAT[g.bucket]}', ${col})`;
}

/**
 * A column as a number: itself, or — for amounts written as text ("14,375 ft", "N/A") — the number each cell starts
 * with, NULL when it starts with none.
 */
export function numberOf(c: ColumnCatalog): string {
  const col = quoteIdent(c.name);
  if (isTimeText(c)) return secondsOf(col);
  // A place written as text with "Ret" or "DNF" among the numbers: the number, where there is one.
  if (c.type === 'text' && namedAsPlace(c) && !isNumericText(c))
    return `(CASE WHEN trim(${col}) GLOB '[0-9]*' THEN CAST(trim(${col}) AS INTEGER) END)`;
  if (!isNumericText(c)) return col;
  const cell = `replace(ltrim(${col}, ' $£€'), ',', '')`;
  return `(CASE WHEN ${cell} GLOB '[0-9]*' OR ${cell} GLOB '.[0-9]*' THEN CAST(${cell} AS REAL) END)`;
}

/**
 * A time written as text, in seconds: "h:mm:ss" (two colons), "m:ss.xx" (one), or seconds alone; NULL for "DNF".
 */
function secondsOf(col: string): string {
  const x = `trim(${col})`;
  const colons = `(length(${x}) - length(replace(${x}, ':', '')))`;
  const rest = `substr(${x}, instr(${x}, ':') + 1)`;
  const hms = `(CAST(${x} AS INTEGER) * 3600 + CAST(${rest} AS INTEGER) * 60 + CAST(substr(${rest}, instr(${rest}, ':') + 1) AS REAL))`;
  const ms = `(CAST(${x} AS INTEGER) * 60 + CAST(${rest} AS REAL))`;
  // Seconds alone ("55.14") have at most one dot: "40.14.4" is a mistyped time, no number.
  const dots = `(length(${x}) - length(replace(${x}, '.', '')))`;
  return `(CASE WHEN ${x} NOT GLOB '[0-9]*' THEN NULL WHEN ${colons} = 2 THEN ${hms} WHEN ${colons} = 1 THEN ${ms} WHEN ${dots} <= 1 THEN CAST(${x} AS REAL) END)`;
}

function aggExpr(agg: Agg, measure: ColumnCatalog | undefined, bucket?: Bucket): string {
  if (agg === 'count' || !measure) return 'COUNT(*)';
  const target = bucket
    ? groupExpr({ column: measure, bucket })
    : agg === 'count_distinct'
      ? quoteIdent(measure.name)
      : numberOf(measure);
  switch (agg) {
    case 'count_distinct':
      return `COUNT(DISTINCT ${target})`;
    case 'sum':
      return `SUM(${target})`;
    case 'avg':
      return `AVG(${target})`;
    case 'median':
      return `MEDIAN(${target})`;
    case 'stddev':
      return stddevExpr(measure);
    case 'percent':
      throw new Error('percentages are built by percentValue');
    case 'min':
      return `MIN(${target})`;
    case 'max':
      return `MAX(${target})`;
  }
}

/**
 * The sample standard deviation (divisor n − 1, as STDEV / DESVPAD in spreadsheets and `std` in pandas): SQLite has
 * no STDDEV. Two passes, over each value's deviation from the mean of its own group (see source), because the one-pass
 * AVG(x²) − AVG(x)² cancels to nothing when values are large next to their spread. NULL for fewer than two values.
 */
function stddevExpr(measure: ColumnCatalog): string {
  const d = quoteIdent(deviationName(measure));
  return `sqrt(SUM(${d} * ${d}) / (COUNT(${d}) - 1))`;
}

/** The column holding `measure`'s deviation from its group's mean (spaces: never an imported column's name). */
function deviationName(measure: ColumnCatalog): string {
  return `${measure.name} - avg`;
}

function aggAlias(agg: Agg, measure: ColumnCatalog | undefined): string {
  if (agg === 'count' || !measure) return 'count';
  const prefix = {
    count_distinct: 'distinct',
    sum: 'total',
    avg: 'avg',
    median: 'median',
    stddev: 'stddev',
    min: 'min',
    max: 'max',
    percent: 'percent',
  }[agg];
  return `${prefix}_${measure.name}`;
}

function groupAlias(g: GroupKey): string {
  return g.bucket && g.bucket !== 'day' ? g.bucket : g.column.name;
}

function filterSql(f: Filter): string {
  const col = quoteIdent(f.column.name);
  switch (f.kind) {
    case 'eq': {
      const test =
        f.values.length === 1
          ? `${col} ${f.negate ? '<>' : '='} ${quoteLiteral(f.values[0]!)}`
          : `${col} ${f.negate ? 'NOT IN' : 'IN'} (${f.values.map(quoteLiteral).join(', ')})`;
      // "não são de Recife", "not ok": a row with no value is not that value either (SQL's <> would drop it).
      return f.negate ? `(${col} IS NULL OR ${test})` : test;
    }
    case 'cmp':
      return `${numberOf(f.column)} ${f.op} ${quoteLiteral(f.value)}`;
    case 'between':
      return `${numberOf(f.column)} BETWEEN ${quoteLiteral(f.low)} AND ${quoteLiteral(f.high)}`;
    case 'datepart':
      return `strftime('${f.format}', ${col}) ${f.op} ${quoteLiteral(f.value)}`;
    case 'datebetween':
      return `strftime('${f.format}', ${col}) BETWEEN ${quoteLiteral(f.low)} AND ${quoteLiteral(f.high)}`;
    case 'null':
      if (f.column.type === 'text')
        return f.negate ? `(${col} IS NOT NULL AND ${col} <> '')` : `(${col} IS NULL OR ${col} = '')`;
      if (f.orZero)
        return f.negate ? `(${col} IS NOT NULL AND ${col} <> 0)` : `(${col} IS NULL OR ${col} = 0)`;
      return `${col} IS ${f.negate ? 'NOT ' : ''}NULL`;
    case 'like':
      return `${col} = ${quoteLiteral(f.value)} COLLATE NOCASE`;
    case 'anyOf': {
      const list = f.values.map(quoteLiteral).join(', ');
      return `(${f.columns.map((c) => `${quoteIdent(c.name)} IN (${list})`).join(' OR ')})`;
    }
    case 'textYear':
      if (f.op === '=') return `instr(${col}, ${quoteLiteral(String(f.value))}) > 0`;
      return `(CAST(${col} AS INTEGER) > 0 AND CAST(${col} AS INTEGER) ${f.op} ${quoteLiteral(f.value)})`;
    case 'textDate':
      return textDateSql(col, f);
    case 'outcome': {
      // The cell's first word: the whole cell, or followed by anything but a letter ("W 29–17", "L–OT").
      const x = `lower(trim(${col}))`;
      const words = outcomeCellWords(f.lang, f.outcome).flatMap((w) => [
        w,
        ...(w === 'vitoria' ? ['vitória'] : []),
      ]);
      return `(${words.map((w) => `${x} = '${w}' OR ${x} GLOB '${w}[^a-z]*'`).join(' OR ')})`;
    }
    case 'same':
      return `${col} = (SELECT ${f.from ? quoteIdent(f.from.name) : col} FROM ${quoteIdent(f.table)} WHERE ${f.anchor.map(filterSql).join(' AND ')} LIMIT 1)`;
    case 'vsRow':
      return `${col} ${f.op} (SELECT ${col} FROM ${quoteIdent(f.table)} WHERE ${f.anchor.map(filterSql).join(' AND ')} LIMIT 1)`;
  }
}

/** Three-letter starts of month names, English and Portuguese, by month number. */
const MONTH_STARTS: readonly string[][] = [
  [],
  ['jan'],
  ['feb', 'fev'],
  ['mar'],
  ['apr', 'abr'],
  ['may', 'mai'],
  ['jun'],
  ['jul'],
  ['aug', 'ago'],
  ['sep', 'set'],
  ['oct', 'out'],
  ['nov'],
  ['dec', 'dez'],
];

/**
 * The cells of a text date column that name the month (as a word starting with its three letters), and the day and
 * year when given (as words of their own): punctuation is blanked so "Feb. 28, 1941" reads " feb 28 1941 ".
 */
function textDateSql(col: string, f: Filter & { kind: 'textDate' }): string {
  const words = `(' ' || replace(replace(replace(replace(lower(${col}), ',', ' '), '.', ' '), '-', ' '), '/', ' ') || ' ')`;
  const month = MONTH_STARTS[f.month]!.map((m) => `instr(${words}, ' ${m}') > 0`).join(' OR ');
  const parts = [`(${month})`];
  if (f.day !== undefined)
    parts.push(
      `(instr(${words}, ' ${f.day} ') > 0 OR instr(${words}, ' ${String(f.day).padStart(2, '0')} ') > 0 OR instr(${words}, ' ${f.day}th ') > 0)`,
    );
  if (f.year !== undefined) parts.push(`instr(${words}, ' ${f.year} ') > 0`);
  return `(${parts.join(' AND ')})`;
}

/**
 * A percentage, rounded to 2 decimals: of the rows meeting `share` (a row where the condition is unknown does not
 * meet it, as in WHERE), or else of the grouped total: COUNT(*) or SUM(measure) over the sum of all groups'.
 */
function percentValue(share: Filter | undefined, measure: ColumnCatalog | undefined): string {
  if (share) return `ROUND(100.0 * AVG(CASE WHEN ${filterSql(share)} THEN 1 ELSE 0 END), 2)`;
  const part = measure ? `SUM(${numberOf(measure)})` : 'COUNT(*)';
  return `ROUND(100.0 * ${part} / SUM(${part}) OVER (), 2)`;
}

/** ` WHERE …`: the filters, any extra conditions, and always the exclusion of the table's summary rows. */
function where(table: TableCatalog, filters: Filter[], extra: string[] = []): string {
  const summary = excludeSummaryRows(table);
  const parts = [...filters.map(filterSql), ...extra, ...(summary ? [summary] : [])];
  return parts.length > 0 ? ` WHERE ${parts.join(' AND ')}` : '';
}

/** The rowid of the first (or last) row meeting the anchor's conditions. */
function anchorRow(
  table: TableCatalog,
  anchor: Filter[],
  edge: 'MIN' | 'MAX',
  order = rowOrder(table),
): string {
  return `(SELECT ${edge}(${order}) FROM ${quoteIdent(table.name)}${where(table, anchor)})`;
}

/** The measures whose standard deviation the intent asks for (in its value, beside it, or in its HAVING). */
function deviationMeasures(intent: Intent): ColumnCatalog[] {
  const asked: Array<[Agg, ColumnCatalog | undefined]> = [];
  if (intent.shape === 'aggregate') {
    asked.push(
      [intent.agg, intent.measure],
      ...(intent.more ?? []).map((a): [Agg, ColumnCatalog | undefined] => [a, intent.measure]),
    );
    if (intent.having) asked.push([intent.having.agg, intent.having.measure]);
  } else if (intent.shape === 'ranking') asked.push([intent.agg, intent.measure]);
  const out: ColumnCatalog[] = [];
  for (const [agg, m] of asked) if (agg === 'stddev' && m && !out.includes(m)) out.push(m);
  return out;
}

/**
 * ` FROM … WHERE …`. For a standard deviation, the filtered rows come with each measure's deviation from the mean of
 * their group (a window over the same grouping), under the table's own name, so the rest of the statement is as usual.
 */
function source(intent: Intent, groups: GroupKey[], extra: string[] = []): string {
  const table = quoteIdent(intent.table.name);
  const rows = `${table}${where(intent.table, intent.filters, extra)}`;
  const measures = deviationMeasures(intent);
  if (measures.length === 0) return ` FROM ${rows}`;
  const over = groups.length > 0 ? `OVER (PARTITION BY ${groups.map(groupExpr).join(', ')})` : 'OVER ()';
  const deviations = measures.map((m) => {
    const x = quoteIdent(m.name);
    return `${x} - AVG(${x}) ${over} AS ${quoteIdent(deviationName(m))}`;
  });
  return ` FROM (SELECT *, ${deviations.join(', ')} FROM ${rows}) AS ${table}`;
}

export function buildSql(intent: Intent): string {
  const from = ` FROM ${quoteIdent(intent.table.name)}`;
  switch (intent.shape) {
    case 'aggregate': {
      const value =
        intent.agg === 'percent'
          ? `${percentValue(intent.share, intent.measure)} AS "percent"`
          : intent.plus
            ? `${[intent.measure, ...intent.plus].map((c) => `COALESCE(${aggExpr('sum', c)}, 0)`).join(' + ')} AS "total"`
            : `${aggExpr(intent.agg, intent.measure, intent.measureBucket)} AS ${quoteIdent(aggAlias(intent.agg, intent.measure))}`;
      // Several aggregates of the measure, side by side ("mínimo, médio e máximo").
      const values = [
        value,
        ...(intent.more ?? []).map(
          (a) => `${aggExpr(a, intent.measure)} AS ${quoteIdent(aggAlias(a, intent.measure))}`,
        ),
      ].join(', ');
      if (!intent.group) return `SELECT ${values}${source(intent, [])}`;
      const g = `${groupExpr(intent.group)} AS ${quoteIdent(groupAlias(intent.group))}`;
      if (intent.group2) {
        const g2 = `${groupExpr(intent.group2)} AS ${quoteIdent(groupAlias(intent.group2))}`;
        return `SELECT ${g}, ${g2}, ${values}${source(intent, [intent.group, intent.group2])} GROUP BY 1, 2 ORDER BY 1, 2`;
      }
      const having = intent.having
        ? ` HAVING ${aggExpr(intent.having.agg, intent.having.measure)} ${intent.having.op} ${quoteLiteral(intent.having.value)}`
        : '';
      return `SELECT ${g}, ${values}${source(intent, [intent.group])} GROUP BY 1${having} ORDER BY 1`;
    }
    case 'ranking': {
      const g = groupExpr(intent.group);
      const value = `${aggExpr(intent.agg, intent.measure)} AS ${quoteIdent(aggAlias(intent.agg, intent.measure))}`;
      // Rows without a group key or a measure would rank as NULL groups: they answer nothing.
      const extra = [`${g} IS NOT NULL`];
      if (intent.measure && intent.agg !== 'count') extra.push(`${numberOf(intent.measure)} IS NOT NULL`);
      // A group of one value has no standard deviation (NULL), which would rank first in ascending order.
      const having =
        intent.agg === 'stddev' && intent.measure
          ? ` HAVING COUNT(${quoteIdent(intent.measure.name)}) > 1`
          : '';
      const grouped = `SELECT ${g} AS ${quoteIdent(groupAlias(intent.group))}, ${value}${source(intent, [intent.group], extra)} GROUP BY 1${having}`;
      if (intent.limit > 1) return `${grouped} ORDER BY 2 ${intent.dir.toUpperCase()} LIMIT ${intent.limit}`;
      // The single top group: every group tied at the top, not an arbitrary one of them.
      const v = quoteIdent(aggAlias(intent.agg, intent.measure));
      const edge = `(SELECT ${intent.dir === 'desc' ? 'MAX' : 'MIN'}(${v}) FROM (${grouped}))`;
      return `SELECT * FROM (${grouped}) WHERE ${v} = ${edge} ORDER BY 1`;
    }
    case 'toprows': {
      const cols = [...(intent.entity ? [intent.entity] : []), ...intent.extra];
      const unique = cols.filter((c, i) => cols.indexOf(c) === i);
      const select = unique.length > 0 ? unique.map((c) => quoteIdent(c.name)).join(', ') : '*';
      const o = numberOf(intent.orderBy);
      if (intent.limit === 1 && intent.entity) {
        // "which X has the highest Y": every X tied at the top, not an arbitrary one of them.
        const edge = `(SELECT ${intent.dir === 'desc' ? 'MAX' : 'MIN'}(${o}) FROM ${quoteIdent(intent.table.name)}${where(intent.table, intent.filters)})`;
        return `SELECT ${select}${from}${where(intent.table, intent.filters, [`${o} = ${edge}`])}`;
      }
      return `SELECT ${select}${from}${where(intent.table, intent.filters, [`${o} IS NOT NULL`])} ORDER BY ${o} ${intent.dir.toUpperCase()} LIMIT ${intent.limit}`;
    }
    case 'position': {
      const order = rowOrder(intent.table);
      const offset = intent.offset > 0 ? ` OFFSET ${intent.offset}` : '';
      const rows = where(intent.table, intent.filters, filled(intent.columns));
      return `SELECT ${columnList(intent.columns)}${from}${rows} ORDER BY ${order} ${intent.from === 'first' ? 'ASC' : 'DESC'} LIMIT 1${offset}`;
    }
    case 'adjacent': {
      // In time order, by the year (a text cell by the year it starts with), then the table's order within a year.
      const t = intent.timeOrder;
      const order = !t
        ? rowOrder(intent.table)
        : t.type === 'text'
          ? `CAST(${quoteIdent(t.name)} AS INTEGER)`
          : quoteIdent(t.name);
      const before = intent.dir === 'prev';
      // On the page, from the anchor's first row: the rows before it, or the first row after it that is not the
      // anchor again (a name listed twice, or over several rows, is read where it first appears).
      const edge = t && !before ? 'MAX' : 'MIN';
      const side = `${order} ${before ? '<' : '>'} ${anchorRow(intent.table, intent.anchor, edge, order)}`;
      const notAnchor =
        !t && !before ? [`NOT COALESCE(${intent.anchor.map(filterSql).join(' AND ')}, 0)`] : [];
      const rows = where(intent.table, intent.filters, [
        side,
        ...notAnchor,
        ...(intent.count ? [] : filled(intent.columns)),
      ]);
      if (intent.count) return `SELECT COUNT(*) AS "count"${from}${rows}`;
      const way = before ? 'DESC' : 'ASC';
      const then = t ? `, ${rowOrder(intent.table)} ${way}` : '';
      return `SELECT ${columnList(intent.columns)}${from}${rows} ORDER BY ${order} ${way}${then} LIMIT 1`;
    }
    case 'compare':
      return compareSql(intent, from);
    case 'list': {
      if (intent.exists) {
        const { yes, no } = intent.exists;
        return `SELECT CASE WHEN EXISTS (SELECT 1${from}${where(intent.table, intent.filters)}) THEN ${quoteLiteral(yes)} ELSE ${quoteLiteral(no)} END AS "answer"`;
      }
      const order = intent.distinct && intent.columns.length > 0 ? ' ORDER BY 1' : '';
      const limit = intent.limit ? ` LIMIT ${intent.limit}` : '';
      return `SELECT ${intent.distinct ? 'DISTINCT ' : ''}${columnList(intent.columns)}${from}${where(intent.table, intent.filters)}${order}${limit}`;
    }
  }
}

/** The nearest row that has the answer: "the scorer above X" skips a row with no scorer. */
function filled(columns: ColumnCatalog[]): string[] {
  return columns.map((c) => `${quoteIdent(c.name)} IS NOT NULL`);
}

function columnList(columns: ColumnCatalog[]): string {
  return columns.length > 0 ? columns.map((c) => quoteIdent(c.name)).join(', ') : '*';
}

/**
 * Two sides weighed: each side's number is a scalar subquery (the measure summed over its rows, its rows counted, or
 * its first place in the table), then compared as the intent says.
 */
function compareSql(intent: Intent & { shape: 'compare' }, from: string): string {
  const value = (side: Filter[], i: number): string => {
    const v = Array.isArray(intent.value) ? intent.value[i]! : intent.value;
    const what =
      v.kind === 'measure'
        ? `SUM(${numberOf(v.column)})`
        : v.kind === 'count'
          ? 'COUNT(*)'
          : `MIN(${rowOrder(intent.table)})`;
    return `(SELECT ${what}${from}${where(intent.table, [...side, ...intent.filters])})`;
  };
  const [a, b] = intent.sides.map(value) as [string, string];
  const w = intent.words;
  const [la, lb] = intent.labels;
  // Each side's own number beside the answer, so it can be checked.
  const sides = `${a} AS ${quoteIdent(la)}, ${b} AS ${quoteIdent(lb)}`;
  switch (intent.op) {
    case 'diff':
      return `SELECT ${intent.dir === 'asc' ? `${b} - ${a}` : `${a} - ${b}`} AS "difference", ${sides}`;
    case 'absdiff':
      return `SELECT ABS(${a} - ${b}) AS "difference", ${sides}`;
    case 'moreless':
      return `SELECT CASE WHEN ${a} > ${b} THEN ${quoteLiteral(w.more)} WHEN ${a} < ${b} THEN ${quoteLiteral(w.less)} ELSE ${quoteLiteral(w.same)} END AS "answer", ${sides}`;
    case 'yesno': {
      const op = intent.dir === 'asc' ? '<' : '>';
      return `SELECT CASE WHEN ${a} ${op} ${b} THEN ${quoteLiteral(w.yes)} ELSE ${quoteLiteral(w.no)} END AS "answer", ${sides}`;
    }
    case 'which': {
      // The higher (or lower) of the two; both when they tie. The place in the table: the earlier is the "first".
      const pick = intent.dir === 'asc' ? 'MIN' : 'MAX';
      const pair = `SELECT ${quoteLiteral(la)} AS "answer", ${a} AS "value" UNION ALL SELECT ${quoteLiteral(lb)}, ${b}`;
      return `SELECT "answer", "value" FROM (${pair}) WHERE "value" = (SELECT ${pick}("value") FROM (${pair}))`;
    }
  }
}
