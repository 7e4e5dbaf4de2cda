/**
 * Draws the result's Vega-Lite spec with vega-embed. vega, vega-lite and vega-embed are bundled (no CDN) into one
 * chunk loaded on the first chart only, so the first page stays small. Numbers follow the UI locale.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { useI18n } from '../i18n';

const PT_NUMBERS = { decimal: ',', thousands: '.', grouping: [3], currency: ['R$ ', ''] };
const PT_TIME = {
  dateTime: '%A, %e de %B de %Y. %X',
  date: '%d/%m/%Y',
  time: '%H:%M:%S',
  periods: ['AM', 'PM'],
  days: ['domingo', 'segunda', 'terça', 'quarta', 'quinta', 'sexta', 'sábado'],
  shortDays: ['dom', 'seg', 'ter', 'qua', 'qui', 'sex', 'sáb'],
  months: [
    'janeiro',
    'fevereiro',
    'março',
    'abril',
    'maio',
    'junho',
    'julho',
    'agosto',
    'setembro',
    'outubro',
    'novembro',
    'dezembro',
  ],
  shortMonths: ['jan', 'fev', 'mar', 'abr', 'mai', 'jun', 'jul', 'ago', 'set', 'out', 'nov', 'dez'],
};

export function Chart(props: { spec: Record<string, unknown>; title: string }) {
  const { t, lang } = useI18n();
  const target = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<'loading' | 'ready' | 'failed'>('loading');
  const [message, setMessage] = useState('');

  useEffect(() => {
    let cancelled = false;
    let finalize: (() => void) | undefined;
    setState('loading');
    // The spec names its Vega-Lite version in $schema; we render it with the bundled one, so drop it and say so.
    const { $schema: _schema, ...spec } = props.spec;
    import('vega-embed')
      .then(async ({ default: embed }) => {
        if (cancelled || !target.current) return;
        const result = await embed(
          target.current,
          spec as never,
          {
            mode: 'vega-lite',
            renderer: 'svg',
            actions: { export: true, source: false, compiled: false, editor: false },
            ...(lang === 'pt'
              ? { formatLocale: PT_NUMBERS as never, timeFormatLocale: PT_TIME as never }
              : {}),
            i18n: lang === 'pt' ? { SVG_ACTION: 'Salvar como SVG', PNG_ACTION: 'Salvar como PNG' } : {},
          } as never,
        );
        finalize = () => result.finalize();
        if (cancelled) finalize();
        else setState('ready');
      })
      .catch((error: unknown) => {
        if (cancelled) return;
        setMessage(error instanceof Error ? error.message : String(error));
        setState('failed');
      });
    return () => {
      cancelled = true;
      finalize?.();
    };
  }, [props.spec, lang]);

  return (
    <figure class="chart" aria-label={props.title} data-testid="chart" data-state={state}>
      {state === 'loading' && <p class="muted small">{t('result.chartLoading')}</p>}
      {state === 'failed' && <p class="error-text">{t('result.chartFailed', { message })}</p>}
      <div ref={target} class="chart-target" />
    </figure>
  );
}
