/**
 * The error catalogue: every failure a user can see has a stable code, an HTTP status and a message in
 * English and Portuguese. Errors are thrown deep (AppError) and mapped once at the HTTP edge, so modules
 * below `http/` never know about status codes or languages beyond this table.
 */

export type Lang = 'en' | 'pt';

type Params = Record<string, string | number>;
type Message = string | ((p: Params) => string);

interface CatalogueEntry {
  status: number;
  en: Message;
  pt: Message;
}

export const ERROR_CATALOGUE = {
  bad_input: {
    status: 400,
    en: (p) => `Invalid input: ${p.detail ?? 'the request could not be understood'}.`,
    pt: (p) => `Entrada inválida: ${p.detail_pt ?? p.detail ?? 'não foi possível entender a requisição'}.`,
  },
  bad_session_id: {
    status: 400,
    en: 'The session id is malformed. Start a new session with POST /api/sessions.',
    pt: 'O identificador de sessão é inválido. Crie uma nova sessão com POST /api/sessions.',
  },
  session_missing: {
    status: 401,
    en: 'No session: send the agentgraph_sid cookie or the X-Session-Id header, or create one with POST /api/sessions.',
    pt: 'Nenhuma sessão: envie o cookie agentgraph_sid ou o cabeçalho X-Session-Id, ou crie uma com POST /api/sessions.',
  },
  unauthorized: {
    status: 401,
    en: 'Missing or wrong bearer token.',
    pt: 'Token de acesso ausente ou incorreto.',
  },
  // 403: a browser page of another site (or another port of this host) tried to change a session (issue 12).
  cross_site_request: {
    status: 403,
    en: 'Refused: this request came from another site. Use the AgentGraph page itself, or an API client.',
    pt: 'Recusado: esta requisição veio de outro site. Use a própria página do AgentGraph ou um cliente de API.',
  },
  session_expired: {
    status: 404,
    en: 'This session has expired or does not exist. Start a new one to continue.',
    pt: 'Esta sessão expirou ou não existe. Inicie uma nova para continuar.',
  },
  not_found: {
    status: 404,
    en: (p) => `Not found: ${p.what ?? 'resource'}.`,
    pt: (p) => `Não encontrado: ${p.what ?? 'recurso'}.`,
  },
  // REQUEST_TIMEOUT / IDLE_TIMEOUT: a client too slow to send its request holds a socket and, for an upload, a
  // transaction (issue 12).
  request_timeout: {
    status: 408,
    en: 'The request did not arrive in time: the client was too slow or stopped sending. Send it again.',
    pt: 'A requisição não chegou a tempo: o cliente foi lento demais ou parou de enviar. Envie-a novamente.',
  },
  conflict: {
    status: 409,
    en: (p) => `Conflict: ${p.detail ?? 'the resource changed'}.`,
    pt: (p) => `Conflito: ${p.detail_pt ?? p.detail ?? 'o recurso mudou'}.`,
  },
  // An import holds the session database's lock (issue 12): answering now would mean waiting, and a wait on a lock
  // must never hold up the server; the import ends within IMPORT_TIMEOUT, so trying again soon works.
  session_busy: {
    status: 409,
    en: 'This session is busy importing a file. Try again in a moment, once the upload has finished.',
    pt: 'Esta sessão está ocupada importando um arquivo. Tente novamente em instantes, quando o envio terminar.',
  },
  no_tables: {
    status: 409,
    en: 'Upload a file first: this session has no tables yet.',
    pt: 'Envie um arquivo primeiro: esta sessão ainda não tem tabelas.',
  },
  payload_too_large: {
    status: 413,
    en: (p) => `The request body is too large (limit ${p.limit}).`,
    pt: (p) => `O corpo da requisição é grande demais (limite ${p.limit}).`,
  },
  quota_exceeded: {
    status: 413,
    en: (p) =>
      `This session would exceed its storage limit of ${p.limit_mb} MB. Free space by deleting a table or clearing the question history, or start a new session.`,
    pt: (p) =>
      `Esta sessão ultrapassaria seu limite de armazenamento de ${p.limit_mb} MB. Libere espaço excluindo uma tabela ou limpando o histórico de perguntas, ou inicie uma nova sessão.`,
  },
  // 408: the client stopped sending (issue 12: a stalled upload once held a lock that froze every session).
  upload_stalled: {
    status: 408,
    en: (p) =>
      `The upload stopped sending data for ${p.seconds} s and was cancelled; nothing was imported. Send the file again.`,
    pt: (p) =>
      `O envio parou de mandar dados por ${p.seconds} s e foi cancelado; nada foi importado. Envie o arquivo novamente.`,
  },
  // An import stopped by the limits of its process (time, CPU, memory): the file is too big or too complex to import
  // without taking resources from other sessions.
  import_limit: {
    status: 422,
    en: (p) =>
      `The file could not be imported within the server's limits: ${p.detail}. Split it into smaller files or simplify it.`,
    pt: (p) =>
      `Não foi possível importar o arquivo dentro dos limites do servidor: ${p.detail_pt ?? p.detail}. Divida-o em arquivos menores ou simplifique-o.`,
  },
  unsupported_media_type: {
    status: 415,
    en: (p) => `Unsupported content type${p.type ? ` (${p.type})` : ''}.`,
    pt: (p) => `Tipo de conteúdo não suportado${p.type ? ` (${p.type})` : ''}.`,
  },
  unprocessable_file: {
    status: 422,
    en: (p) => `The file could not be imported: ${p.detail ?? 'its content could not be read'}.`,
    pt: (p) => `Não foi possível importar o arquivo: ${p.detail ?? 'seu conteúdo não pôde ser lido'}.`,
  },
  // Issue 15: a session connected to a PostgreSQL or MySQL/MariaDB database.
  connections_disabled: {
    status: 403,
    en: 'Connecting to a database is not enabled on this server (its administrator sets DB_ALLOWED_HOSTS). Upload files instead.',
    pt: 'A conexão a um banco de dados não está habilitada neste servidor (o administrador define DB_ALLOWED_HOSTS). Envie arquivos.',
  },
  host_not_allowed: {
    status: 403,
    en: (p) =>
      `The database host ${p.host} is not allowed on this server${p.address ? ` (it resolves to ${p.address})` : ''}: ask its administrator to add it to DB_ALLOWED_HOSTS.`,
    pt: (p) =>
      `O servidor de banco ${p.host} não é permitido aqui${p.address ? ` (ele aponta para ${p.address})` : ''}: peça ao administrador para incluí-lo em DB_ALLOWED_HOSTS.`,
  },
  connection_failed: {
    status: 422,
    en: (p) => `Could not connect to the database: ${p.detail}.`,
    pt: (p) => `Não foi possível conectar ao banco de dados: ${p.detail_pt ?? p.detail}.`,
  },
  unsafe_sql: {
    status: 422,
    en: (p) => `The SQL was rejected: ${p.reason}.`,
    pt: (p) => `O SQL foi recusado: ${p.reason_pt ?? p.reason}.`,
  },
  sql_error: {
    status: 422,
    en: (p) => `The SQL failed: ${p.detail}.`,
    pt: (p) => `O SQL falhou: ${p.detail}.`,
  },
  // 422, not 408: the statement itself is too expensive (retrying it unchanged fails again), and clients and
  // browsers treat 408 as "your request was slow to arrive" and may resend it automatically.
  query_timeout: {
    status: 422,
    en: (p) => `The query took too long and was stopped: the limit is ${p.limit_ms} ms. Try a simpler query.`,
    pt: (p) =>
      `A consulta demorou demais e foi interrompida: o limite é ${p.limit_ms} ms. Tente uma consulta mais simples.`,
  },
  query_cancelled: {
    status: 409,
    en: 'The query was cancelled before it finished.',
    pt: 'A consulta foi cancelada antes de terminar.',
  },
  result_too_large: {
    status: 422,
    en: (p) => `The query result is too large (over ${p.limit_mb} MB). Select fewer or shorter columns.`,
    pt: (p) =>
      `O resultado da consulta é grande demais (mais de ${p.limit_mb} MB). Selecione menos colunas ou colunas menores.`,
  },
  sandbox_crashed: {
    status: 500,
    en: 'The query process stopped unexpectedly (the statement may have used too much memory). Try a simpler query.',
    pt: 'O processo da consulta parou inesperadamente (a instrução pode ter usado memória demais). Tente uma consulta mais simples.',
  },
  // Scaled mode: the worker process running the question died (twice: it is retried once on another worker).
  worker_lost: {
    status: 500,
    en: 'The worker running this question stopped before it finished, also on retry. Ask again.',
    pt: 'O processo que respondia a esta pergunta parou antes de terminar, também na nova tentativa. Pergunte novamente.',
  },
  too_many_queries: {
    status: 429,
    en: (p) => `This session already has ${p.limit} questions waiting. Wait for some to finish.`,
    pt: (p) => `Esta sessão já tem ${p.limit} perguntas aguardando. Espere algumas terminarem.`,
  },
  session_limit: {
    status: 429,
    en: (p) =>
      `This address already has ${p.limit} active sessions, the maximum. End one or wait for it to expire.`,
    pt: (p) =>
      `Este endereço já tem ${p.limit} sessões ativas, o máximo permitido. Encerre uma ou aguarde que expire.`,
  },
  // Model provider failures (engine/models/http.ts). 502/504: the fault is upstream of us, not the visitor's
  // request; model_auth is 502 too, because the key is the server's configuration, not the visitor's credential.
  model_unavailable: {
    status: 502,
    en: (p) =>
      `The model server ${p.host ?? ''} could not be reached${p.detail ? ` (${p.detail})` : ''}. Check that it is running, or choose another model.`,
    pt: (p) =>
      `Não foi possível contatar o servidor de modelos ${p.host ?? ''}${p.detail ? ` (${p.detail})` : ''}. Verifique se ele está no ar ou escolha outro modelo.`,
  },
  model_auth: {
    status: 502,
    en: (p) =>
      `The ${p.provider ?? 'model'} API rejected the server's API key${p.status ? ` (HTTP ${p.status})` : ''}. Check ${p.variable ?? 'the API key setting'}.`,
    pt: (p) =>
      `A API ${p.provider ?? 'do modelo'} recusou a chave de API do servidor${p.status ? ` (HTTP ${p.status})` : ''}. Verifique ${p.variable ?? 'a configuração da chave de API'}.`,
  },
  model_timeout: {
    status: 504,
    en: (p) =>
      `The model (${p.provider ?? 'provider'}) did not answer within ${p.timeout_ms ?? '?'} ms. Try again or choose another model.`,
    pt: (p) =>
      `O modelo (${p.provider ?? 'provedor'}) não respondeu em ${p.timeout_ms ?? '?'} ms. Tente novamente ou escolha outro modelo.`,
  },
  model_rate_limited: {
    status: 503,
    en: (p) =>
      `The model provider (${p.provider ?? 'provider'}) is limiting requests right now. Try again in a moment.`,
    pt: (p) =>
      `O provedor do modelo (${p.provider ?? 'provedor'}) está limitando as requisições agora. Tente novamente em instantes.`,
  },
  model_error: {
    status: 502,
    en: (p) => `The model (${p.provider ?? 'provider'}) failed: ${p.detail ?? 'unexpected response'}.`,
    pt: (p) => `O modelo (${p.provider ?? 'provedor'}) falhou: ${p.detail ?? 'resposta inesperada'}.`,
  },
  store_unavailable: {
    status: 503,
    en: 'The session store is unreachable right now. Please try again in a moment.',
    pt: 'O armazenamento de sessões está inacessível no momento. Tente novamente em instantes.',
  },
  internal: {
    status: 500,
    en: (p) => `Internal error (request ${p.request_id ?? '?'}).`,
    pt: (p) => `Erro interno (requisição ${p.request_id ?? '?'}).`,
  },
} satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export function renderMessage(code: ErrorCode, lang: Lang, params: Params = {}): string {
  const entry: CatalogueEntry = ERROR_CATALOGUE[code];
  const message = entry[lang];
  return typeof message === 'function' ? message(params) : message;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly params: Params;
  readonly status: number;

  constructor(code: ErrorCode, params: Params = {}, options?: { cause?: unknown }) {
    super(renderMessage(code, 'en', params), options);
    this.name = 'AppError';
    this.code = code;
    this.params = params;
    this.status = ERROR_CATALOGUE[code].status;
  }

  localized(lang: Lang): string {
    return renderMessage(this.code, lang, this.params);
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
