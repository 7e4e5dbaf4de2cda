/** The session's past questions (GET /api/session/history), newest first; choosing one shows its result. */
import type { HistoryItem } from '../api';
import { formatTime } from '../format';
import { useI18n } from '../i18n';

export function History(props: {
  items: HistoryItem[];
  selected: string | null;
  onOpen: (id: string) => void;
}) {
  const { t, locale } = useI18n();
  return (
    <section class="card history" aria-labelledby="history-title">
      <h2 id="history-title">{t('history.title')}</h2>
      {props.items.length === 0 ? (
        <p class="muted">{t('history.empty')}</p>
      ) : (
        <ul class="history-list">
          {props.items.map((item) => (
            <li key={item.query_id}>
              <button
                type="button"
                class={`history-item${item.query_id === props.selected ? ' selected' : ''}`}
                aria-current={item.query_id === props.selected ? 'true' : undefined}
                onClick={() => props.onOpen(item.query_id)}
              >
                <span class="history-question">{item.question}</span>
                <span class="muted small">
                  {formatTime(item.created_at, locale)}
                  {item.status !== 'done'
                    ? ` · ${item.status}`
                    : item.unsupported
                      ? ` · ${t('history.unsupported')}`
                      : ` · ${t('history.rows', { count: (item.row_count ?? 0).toLocaleString(locale) })}`}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
