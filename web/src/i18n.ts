/**
 * UI strings in English and Brazilian Portuguese. The language comes from the browser (navigator.languages) unless
 * the user picked one, which is remembered in localStorage. Placeholders are `{name}`.
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Lang } from './api';

const en = {
  'app.tagline': 'Ask questions about your data',
  'app.skip': 'Skip to the content',
  'lang.label': 'Language',
  'lang.pt': 'Português',
  'lang.en': 'English',

  'session.label': 'Your session',
  'session.timeLeft': 'Time left',
  'session.timeLeftAria': '{time} left before the session expires',
  'session.storage': 'Storage',
  'session.storageValue': '{used} of {limit}',
  'session.new': 'New session',
  'session.end': 'End session',
  'session.renewHint': 'Every action renews the session.',
  'session.starting': 'Starting your session…',
  'session.expiredTitle': 'Your session has expired',
  'session.expiredText':
    'Sessions end after {minutes} without activity, and the files, tables and answers they held are deleted. Start a new session to continue.',
  'session.endedTitle': 'Session ended',
  'session.endedText': 'Your files, tables and answers were deleted from the server.',
  'session.startAgain': 'Start a new session',
  'session.limitTitle': 'Too many open sessions',
  'session.limitText':
    'Each network address may keep a few sessions open at once, and yours has reached that limit. End a session you opened in another tab or browser, or wait for one to expire, then try again.',
  'session.failedTitle': 'The session could not be started',
  'session.retry': 'Try again',

  'data.title': 'Your data',
  'data.drop': 'Drag and drop files here, or',
  'data.pick': 'choose files',
  'data.formats': 'CSV, TSV, JSON, NDJSON or XLSX (also .gz). Several at once.',
  'data.sending': 'Sending {percent}%',
  'data.importing': 'Importing…',
  'data.imported': 'Imported as table {table}',
  'data.failed': 'Failed: {message}',
  'data.empty': 'No tables yet. Upload a file to start.',
  'db.open': 'Connect a database',
  'db.title': 'Connect a database',
  'db.type': 'Database',
  'db.host': 'Host',
  'db.port': 'Port',
  'db.database': 'Database name',
  'db.user': 'User',
  'db.password': 'Password',
  'db.schema': 'Schema',
  'db.connect': 'Connect',
  'db.connecting': 'Connecting…',
  'db.cancel': 'Cancel',
  'db.connected': 'Connected to {uri}',
  'db.disconnect': 'Back to my files',
  'db.found': '{count} tables found',
  'db.found.one': '1 table found',
  'db.readOnly': 'Questions run in the database, read-only.',
  'data.rows': '{count} rows',
  'data.rows.one': '1 row',
  'data.columns': '{count} columns',
  'data.columns.one': '1 column',
  'data.from': 'from {file}',
  'data.preview': 'Preview',
  'data.hidePreview': 'Hide preview',
  'data.delete': 'Delete',
  'data.deleteAria': 'Delete table {table}',
  'data.previewAria': 'Preview of table {table}',
  'data.warnings': 'Warnings',
  'data.dismiss': 'Dismiss',

  'type.integer': 'integer',
  'type.real': 'decimal',
  'type.text': 'text',
  'type.date': 'date',
  'type.datetime': 'date & time',
  'type.boolean': 'yes/no',

  'ask.title': 'Ask a question',
  'ask.label': 'Your question',
  'ask.placeholder': 'e.g. What is the average price by category?',
  'ask.hint': 'Press Enter to ask, Shift+Enter for a new line.',
  'ask.submit': 'Ask',
  'ask.cancel': 'Cancel',
  'ask.needTables': 'Upload a file first: questions are answered from your tables.',
  'ask.suggestions': 'Suggestions',
  'ask.running': 'Working on it…',
  'ask.queued': 'Waiting in line…',
  'ask.progress': 'Progress',

  'suggest.rows': 'How many rows are in {table}?',
  'suggest.avg': 'Average {number} by {category}',
  'suggest.total': 'Total {number} per month',
  'suggest.max': 'What is the maximum {number}?',

  'step.validate_input': 'Checking the question',
  'step.load_session': 'Loading the session',
  'step.pick_tables': 'Choosing tables',
  'step.get_agent': 'Preparing the model',
  'step.generate_sql': 'Writing SQL',
  'step.run_sql': 'Running the query',
  'step.refine_answer': 'Refining the answer',
  'step.choose_chart': 'Choosing a chart',
  'step.format_answer': 'Writing the answer',

  'result.title': 'Answer',
  'result.sql': 'SQL',
  'result.showSql': 'Show the SQL',
  'result.copy': 'Copy',
  'result.copied': 'Copied',
  'result.copyFailed': 'Could not copy',
  'result.table': 'Result',
  'result.rows': '{count} rows',
  'result.rows.one': '1 row',
  'result.truncated': 'Only the first {count} rows were returned.',
  'result.chart': 'Chart',
  'result.chartLoading': 'Drawing the chart…',
  'result.chartFailed': 'The chart could not be drawn: {message}',
  'result.download': 'Download CSV',
  'result.cancelled': 'The question was cancelled.',
  'result.failed': 'The question could not be answered.',
  'result.unsupported': 'Questions I can answer about these tables:',
  'result.noRows': 'The query returned no rows.',
  'result.model': 'Model: {model}',
  'result.time': 'Time: {ms} ms',
  'result.explanation': 'Explanation',
  'result.reading': 'How I read the question',
  'result.timings': 'Timings',

  'grid.page': 'Page {page} of {pages}',
  'grid.prev': 'Previous page',
  'grid.next': 'Next page',
  'grid.range': 'Rows {from}–{to} of {total}',
  'grid.sortBy': 'Sort by {column}',
  'grid.null': 'empty',

  'history.title': 'History',
  'history.empty': 'Your questions will appear here.',
  'history.rows': '{count} rows',
  'history.rows.one': '1 row',
  'history.unsupported': 'not answered',
  'history.refresh': 'Refresh',

  'settings.title': 'Settings',
  'settings.model': 'Model',
  'settings.topK': 'Rows the model may see per lookup (top_k)',
  'settings.tables': 'Tables to include',
  'settings.allTables': 'All tables',
  'settings.someTables': 'Only the tables checked below',
  'settings.advanced': 'Advanced mode (show timings and explanations)',
  'settings.save': 'Save settings',
  'settings.saved': 'Settings saved.',
  'settings.noTables': 'No tables yet.',
  'settings.modelReason': 'Only the built-in model is available: {reason}',

  'error.title': 'Something went wrong',
  'error.dismiss': 'Dismiss message',
  'error.crash': 'The page hit an unexpected error. Your session and data are still on the server.',
  'error.reload': 'Reload the page',
  'error.pickTables': 'Pick at least one table, or choose "All tables".',
};

export type MessageKey = keyof typeof en;

const pt: Record<MessageKey, string> = {
  'app.tagline': 'Pergunte sobre os seus dados',
  'app.skip': 'Ir para o conteúdo',
  'lang.label': 'Idioma',
  'lang.pt': 'Português',
  'lang.en': 'English',

  'session.label': 'Sua sessão',
  'session.timeLeft': 'Tempo restante',
  'session.timeLeftAria': 'faltam {time} para a sessão expirar',
  'session.storage': 'Espaço',
  'session.storageValue': '{used} de {limit}',
  'session.new': 'Nova sessão',
  'session.end': 'Encerrar sessão',
  'session.renewHint': 'Cada ação renova a sessão.',
  'session.starting': 'Iniciando a sua sessão…',
  'session.expiredTitle': 'Sua sessão expirou',
  'session.expiredText':
    'As sessões terminam após {minutes} sem atividade, e os arquivos, tabelas e respostas que guardavam são apagados. Inicie uma nova sessão para continuar.',
  'session.endedTitle': 'Sessão encerrada',
  'session.endedText': 'Seus arquivos, tabelas e respostas foram apagados do servidor.',
  'session.startAgain': 'Iniciar uma nova sessão',
  'session.limitTitle': 'Sessões abertas demais',
  'session.limitText':
    'Cada endereço de rede pode manter poucas sessões abertas ao mesmo tempo, e o seu chegou a esse limite. Encerre uma sessão aberta em outra aba ou navegador, ou espere uma expirar, e tente de novo.',
  'session.failedTitle': 'Não foi possível iniciar a sessão',
  'session.retry': 'Tentar de novo',

  'data.title': 'Seus dados',
  'data.drop': 'Arraste e solte arquivos aqui, ou',
  'data.pick': 'escolha arquivos',
  'data.formats': 'CSV, TSV, JSON, NDJSON ou XLSX (também .gz). Vários de uma vez.',
  'data.sending': 'Enviando {percent}%',
  'data.importing': 'Importando…',
  'data.imported': 'Importado como a tabela {table}',
  'data.failed': 'Falhou: {message}',
  'data.empty': 'Nenhuma tabela ainda. Envie um arquivo para começar.',
  'db.open': 'Conectar um banco de dados',
  'db.title': 'Conectar um banco de dados',
  'db.type': 'Banco',
  'db.host': 'Servidor',
  'db.port': 'Porta',
  'db.database': 'Nome do banco',
  'db.user': 'Usuário',
  'db.password': 'Senha',
  'db.schema': 'Schema',
  'db.connect': 'Conectar',
  'db.connecting': 'Conectando…',
  'db.cancel': 'Cancelar',
  'db.connected': 'Conectado a {uri}',
  'db.disconnect': 'Voltar aos meus arquivos',
  'db.found': '{count} tabelas encontradas',
  'db.found.one': '1 tabela encontrada',
  'db.readOnly': 'As perguntas rodam no banco, somente leitura.',
  'data.rows': '{count} linhas',
  'data.rows.one': '1 linha',
  'data.columns': '{count} colunas',
  'data.columns.one': '1 coluna',
  'data.from': 'de {file}',
  'data.preview': 'Pré-visualizar',
  'data.hidePreview': 'Ocultar prévia',
  'data.delete': 'Excluir',
  'data.deleteAria': 'Excluir a tabela {table}',
  'data.previewAria': 'Prévia da tabela {table}',
  'data.warnings': 'Avisos',
  'data.dismiss': 'Dispensar',

  'type.integer': 'inteiro',
  'type.real': 'decimal',
  'type.text': 'texto',
  'type.date': 'data',
  'type.datetime': 'data e hora',
  'type.boolean': 'sim/não',

  'ask.title': 'Faça uma pergunta',
  'ask.label': 'Sua pergunta',
  'ask.placeholder': 'ex.: Qual a média de preço por categoria?',
  'ask.hint': 'Enter pergunta, Shift+Enter quebra a linha.',
  'ask.submit': 'Perguntar',
  'ask.cancel': 'Cancelar',
  'ask.needTables': 'Envie um arquivo primeiro: as perguntas são respondidas a partir das suas tabelas.',
  'ask.suggestions': 'Sugestões',
  'ask.running': 'Trabalhando nisso…',
  'ask.queued': 'Aguardando na fila…',
  'ask.progress': 'Progresso',

  'suggest.rows': 'Quantas linhas há em {table}?',
  'suggest.avg': 'Média de {number} por {category}',
  'suggest.total': 'Total de {number} por mês',
  'suggest.max': 'Qual o maior valor de {number}?',

  'step.validate_input': 'Verificando a pergunta',
  'step.load_session': 'Carregando a sessão',
  'step.pick_tables': 'Escolhendo as tabelas',
  'step.get_agent': 'Preparando o modelo',
  'step.generate_sql': 'Escrevendo o SQL',
  'step.run_sql': 'Executando a consulta',
  'step.refine_answer': 'Refinando a resposta',
  'step.choose_chart': 'Escolhendo o gráfico',
  'step.format_answer': 'Redigindo a resposta',

  'result.title': 'Resposta',
  'result.sql': 'SQL',
  'result.showSql': 'Mostrar o SQL',
  'result.copy': 'Copiar',
  'result.copied': 'Copiado',
  'result.copyFailed': 'Não foi possível copiar',
  'result.table': 'Resultado',
  'result.rows': '{count} linhas',
  'result.rows.one': '1 linha',
  'result.truncated': 'Só as primeiras {count} linhas foram retornadas.',
  'result.chart': 'Gráfico',
  'result.chartLoading': 'Desenhando o gráfico…',
  'result.chartFailed': 'Não foi possível desenhar o gráfico: {message}',
  'result.download': 'Baixar CSV',
  'result.cancelled': 'A pergunta foi cancelada.',
  'result.failed': 'Não foi possível responder à pergunta.',
  'result.unsupported': 'Perguntas que sei responder sobre estas tabelas:',
  'result.noRows': 'A consulta não retornou linhas.',
  'result.model': 'Modelo: {model}',
  'result.time': 'Tempo: {ms} ms',
  'result.explanation': 'Explicação',
  'result.reading': 'Como li a pergunta',
  'result.timings': 'Tempos',

  'grid.page': 'Página {page} de {pages}',
  'grid.prev': 'Página anterior',
  'grid.next': 'Próxima página',
  'grid.range': 'Linhas {from}–{to} de {total}',
  'grid.sortBy': 'Ordenar por {column}',
  'grid.null': 'vazio',

  'history.title': 'Histórico',
  'history.empty': 'Suas perguntas aparecerão aqui.',
  'history.rows': '{count} linhas',
  'history.rows.one': '1 linha',
  'history.unsupported': 'sem resposta',
  'history.refresh': 'Atualizar',

  'settings.title': 'Configurações',
  'settings.model': 'Modelo',
  'settings.topK': 'Linhas que o modelo pode ver por consulta (top_k)',
  'settings.tables': 'Tabelas incluídas',
  'settings.allTables': 'Todas as tabelas',
  'settings.someTables': 'Só as tabelas marcadas abaixo',
  'settings.advanced': 'Modo avançado (mostra tempos e explicações)',
  'settings.save': 'Salvar configurações',
  'settings.saved': 'Configurações salvas.',
  'settings.noTables': 'Nenhuma tabela ainda.',
  'settings.modelReason': 'Só o modelo embutido está disponível: {reason}',

  'error.title': 'Algo deu errado',
  'error.dismiss': 'Dispensar mensagem',
  'error.crash': 'A página encontrou um erro inesperado. Sua sessão e seus dados continuam no servidor.',
  'error.reload': 'Recarregar a página',
  'error.pickTables': 'Marque ao menos uma tabela, ou escolha "Todas as tabelas".',
};

const catalogs: Record<Lang, Record<MessageKey, string>> = { en, pt };

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

export function translator(lang: Lang): Translate {
  const catalog = catalogs[lang];
  return (key, params) => {
    // Singular forms live under `key.one`, used when params.count is 1 (both languages have just one/other).
    const one = params && String(params.count) === '1' ? catalog[`${key}.one` as MessageKey] : undefined;
    const text = one ?? catalog[key] ?? en[key] ?? key;
    if (!params) return text;
    return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
      params[name] === undefined ? whole : String(params[name]),
    );
  };
}

const STORAGE_KEY = 'agentgraph.lang';

export function initialLanguage(): Lang {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'pt' || saved === 'en') return saved;
  } catch {
    // storage blocked: fall back to the browser's languages
  }
  const wanted = navigator.languages?.length ? navigator.languages : [navigator.language];
  for (const tag of wanted) {
    const lower = (tag ?? '').toLowerCase();
    if (lower.startsWith('pt')) return 'pt';
    if (lower.startsWith('en')) return 'en';
  }
  return 'en';
}

export function rememberLanguage(lang: Lang): void {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // not remembered: fine
  }
}

export const locales: Record<Lang, string> = { pt: 'pt-BR', en: 'en' };

export interface I18n {
  lang: Lang;
  locale: string;
  t: Translate;
}

export const I18nContext = createContext<I18n>({ lang: 'en', locale: 'en', t: translator('en') });

export function useI18n(): I18n {
  return useContext(I18nContext);
}
