/**
 * One card per table: name, original file, rows, columns with their types, the import's warnings, a paged preview
 * (GET /api/session/tables/:name?limit&offset) and a delete button.
 */
import { useEffect, useState } from 'preact/hooks';
import { type ApiError, api, type Preview, type TableInfo } from '../api';
import { useI18n } from '../i18n';
import { Grid, Pager } from './Grid';

const PAGE = 10;

function typeKey(type: string) {
  return (
    ['integer', 'real', 'text', 'date', 'datetime', 'boolean'].includes(type) ? `type.${type}` : null
  ) as 'type.integer' | 'type.real' | 'type.text' | 'type.date' | 'type.datetime' | 'type.boolean' | null;
}

export function TableCard(props: {
  table: TableInfo;
  warnings: string[];
  /** Absent for a connected database's tables (read-only here): no Delete button. */
  onDelete?: (name: string) => Promise<void>;
  onError: (error: ApiError) => void;
}) {
  const { t, locale } = useI18n();
  const { table } = props;
  const [open, setOpen] = useState(false);
  const [offset, setOffset] = useState(0);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [deleting, setDeleting] = useState(false);

  useEffect(() => {
    if (!open) return;
    let live = true;
    api
      .preview(table.name, PAGE, offset)
      .then((page) => live && setPreview(page))
      .catch((error: ApiError) => live && props.onError(error));
    return () => {
      live = false;
    };
  }, [open, offset, table.name, table.rows, props.onError]);

  const previewId = `preview-${table.name}`;
  return (
    <article
      class="card table-card"
      data-testid={`table-${table.name}`}
      aria-labelledby={`title-${table.name}`}
    >
      <header class="table-card-head">
        <div>
          <h3 id={`title-${table.name}`} class="table-name">
            {table.name}
          </h3>
          <p class="muted small">
            {t('data.rows', { count: table.rows.toLocaleString(locale) })} ·{' '}
            {t('data.columns', { count: table.columns.length })}
            {table.label && table.label !== table.name ? ` · ${t('data.from', { file: table.label })}` : ''}
          </p>
        </div>
        <div class="table-card-actions">
          <button
            type="button"
            class="btn small"
            aria-expanded={open}
            aria-controls={previewId}
            onClick={() => setOpen(!open)}
          >
            {open ? t('data.hidePreview') : t('data.preview')}
          </button>
          {props.onDelete && (
            <button
              type="button"
              class="btn small danger"
              aria-label={t('data.deleteAria', { table: table.name })}
              disabled={deleting}
              onClick={async () => {
                setDeleting(true);
                try {
                  await props.onDelete?.(table.name);
                } finally {
                  setDeleting(false);
                }
              }}
            >
              {t('data.delete')}
            </button>
          )}
        </div>
      </header>
      <ul class="columns" aria-label={t('data.columns', { count: table.columns.length })}>
        {table.columns.map((column) => {
          const key = typeKey(column.type);
          return (
            <li key={column.name} class="column-chip">
              <span class="column-name" title={column.name}>
                {column.label || column.name}
              </span>
              <span class={`type type-${column.type}`}>{key ? t(key) : column.type}</span>
            </li>
          );
        })}
      </ul>
      {props.warnings.length > 0 && (
        <div class="warnings" role="note">
          <strong>{t('data.warnings')}</strong>
          <ul>
            {props.warnings.map((warning) => (
              <li key={warning}>{warning}</li>
            ))}
          </ul>
        </div>
      )}
      {open && (
        <div id={previewId} class="preview">
          {preview && (
            <>
              <Grid
                caption={t('data.previewAria', { table: table.name })}
                columns={preview.columns.map((c) => ({
                  key: c.name,
                  label: c.label || c.name,
                  numeric: c.type === 'integer' || c.type === 'real',
                }))}
                rows={preview.rows}
              />
              <Pager offset={offset} pageSize={PAGE} total={preview.total} onPage={setOffset} />
            </>
          )}
        </div>
      )}
    </article>
  );
}
