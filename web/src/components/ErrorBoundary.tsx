/** Never a blank page: a render error anywhere below shows a short explanation and a reload button. */
import { Component, type ComponentChildren } from 'preact';
import type { Lang } from '../api';
import { translator } from '../i18n';

export class ErrorBoundary extends Component<
  { lang: Lang; children: ComponentChildren },
  { error: Error | null }
> {
  override state = { error: null as Error | null };

  static override getDerivedStateFromError(error: unknown) {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: unknown) {
    console.error('AgentGraph UI error', error);
  }

  override render() {
    if (!this.state.error) return this.props.children;
    const t = translator(this.props.lang);
    return (
      <main class="page crash" role="alert">
        <div class="card notice-card">
          <h1>{t('error.title')}</h1>
          <p>{t('error.crash')}</p>
          <pre class="small muted">{this.state.error.message}</pre>
          <button type="button" class="btn primary" onClick={() => window.location.reload()}>
            {t('error.reload')}
          </button>
        </div>
      </main>
    );
  }
}
