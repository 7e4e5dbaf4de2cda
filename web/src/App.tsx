/**
 * The page: session lifecycle (start or resume, countdown, expiry, per-IP limit, end), data (upload, table cards),
 * questions (ask, live progress, cancel, result), history and settings. Talks to the server only through api.ts.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import {
  ApiError,
  api,
  type HistoryItem,
  type Lang,
  type ModelInfo,
  onActivity,
  type QueryResult,
  type Session,
  type StepEvent,
  type TableInfo,
  type UploadResponse,
  watchQuery,
} from './api';
import { Ask, type Running, type StepState } from './components/Ask';
import { Connect } from './components/Connect';
import { History } from './components/History';
import { Result } from './components/Result';
import { SessionBadge } from './components/SessionBadge';
import { Settings } from './components/Settings';
import { TableCard } from './components/TableCard';
import { Upload } from './components/Upload';
import { formatDuration } from './format';
import { useI18n } from './i18n';
import { genericSuggestions } from './suggestions';

type Phase =
  | { kind: 'loading' }
  | { kind: 'ready' }
  | { kind: 'expired' }
  | { kind: 'ended' }
  | { kind: 'limit'; message: string }
  | { kind: 'failed'; message: string };

const SESSION_GONE = new Set(['session_expired', 'session_missing', 'bad_session_id']);

interface Message {
  id: number;
  text: string;
}

let messageId = 0;

function updateSteps(steps: StepState[], event: StepEvent): StepState[] {
  const index = steps.findIndex((s) => s.step === event.step);
  const next: StepState = {
    step: event.step,
    done: event.phase === 'end',
    ...(event.ms !== undefined ? { ms: event.ms } : {}),
  };
  if (index === -1) return [...steps, next];
  return steps.map((s, i) => (i === index ? next : s));
}

export function App(props: { onLang: (lang: Lang) => void }) {
  const { t, lang } = useI18n();
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });
  const [session, setSession] = useState<Session | null>(null);
  const [deadline, setDeadline] = useState(0);
  const [tables, setTables] = useState<TableInfo[]>([]);
  const [warnings, setWarnings] = useState<Record<string, string[]>>({});
  const [running, setRunning] = useState<Running | null>(null);
  const [result, setResult] = useState<{ value: QueryResult; focus: boolean } | null>(null);
  const [history, setHistory] = useState<HistoryItem[]>([]);
  const [engineSuggestions, setEngineSuggestions] = useState<string[]>([]);
  const [models, setModels] = useState<{ models: ModelInfo[]; reason?: string }>({ models: [] });
  const [messages, setMessages] = useState<Message[]>([]);
  const [busy, setBusy] = useState(false);
  const ttl = useRef(3600);
  const stopWatch = useRef<(() => void) | null>(null);
  const lastTtl = useRef(3600);

  // Every request that named the session renewed it on the server: restart the countdown from now.
  useEffect(() => onActivity(() => setDeadline(Date.now() + ttl.current * 1000)), []);

  const adopt = useCallback((doc: Session) => {
    ttl.current = doc.limits.session_ttl_seconds;
    lastTtl.current = doc.limits.session_ttl_seconds;
    setSession(doc);
    setDeadline(Date.now() + doc.ttl_seconds * 1000);
  }, []);

  const clearData = useCallback(() => {
    stopWatch.current?.();
    stopWatch.current = null;
    setSession(null);
    setTables([]);
    setWarnings({});
    setRunning(null);
    setResult(null);
    setHistory([]);
    setEngineSuggestions([]);
  }, []);

  /** True when the error means the session is gone (then the expiry notice replaces the page). */
  const sessionLost = useCallback(
    (error: ApiError) => {
      if (!SESSION_GONE.has(error.code)) return false;
      clearData();
      setPhase({ kind: 'expired' });
      return true;
    },
    [clearData],
  );

  const report = useCallback(
    (error: unknown) => {
      const apiError = error instanceof ApiError ? error : new ApiError('internal', String(error), 0);
      if (sessionLost(apiError)) return;
      setMessages((list) => [...list.slice(-2), { id: ++messageId, text: apiError.message }]);
    },
    [sessionLost],
  );

  const refreshSession = useCallback(() => api.getSession().then(adopt).catch(report), [adopt, report]);
  const refreshTables = useCallback(() => api.tables().then(setTables).catch(report), [report]);
  const refreshHistory = useCallback(() => api.history().then(setHistory).catch(report), [report]);

  const start = useCallback(
    async (fresh: boolean) => {
      clearData();
      setMessages([]);
      setPhase({ kind: 'loading' });
      try {
        let doc: Session;
        if (fresh) doc = await api.createSession();
        else {
          try {
            doc = await api.getSession();
          } catch (error) {
            // First visit (no cookie) or a cookie whose session ended long ago: start a new one quietly.
            if (error instanceof ApiError && SESSION_GONE.has(error.code)) doc = await api.createSession();
            else throw error;
          }
        }
        adopt(doc);
        setPhase({ kind: 'ready' });
        const [catalog, past] = await Promise.all([api.tables(), api.history()]);
        setTables(catalog);
        setHistory(past);
      } catch (error) {
        const apiError = error instanceof ApiError ? error : new ApiError('internal', String(error), 0);
        if (apiError.code === 'session_limit') setPhase({ kind: 'limit', message: apiError.message });
        else if (SESSION_GONE.has(apiError.code)) setPhase({ kind: 'expired' });
        else setPhase({ kind: 'failed', message: apiError.message });
      }
    },
    [adopt, clearData],
  );

  useEffect(() => {
    void start(false);
    api
      .models()
      .then((m) => setModels({ models: m.models, ...(m.reason ? { reason: m.reason } : {}) }))
      .catch(() => setModels({ models: [{ id: 'builtin', label: 'builtin' }] }));
    return () => stopWatch.current?.();
  }, [start]);

  const phaseKind = phase.kind;
  const onZero = useCallback(() => {
    // The countdown ran out here; ask the server (another tab may have kept the session alive).
    if (phaseKind !== 'ready') return;
    api
      .getSession()
      .then(adopt)
      .catch((error: unknown) => report(error));
  }, [phaseKind, adopt, report]);

  const endSession = async (thenStart: boolean) => {
    setBusy(true);
    try {
      await api.endSession();
    } catch (error) {
      // Already gone is fine: the goal was to end it.
      if (!(error instanceof ApiError && SESSION_GONE.has(error.code))) {
        report(error);
        setBusy(false);
        return;
      }
    }
    clearData();
    setBusy(false);
    if (thenStart) await start(true);
    else setPhase({ kind: 'ended' });
  };

  const switchLanguage = (next: Lang) => {
    props.onLang(next);
    if (phaseKind === 'ready') {
      api
        .updateSession({ language: next })
        .then(adopt)
        .catch(() => {});
    }
  };

  const onUploaded = (response: UploadResponse) => {
    const list = (response.warnings ?? []).map((w) => (typeof w === 'string' ? w : JSON.stringify(w)));
    setWarnings((current) => ({ ...current, [response.table.name]: list }));
    setEngineSuggestions([]);
    void refreshTables();
    void refreshSession();
  };

  const deleteTable = async (name: string) => {
    try {
      await api.deleteTable(name);
      setWarnings(({ [name]: _gone, ...rest }) => rest);
      setEngineSuggestions([]);
      await Promise.all([refreshTables(), refreshSession()]);
    } catch (error) {
      report(error);
    }
  };

  const ask = async (question: string) => {
    if (running) return;
    stopWatch.current?.();
    setRunning({ queryId: null, question, status: 'queued', steps: [], cancelling: false });
    try {
      const { query_id } = await api.ask(question);
      setRunning((r) => r && { ...r, queryId: query_id });
      stopWatch.current = watchQuery(query_id, {
        onStatus: (status) => setRunning((r) => r && { ...r, status }),
        onStep: (event) =>
          setRunning((r) => r && { ...r, status: 'running', steps: updateSteps(r.steps, event) }),
        onDone: (value) => {
          stopWatch.current = null;
          setRunning(null);
          setResult({ value, focus: false });
          if (value.unsupported && value.suggestions?.length) setEngineSuggestions(value.suggestions);
          void refreshHistory();
          void refreshSession();
        },
        onError: (error) => {
          stopWatch.current = null;
          setRunning(null);
          report(error);
        },
      });
    } catch (error) {
      setRunning(null);
      report(error);
    }
  };

  const cancel = async () => {
    if (!running?.queryId) return;
    setRunning((r) => r && { ...r, cancelling: true });
    try {
      await api.cancel(running.queryId);
    } catch (error) {
      report(error);
    }
  };

  const openHistory = async (id: string) => {
    try {
      const value = await api.query(id);
      setResult({ value, focus: true });
      document.getElementById('result-title')?.scrollIntoView({ behavior: 'smooth', block: 'start' });
    } catch (error) {
      report(error);
    }
  };

  const suggestions = useMemo(
    () => [...new Set([...engineSuggestions, ...genericSuggestions(tables, t)])].slice(0, 6),
    [engineSuggestions, tables, t],
  );

  return (
    <div class="app">
      <a class="skip" href="#main">
        {t('app.skip')}
      </a>
      <header class="topbar">
        <div class="brand">
          <svg aria-hidden="true" viewBox="0 0 32 32" class="logo">
            <rect width="32" height="32" rx="7" fill="#1d4ed8" />
            <circle cx="10" cy="21" r="3.2" fill="#fff" />
            <circle cx="22" cy="11" r="3.2" fill="#fff" />
            <circle cx="22" cy="22" r="3.2" fill="#93c5fd" />
            <path d="M10 21 22 11M22 11v11" stroke="#fff" stroke-width="2" />
          </svg>
          <div>
            <h1 class="brand-name">AgentGraph</h1>
            <p class="brand-tagline">{t('app.tagline')}</p>
          </div>
        </div>
        {phase.kind === 'ready' && session && (
          <SessionBadge
            session={session}
            deadline={deadline}
            busy={busy}
            onNew={() => void endSession(true)}
            onEnd={() => void endSession(false)}
            onZero={onZero}
          />
        )}
        <fieldset class="lang" aria-label={t('lang.label')}>
          {(['pt', 'en'] as const).map((code) => (
            <button
              key={code}
              type="button"
              class={`lang-btn${lang === code ? ' active' : ''}`}
              aria-pressed={lang === code}
              lang={code === 'pt' ? 'pt-BR' : 'en'}
              title={t(code === 'pt' ? 'lang.pt' : 'lang.en')}
              onClick={() => switchLanguage(code)}
            >
              {code.toUpperCase()}
            </button>
          ))}
        </fieldset>
      </header>

      <main class="page" id="main" tabIndex={-1}>
        {messages.length > 0 && (
          <div class="messages" role="alert" data-testid="errors">
            {messages.map((m) => (
              <div key={m.id} class="notice error">
                <span>{m.text}</span>
                <button
                  type="button"
                  class="icon-btn"
                  aria-label={t('error.dismiss')}
                  onClick={() => setMessages((list) => list.filter((x) => x.id !== m.id))}
                >
                  ×
                </button>
              </div>
            ))}
          </div>
        )}

        {phase.kind === 'loading' && (
          <p class="loading" role="status">
            <span class="spinner" aria-hidden="true" /> {t('session.starting')}
          </p>
        )}

        {phase.kind === 'expired' && (
          <NoticeCard
            testId="expired"
            title={t('session.expiredTitle')}
            text={t('session.expiredText', { minutes: formatDuration(lastTtl.current, lang) })}
            action={t('session.startAgain')}
            onAction={() => void start(true)}
          />
        )}
        {phase.kind === 'ended' && (
          <NoticeCard
            testId="ended"
            title={t('session.endedTitle')}
            text={t('session.endedText')}
            action={t('session.startAgain')}
            onAction={() => void start(true)}
          />
        )}
        {phase.kind === 'limit' && (
          <NoticeCard
            testId="limit"
            title={t('session.limitTitle')}
            text={t('session.limitText')}
            detail={phase.message}
            action={t('session.retry')}
            onAction={() => void start(true)}
          />
        )}
        {phase.kind === 'failed' && (
          <NoticeCard
            testId="failed"
            title={t('session.failedTitle')}
            text={phase.message}
            action={t('session.retry')}
            onAction={() => void start(false)}
          />
        )}

        {phase.kind === 'ready' && session && (
          <div class="layout">
            <div class="col-main">
              <section class="card data" aria-labelledby="data-title">
                <h2 id="data-title">{t('data.title')}</h2>
                {session.connection_type === 'csv' && (
                  <Upload onUploaded={onUploaded} onSessionError={sessionLost} />
                )}
                <Connect
                  session={session}
                  onChanged={() => void Promise.all([refreshTables(), refreshSession()])}
                  onSessionError={sessionLost}
                />
                {tables.length === 0 ? (
                  <p class="muted empty">{t('data.empty')}</p>
                ) : (
                  <div class="table-cards">
                    {tables.map((table) => (
                      <TableCard
                        key={table.name}
                        table={table}
                        // Own keys only: a table called `constructor` would find Object's (issue 12).
                        warnings={Object.hasOwn(warnings, table.name) ? warnings[table.name]! : []}
                        {...(session.connection_type === 'csv' ? { onDelete: deleteTable } : {})}
                        onError={report}
                      />
                    ))}
                  </div>
                )}
              </section>
              <Ask
                enabled={tables.length > 0}
                suggestions={suggestions}
                running={running}
                onAsk={(q) => void ask(q)}
                onCancel={() => void cancel()}
              />
              {result && (
                <Result
                  result={result.value}
                  focus={result.focus}
                  advanced={session.advanced_mode}
                  onAsk={(q) => void ask(q)}
                />
              )}
            </div>
            <aside class="col-side">
              <History
                items={history}
                selected={result?.value.query_id ?? null}
                onOpen={(id) => void openHistory(id)}
              />
              <Settings
                session={session}
                models={models.models}
                modelsReason={models.reason}
                onSaved={adopt}
                onError={report}
              />
            </aside>
          </div>
        )}
      </main>
      <footer class="footer muted small">AgentGraph · {t('session.renewHint')}</footer>
    </div>
  );
}

function NoticeCard(props: {
  testId: string;
  title: string;
  text: string;
  detail?: string;
  action: string;
  onAction: () => void;
}) {
  const button = useRef<HTMLButtonElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <section class="card notice-card" data-testid={props.testId} aria-labelledby={`${props.testId}-title`}>
      <h2 id={`${props.testId}-title`} ref={heading} tabIndex={-1}>
        {props.title}
      </h2>
      <p>{props.text}</p>
      {props.detail && <p class="muted small">{props.detail}</p>}
      <button ref={button} type="button" class="btn primary" onClick={props.onAction}>
        {props.action}
      </button>
    </section>
  );
}
