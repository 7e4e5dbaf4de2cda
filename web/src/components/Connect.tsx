/**
 * "Connect a database" beside the upload area (issue 15): PostgreSQL or MySQL/MariaDB, checked by the server by
 * connecting; on success the session's tables are the database's and questions run there, read-only. Shown only
 * when the server allows connections. Errors come in the server's words (wrong password, host not allowed, no
 * answer…), never with the password.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, type ConnectionInput, type Session } from '../api';
import { useI18n } from '../i18n';

const PORTS = { postgresql: 5432, mysql: 3306 } as const;

export function Connect(props: {
  session: Session;
  onChanged: () => void;
  onSessionError: (error: ApiError) => boolean;
}) {
  const { t } = useI18n();
  const [enabled, setEnabled] = useState(false);
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notes, setNotes] = useState<string[]>([]);
  const [form, setForm] = useState<ConnectionInput>({
    type: 'postgresql',
    host: '',
    database: '',
    user: '',
    password: '',
    schema: 'public',
  });

  useEffect(() => {
    api.connectionEnabled().then(setEnabled, () => setEnabled(false));
  }, []);

  const fail = (e: unknown) => {
    const apiError = e instanceof ApiError ? e : new ApiError('network', String(e), 0);
    if (!props.onSessionError(apiError)) setError(apiError.message);
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { port, schema, ...rest } = form;
      const response = await api.connect({
        ...rest,
        ...(port ? { port } : {}),
        ...(form.type === 'postgresql' && schema ? { schema } : {}),
      });
      setNotes([t('db.found', { count: response.tables.length }), ...response.warnings]);
      setForm({ ...form, password: '' });
      setOpen(false);
      props.onChanged();
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  const disconnect = async () => {
    setBusy(true);
    try {
      await api.disconnect();
      setNotes([]);
      props.onChanged();
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  if (props.session.connection_type !== 'csv') {
    return (
      <div class="connect connected" data-testid="connected">
        <p>
          <strong>{t('db.connected', { uri: props.session.db_uri })}</strong> {t('db.readOnly')}
        </p>
        {notes.map((note) => (
          <p class="muted" key={note}>
            {note}
          </p>
        ))}
        {error && <p class="error">{error}</p>}
        <button type="button" class="btn small" disabled={busy} onClick={() => void disconnect()}>
          {t('db.disconnect')}
        </button>
      </div>
    );
  }
  if (!enabled) return null;
  if (!open) {
    return (
      <button type="button" class="btn small primary-outline" onClick={() => setOpen(true)}>
        {t('db.open')}
      </button>
    );
  }
  const field = (key: keyof ConnectionInput, label: string, type = 'text') => (
    <label>
      {label}
      <input
        name={key}
        type={type}
        value={String(form[key] ?? '')}
        autocomplete={type === 'password' ? 'off' : undefined}
        onInput={(e) => {
          const value = (e.target as HTMLInputElement).value;
          setForm({ ...form, [key]: key === 'port' ? Number(value) || undefined : value });
        }}
      />
    </label>
  );
  return (
    <form class="connect" aria-label={t('db.title')} onSubmit={(e) => void submit(e)}>
      <label>
        {t('db.type')}
        <select
          name="type"
          value={form.type}
          onChange={(e) =>
            setForm({ ...form, type: (e.target as HTMLSelectElement).value as ConnectionInput['type'] })
          }
        >
          <option value="postgresql">PostgreSQL</option>
          <option value="mysql">MySQL / MariaDB</option>
        </select>
      </label>
      {field('host', t('db.host'))}
      <label>
        {t('db.port')}
        <input
          name="port"
          inputMode="numeric"
          placeholder={String(PORTS[form.type])}
          value={form.port ?? ''}
          onInput={(e) =>
            setForm({ ...form, port: Number((e.target as HTMLInputElement).value) || undefined })
          }
        />
      </label>
      {field('database', t('db.database'))}
      {field('user', t('db.user'))}
      {field('password', t('db.password'), 'password')}
      {form.type === 'postgresql' && field('schema', t('db.schema'))}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="actions">
        <button type="submit" class="btn small primary" disabled={busy}>
          {busy ? t('db.connecting') : t('db.connect')}
        </button>
        <button type="button" class="btn small" disabled={busy} onClick={() => setOpen(false)}>
          {t('db.cancel')}
        </button>
      </div>
    </form>
  );
}
