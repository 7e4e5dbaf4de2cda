/**
 * The question box, its suggestions, and the live progress of a running question (one line per graph step, from
 * the SSE `step` events) with a cancel button.
 */
import { useState } from 'preact/hooks';
import type { QueryStatus } from '../api';
import { type MessageKey, useI18n } from '../i18n';

export interface StepState {
  step: string;
  done: boolean;
  ms?: number;
}

export interface Running {
  queryId: string | null;
  question: string;
  status: QueryStatus;
  steps: StepState[];
  cancelling: boolean;
}

export function Ask(props: {
  enabled: boolean;
  suggestions: string[];
  running: Running | null;
  onAsk: (question: string) => void;
  onCancel: () => void;
}) {
  const { t, locale } = useI18n();
  const [question, setQuestion] = useState('');
  const busy = props.running !== null;
  const submit = (text: string) => {
    const trimmed = text.trim();
    if (!trimmed || busy || !props.enabled) return;
    props.onAsk(trimmed);
  };
  const stepLabel = (step: string) => {
    const key = `step.${step}` as MessageKey;
    const label = t(key);
    return label === key ? step : label;
  };

  return (
    <section class="card ask" aria-labelledby="ask-title">
      <h2 id="ask-title">{t('ask.title')}</h2>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          submit(question);
        }}
      >
        <label for="question" class="sr-only">
          {t('ask.label')}
        </label>
        <div class="ask-row">
          <textarea
            id="question"
            name="question"
            rows={2}
            maxLength={2000}
            value={question}
            placeholder={t('ask.placeholder')}
            disabled={!props.enabled}
            aria-describedby="ask-hint"
            onInput={(event) => setQuestion((event.currentTarget as HTMLTextAreaElement).value)}
            onKeyDown={(event) => {
              if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
                event.preventDefault();
                submit(question);
              }
            }}
          />
          {busy ? (
            <button
              type="button"
              class="btn danger"
              onClick={props.onCancel}
              disabled={props.running?.cancelling || !props.running?.queryId}
            >
              {t('ask.cancel')}
            </button>
          ) : (
            <button type="submit" class="btn primary" disabled={!props.enabled || !question.trim()}>
              {t('ask.submit')}
            </button>
          )}
        </div>
        <p id="ask-hint" class="muted small">
          {props.enabled ? t('ask.hint') : t('ask.needTables')}
        </p>
      </form>
      {props.enabled && props.suggestions.length > 0 && (
        <div class="suggest-block">
          <h3 class="small-heading">{t('ask.suggestions')}</h3>
          <ul class="chips">
            {props.suggestions.map((s) => (
              <li key={s}>
                <button
                  type="button"
                  class="chip"
                  disabled={busy}
                  onClick={() => {
                    setQuestion(s);
                    submit(s);
                  }}
                >
                  {s}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
      {props.running && (
        <div class="progress" data-testid="progress">
          <p class="progress-title" role="status">
            <span class="spinner" aria-hidden="true" />
            {props.running.status === 'queued' ? t('ask.queued') : t('ask.running')}
          </p>
          <ol class="steps" aria-label={t('ask.progress')}>
            {props.running.steps.map((step) => (
              <li key={step.step} class={step.done ? 'done' : 'active'}>
                <span aria-hidden="true" class="step-mark">
                  {step.done ? '✓' : '•'}
                </span>
                {stepLabel(step.step)}
                {step.done && step.ms !== undefined && (
                  <span class="muted small">
                    {' '}
                    {step.ms.toLocaleString(locale, { maximumFractionDigits: 0 })} ms
                  </span>
                )}
              </li>
            ))}
          </ol>
        </div>
      )}
    </section>
  );
}
