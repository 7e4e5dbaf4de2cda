/** Entry point: language (browser or remembered choice), the error boundary, and the app. */
import { render } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { App } from './App';
import { type Lang, setApiLanguage } from './api';
import { ErrorBoundary } from './components/ErrorBoundary';
import { I18nContext, initialLanguage, locales, rememberLanguage, translator } from './i18n';
import './styles.css';

function Root() {
  const [lang, setLang] = useState<Lang>(initialLanguage);
  setApiLanguage(lang);
  document.documentElement.lang = locales[lang];
  const i18n = useMemo(() => ({ lang, locale: locales[lang], t: translator(lang) }), [lang]);
  document.title = `AgentGraph — ${i18n.t('app.tagline')}`;
  const choose = (next: Lang) => {
    rememberLanguage(next);
    setApiLanguage(next);
    setLang(next);
  };
  return (
    <I18nContext.Provider value={i18n}>
      <ErrorBoundary lang={lang}>
        <App onLang={choose} />
      </ErrorBoundary>
    </I18nContext.Provider>
  );
}

const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(<Root />, root);
}
