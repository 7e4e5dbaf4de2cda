/**
 * Tables of rows: `Grid` renders one page; `Pager` moves between pages; `ResultGrid` pages and sorts a query's rows
 * in the browser (they are at most MAX_RESULT_ROWS). Sorting is a button in each header, so it works from the
 * keyboard and announces its state through aria-sort.
 */
import { useMemo, useState } from 'preact/hooks';
import { formatCell } from '../format';
import { useI18n } from '../i18n';

export interface GridColumn {
  key: string;
  label: string;
  numeric?: boolean;
}

type Sort = { index: number; dir: 'asc' | 'desc' } | null;

function Cell({ value, numeric }: { value: unknown; numeric: boolean }) {
  const { locale, t } = useI18n();
  if (value === null || value === undefined) {
    return (
      <td class="null">
        <span class="sr-only">{t('grid.null')}</span>
        <span aria-hidden="true">—</span>
      </td>
    );
  }
  return (
    <td class={numeric || typeof value === 'number' ? 'num' : undefined}>{formatCell(value, locale)}</td>
  );
}

export function Grid(props: {
  columns: GridColumn[];
  rows: unknown[][];
  caption: string;
  sort?: Sort;
  onSort?: (index: number) => void;
}) {
  const { t } = useI18n();
  const { columns, rows, sort, onSort } = props;
  return (
    // A scrollable region must be reachable from the keyboard to be scrolled (WCAG 2.1.1), hence the tabIndex.
    // biome-ignore lint/a11y/noNoninteractiveTabindex: scroll container, see above
    <section class="grid-wrap" aria-label={props.caption} tabIndex={0}>
      <table class="grid">
        <caption class="sr-only">{props.caption}</caption>
        <thead>
          <tr>
            {columns.map((column, index) => {
              const active = sort?.index === index;
              const ariaSort = active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : undefined;
              return (
                <th
                  key={column.key}
                  scope="col"
                  aria-sort={ariaSort}
                  class={column.numeric ? 'num' : undefined}
                >
                  {onSort ? (
                    <button
                      type="button"
                      class="sort"
                      onClick={() => onSort(index)}
                      title={t('grid.sortBy', { column: column.label })}
                    >
                      {column.label}
                      <span aria-hidden="true" class="sort-mark">
                        {active ? (sort.dir === 'asc' ? '▲' : '▼') : '↕'}
                      </span>
                    </button>
                  ) : (
                    column.label
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, r) => (
            <tr key={r}>
              {columns.map((column, c) => (
                <Cell key={column.key} value={row[c]} numeric={column.numeric ?? false} />
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function Pager(props: {
  offset: number;
  pageSize: number;
  total: number;
  onPage: (offset: number) => void;
}) {
  const { t, locale } = useI18n();
  const { offset, pageSize, total } = props;
  if (total <= pageSize) return null;
  const page = Math.floor(offset / pageSize) + 1;
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const from = Math.min(total, offset + 1);
  const to = Math.min(total, offset + pageSize);
  return (
    <nav class="pager" aria-label={t('grid.page', { page, pages })}>
      <button
        type="button"
        class="btn small"
        disabled={page <= 1}
        onClick={() => props.onPage(Math.max(0, offset - pageSize))}
        aria-label={t('grid.prev')}
      >
        ‹
      </button>
      <span aria-live="polite">
        {t('grid.range', {
          from: from.toLocaleString(locale),
          to: to.toLocaleString(locale),
          total: total.toLocaleString(locale),
        })}
      </span>
      <button
        type="button"
        class="btn small"
        disabled={page >= pages}
        onClick={() => props.onPage(offset + pageSize)}
        aria-label={t('grid.next')}
      >
        ›
      </button>
    </nav>
  );
}

function compare(a: unknown, b: unknown): number {
  // Empty values always sort last, whatever the direction (handled by the caller).
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true, sensitivity: 'base' });
}

export function ResultGrid(props: {
  columns: string[];
  rows: unknown[][];
  caption: string;
  pageSize?: number;
}) {
  const pageSize = props.pageSize ?? 20;
  const [sort, setSort] = useState<Sort>(null);
  const [offset, setOffset] = useState(0);
  const columns: GridColumn[] = props.columns.map((name, index) => ({
    key: `${index}:${name}`,
    label: name,
    numeric: props.rows.some((row) => typeof row[index] === 'number'),
  }));
  const sorted = useMemo(() => {
    if (!sort) return props.rows;
    const { index, dir } = sort;
    const sign = dir === 'asc' ? 1 : -1;
    return [...props.rows].sort((x, y) => {
      const a = x[index];
      const b = y[index];
      const aEmpty = a === null || a === undefined;
      const bEmpty = b === null || b === undefined;
      if (aEmpty || bEmpty) return aEmpty === bEmpty ? 0 : aEmpty ? 1 : -1;
      return sign * compare(a, b);
    });
  }, [props.rows, sort]);
  const onSort = (index: number) => {
    setSort((current) =>
      current?.index === index
        ? { index, dir: current.dir === 'asc' ? 'desc' : 'asc' }
        : { index, dir: 'asc' },
    );
    setOffset(0);
  };
  return (
    <div>
      <Grid
        columns={columns}
        rows={sorted.slice(offset, offset + pageSize)}
        caption={props.caption}
        sort={sort}
        onSort={onSort}
      />
      <Pager offset={offset} pageSize={pageSize} total={sorted.length} onPage={setOffset} />
    </div>
  );
}
