/**
 * Model (GET /api/models), top_k, tables to include (include_tables_key: "*" or a comma-separated list) and
 * advanced mode, saved with PATCH /api/session. Validation errors come back from the server with their message.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, type ModelInfo, type Session, type SessionPatch } from '../api';
import { useI18n } from '../i18n';

export function Settings(props: {
  session: Session;
  models: ModelInfo[];
  modelsReason?: string | undefined;
  onSaved: (session: Session) => void;
  onError: (error: ApiError) => void;
}) {
  const { t } = useI18n();
  const { session } = props;
  const [model, setModel] = useState(session.selected_model);
  const [topK, setTopK] = useState(String(session.top_k));
  const [all, setAll] = useState(session.include_tables_key === '*');
  const [picked, setPicked] = useState<string[]>(
    session.include_tables_key === '*' ? [] : session.include_tables_key.split(',').filter(Boolean),
  );
  const [advanced, setAdvanced] = useState(session.advanced_mode);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  // A new session (or a change made elsewhere) resets the form to what the server holds.
  useEffect(() => {
    setModel(session.selected_model);
    setTopK(String(session.top_k));
    setAll(session.include_tables_key === '*');
    setPicked(
      session.include_tables_key === '*' ? [] : session.include_tables_key.split(',').filter(Boolean),
    );
    setAdvanced(session.advanced_mode);
  }, [session.session_id, session.version]);

  const models = props.models.some((m) => m.id === model)
    ? props.models
    : [...props.models, { id: model, label: model }];

  const save = async (event: Event) => {
    event.preventDefault();
    setSaved(false);
    setProblem(null);
    const tables = picked.filter((name) => session.tables.includes(name));
    if (!all && tables.length === 0) {
      setProblem(t('error.pickTables'));
      return;
    }
    const patch: SessionPatch = {
      selected_model: model,
      top_k: Number(topK),
      include_tables_key: all ? '*' : tables.join(','),
      advanced_mode: advanced,
    };
    setSaving(true);
    try {
      props.onSaved(await api.updateSession(patch));
      setSaved(true);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'bad_input') setProblem(error.message);
      else if (error instanceof ApiError) props.onError(error);
    } finally {
      setSaving(false);
    }
  };

  return (
    <section class="card settings" aria-labelledby="settings-title">
      <h2 id="settings-title">{t('settings.title')}</h2>
      <form onSubmit={save} onInput={() => setSaved(false)}>
        <div class="field">
          <label for="model">{t('settings.model')}</label>
          <select
            id="model"
            value={model}
            onChange={(e) => setModel((e.currentTarget as HTMLSelectElement).value)}
          >
            {models.map((m) => (
              <option key={m.id} value={m.id}>
                {m.label ? `${m.label}` : m.id}
              </option>
            ))}
          </select>
          {props.modelsReason && (
            <p class="muted small">{t('settings.modelReason', { reason: props.modelsReason })}</p>
          )}
        </div>
        <div class="field">
          <label for="top-k">{t('settings.topK')}</label>
          <input
            id="top-k"
            type="number"
            min={1}
            max={1000}
            step={1}
            required
            inputMode="numeric"
            value={topK}
            onInput={(e) => setTopK((e.currentTarget as HTMLInputElement).value)}
          />
        </div>
        <fieldset class="field">
          <legend>{t('settings.tables')}</legend>
          <label class="check">
            <input type="radio" name="include" checked={all} onChange={() => setAll(true)} />
            {t('settings.allTables')}
          </label>
          <label class="check">
            <input type="radio" name="include" checked={!all} onChange={() => setAll(false)} />
            {t('settings.someTables')}
          </label>
          {session.tables.length === 0 ? (
            <p class="muted small">{t('settings.noTables')}</p>
          ) : (
            <div class="table-checks">
              {session.tables.map((name) => (
                <label class="check" key={name}>
                  <input
                    type="checkbox"
                    disabled={all}
                    checked={all || picked.includes(name)}
                    onChange={(e) => {
                      const on = (e.currentTarget as HTMLInputElement).checked;
                      setPicked((list) => (on ? [...list, name] : list.filter((n) => n !== name)));
                    }}
                  />
                  <code>{name}</code>
                </label>
              ))}
            </div>
          )}
        </fieldset>
        <label class="check field">
          <input
            type="checkbox"
            checked={advanced}
            onChange={(e) => setAdvanced((e.currentTarget as HTMLInputElement).checked)}
          />
          {t('settings.advanced')}
        </label>
        {problem && (
          <p class="error-text" role="alert">
            {problem}
          </p>
        )}
        <div class="settings-actions">
          <button type="submit" class="btn primary" disabled={saving}>
            {t('settings.save')}
          </button>
          <span role="status" class="small ok-text">
            {saved ? t('settings.saved') : ''}
          </span>
        </div>
      </form>
    </section>
  );
}
