/**
 * Time left (live countdown to `deadline`, a local-clock instant restarted by every request that renewed the
 * session), storage used against the limit, and the "new session" / "end session" buttons. When the countdown
 * reaches zero it calls `onZero` once, so the app can ask the server whether the session really ended.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Session } from '../api';
import { formatBytes, formatCountdown } from '../format';
import { useI18n } from '../i18n';

export function SessionBadge(props: {
  session: Session;
  deadline: number;
  busy: boolean;
  onNew: () => void;
  onEnd: () => void;
  onZero: () => void;
}) {
  const { t, locale } = useI18n();
  const { session, deadline, onZero } = props;
  // A tick re-renders every second; the time left is read from the clock at render, so a renewal shows at once.
  const [, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, []);
  const left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
  useEffect(() => {
    if (deadline - Date.now() > 0) {
      const timer = setTimeout(onZero, deadline - Date.now() + 250);
      return () => clearTimeout(timer);
    }
    onZero();
    return undefined;
  }, [deadline, onZero]);

  const limit = session.limits.max_session_size_bytes;
  const used = session.size_bytes ?? 0;
  const ttl = session.limits.session_ttl_seconds;
  const low = left <= Math.min(300, ttl / 4);
  const time = formatCountdown(left);
  return (
    <section class="badge" aria-label={t('session.label')}>
      <div class="badge-item">
        <span class="badge-label">{t('session.timeLeft')}</span>
        <span
          class={`badge-value countdown${low ? ' low' : ''}`}
          role="timer"
          aria-label={t('session.timeLeftAria', { time })}
          title={t('session.renewHint')}
          data-testid="countdown"
        >
          {time}
        </span>
      </div>
      <div class="badge-item">
        <span class="badge-label" id="storage-label">
          {t('session.storage')}
        </span>
        <span class="badge-value small" data-testid="storage">
          {t('session.storageValue', { used: formatBytes(used, locale), limit: formatBytes(limit, locale) })}
        </span>
        <meter
          class="meter"
          aria-labelledby="storage-label"
          min={0}
          max={limit}
          value={used}
          aria-valuetext={t('session.storageValue', {
            used: formatBytes(used, locale),
            limit: formatBytes(limit, locale),
          })}
        />
      </div>
      <div class="badge-actions">
        <button type="button" class="btn small" onClick={props.onNew} disabled={props.busy}>
          {t('session.new')}
        </button>
        <button type="button" class="btn small danger" onClick={props.onEnd} disabled={props.busy}>
          {t('session.end')}
        </button>
      </div>
    </section>
  );
}
