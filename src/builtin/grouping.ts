/**
 * Groupings: "by/per/por/cada X", "X por Y", time buckets ("por ano", "per month") and a second grouping
 * ("por vendedor e cidade"). In a ranking, "by <numeric column>" names the measure instead ("top 5 by quantity").
 */

import {
  fail,
  isKw,
  isSkippable,
  labelColumn,
  type ParseFailure,
  type Reading,
  tokenText,
  UNIT_BUCKET,
  unitOf,
  yearColumn,
} from './reading.js';
import type { Mark } from './schema-match.js';
import type { GroupKey } from './types.js';

export interface GroupReading {
  group?: GroupKey;
  group2?: GroupKey;
  /** The mark the (first) grouping came from, so a count can tell "quantas vendas POR loja" from its noun. */
  groupMark?: Mark;
}

export function readGroups(r: Reading): GroupReading | ParseFailure {
  const { tokens, marks, index, used } = r;
  const nextContent = (i: number, skip?: (m: Mark) => boolean) => r.nextContent(i, skip);

  let group: GroupKey | undefined;
  let group2: GroupKey | undefined;
  let groupMark: Mark | undefined;
  const date = r.date;
  const groupTarget = (t: Mark | undefined): GroupKey | 'skip' | ParseFailure => {
    // "quantidade média por pedido" where only a date column mentions orders: per row, not per date.
    if (t?.kind === 'col' && !t.full && t.col.temporal) return 'skip';
    if (t?.kind === 'col' && !used.has(t)) {
      const g: GroupKey = { column: t.col.column, bucket: t.col.temporal ? unitOf(tokens, t) : undefined };
      // "por data" on a datetime column means per day, not per instant.
      if (t.col.column.type === 'datetime' && !g.bucket) g.bucket = 'day';
      if (g.bucket === 'day' && t.col.column.type === 'date') g.bucket = undefined;
      return g;
    }
    // "directed by Steven Spielberg": an agent, not a grouping (placed as a value below).
    if (t?.kind === 'unknown' && t.token.capitalized) return 'skip';
    if (t?.kind === 'kw' && UNIT_BUCKET[t.kw]) {
      const yc = t.kw === 'unit:year' ? yearColumn(index) : undefined;
      if (yc && !date) return { column: yc.column };
      if (!date) return fail('no_date_column', [tokenText(tokens, t)]);
      const bucket = UNIT_BUCKET[t.kw]!;
      return {
        column: date.column,
        bucket: bucket === 'day' && date.column.type === 'date' ? undefined : bucket,
      };
    }
    // "por tipo de desastre" in a table of disasters: grouped by what names its rows.
    if (t?.kind === 'table') {
      const label = labelColumn(index);
      if (label && !label.unique) return { column: label.column };
    }
    // "por" with nothing groupable after it (end of question, "per cent", …): not a grouping.
    if (t === undefined || t.kind === 'kw' || t.kind === 'num' || t.kind === 'table' || t.kind === 'val')
      return 'skip';
    return fail('group_target', [tokenText(tokens, t)]);
  };
  for (let i = 0; i < marks.length; i++) {
    const m = marks[i]!;
    if (!isKw(m, 'by') || used.has(m)) continue;
    // "by number of cylinders": the count words belong to the grouping, not to a count.
    const k = nextContent(i, (x) => isSkippable(x) || isKw(x, 'by', 'count'));
    const t = marks[k];
    // "top 5 produtos por quantidade": in a ranking, "by <number column>" names the measure, not a grouping.
    const ranking = marks.some((x) => isKw(x, 'top', 'high', 'low'));
    if (t?.kind === 'col' && t.col.numeric && ranking && t.col !== yearColumn(index)) continue;
    const g = groupTarget(t);
    if (g === 'skip') continue;
    if ('ok' in g) return g;
    for (let j = i + 1; j < k; j++) if (isKw(marks[j], 'count')) used.add(marks[j]!);
    used.add(m);
    used.add(t!);
    if (group && (group.column !== g.column || group.bucket !== g.bucket)) {
      if (group2) return fail('several_groups');
      group2 = g;
      continue;
    }
    group = g;
    groupMark = t;
    // "por ano e região", "by species and island": a second grouping.
    if (isKw(marks[k + 1], 'and')) {
      const k2 = nextContent(k + 1, (x) => isSkippable(x) || isKw(x, 'by'));
      const g2 = groupTarget(marks[k2]);
      if (g2 !== 'skip' && !('ok' in g2) && (g2.column !== g.column || g2.bucket !== g.bucket)) {
        group2 = g2;
        used.add(marks[k + 1]!);
        used.add(marks[k2]!);
      }
    }
  }
  return { group, group2, groupMark };
}
