/**
 * A finished question: the answer text, the SQL (collapsible, with a copy button), the rows (paged, sortable), the
 * chart and a "download CSV" link. An answer the engine could not give offers its suggestions instead.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type QueryResult } from '../api';
import { useI18n } from '../i18n';
import { Chart } from './Chart';
import { ResultGrid } from './Grid';

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Clipboard API refused (insecure context, permissions): the old way.
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    return ok;
  }
}

function CopyButton(props: { text: string }) {
  const { t } = useI18n();
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), 2000);
    return () => clearTimeout(timer);
  }, [state]);
  return (
    <button
      type="button"
      class="btn small"
      onClick={async () => setState((await copyText(props.text)) ? 'copied' : 'failed')}
    >
      <span aria-live="polite">
        {state === 'copied'
          ? t('result.copied')
          : state === 'failed'
            ? t('result.copyFailed')
            : t('result.copy')}
      </span>
    </button>
  );
}

export function Result(props: {
  result: QueryResult;
  focus: boolean;
  advanced: boolean;
  onAsk: (question: string) => void;
}) {
  const { t, locale } = useI18n();
  const { result } = props;
  const heading = useRef<HTMLHeadingElement>(null);
  // Opened from the history: move the focus to it, so keyboard and screen-reader users land on the answer.
  useEffect(() => {
    if (props.focus) heading.current?.focus({ preventScroll: true });
  }, [result.query_id, props.focus]);

  const ms = (value: number) => value.toLocaleString(locale, { maximumFractionDigits: 1 });
  const rows = result.rows ?? [];
  const columns = result.columns ?? [];
  const failed = result.status === 'failed';
  const cancelled = result.status === 'cancelled';
  return (
    <section
      class="card result"
      aria-labelledby="result-title"
      data-testid="result"
      data-status={result.status}
    >
      <h2 id="result-title" ref={heading} tabIndex={-1}>
        {t('result.title')}
      </h2>
      <p class="question-echo">“{result.question}”</p>
      {failed && (
        <div class="notice error" role="alert">
          <strong>{t('result.failed')}</strong> {result.error?.message}
        </div>
      )}
      {cancelled && <div class="notice">{t('result.cancelled')}</div>}
      {result.answer && (
        <p class="answer" data-testid="answer">
          {result.answer}
        </p>
      )}
      {result.reading && (
        <p class="reading" data-testid="reading">
          <strong>{t('result.reading')}:</strong> {result.reading}
        </p>
      )}
      {result.unsupported && result.suggestions && result.suggestions.length > 0 && (
        <div class="suggest-block">
          <p class="muted">{t('result.unsupported')}</p>
          <ul class="chips">
            {result.suggestions.map((s) => (
              <li key={s}>
                <button type="button" class="chip" onClick={() => props.onAsk(s)}>
                  {s}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
      {result.sql && (
        <details class="sql" open={props.advanced} data-testid="sql">
          <summary>{t('result.showSql')}</summary>
          <div class="sql-body">
            <pre>
              <code>{result.sql}</code>
            </pre>
            <CopyButton text={result.sql} />
          </div>
        </details>
      )}
      {props.advanced && result.explanation && (
        <p class="muted small">
          <strong>{t('result.explanation')}:</strong> {result.explanation}
        </p>
      )}
      {result.status === 'done' && result.sql && (
        <div class="result-data">
          <div class="result-head">
            <h3>{t('result.table')}</h3>
            <span class="muted small">
              {t('result.rows', { count: (result.row_count ?? rows.length).toLocaleString(locale) })}
            </span>
            <a
              class="btn small primary-outline"
              href={api.csvUrl(result.query_id)}
              download
              data-testid="download"
            >
              {t('result.download')}
            </a>
          </div>
          {result.truncated && <p class="notice small">{t('result.truncated', { count: rows.length })}</p>}
          {rows.length > 0 ? (
            <ResultGrid key={result.query_id} columns={columns} rows={rows} caption={t('result.table')} />
          ) : (
            <p class="muted">{t('result.noRows')}</p>
          )}
        </div>
      )}
      {result.chart && (
        <div class="result-chart">
          <h3>{t('result.chart')}</h3>
          <Chart spec={result.chart} title={t('result.chart')} />
        </div>
      )}
      {props.advanced && (
        <p class="muted small meta">
          {result.model && <span>{t('result.model', { model: result.model })}</span>}
          {result.timings?.total_ms !== undefined && (
            <span>{t('result.time', { ms: ms(result.timings.total_ms) })}</span>
          )}
          {result.timings && (
            <span>
              {t('result.timings')}:{' '}
              {Object.entries(result.timings)
                .filter(([key]) => key !== 'total_ms')
                .map(([key, value]) => `${key.replace(/_ms$/, '')} ${ms(value)} ms`)
                .join(' · ')}
            </span>
          )}
        </p>
      )}
    </section>
  );
}
