/**
 * The UI's only way to the server: the public HTTP API of docs/api.md. Every call sends the UI language as
 * Accept-Language, so error messages come back in it; every error becomes an ApiError with the server's code and
 * message. Successful calls that name the session renew its TTL on the server, so they are reported as activity
 * (the session badge restarts its countdown from them).
 */

export type Lang = 'pt' | 'en';

export interface SessionLimits {
  session_ttl_seconds: number;
  max_sessions_per_ip: number;
  max_session_size_bytes: number;
}

export interface Session {
  session_id: string;
  version: number;
  created_at: number;
  expires_at: number;
  ttl_seconds: number;
  size_bytes: number;
  selected_model: string;
  top_k: number;
  include_tables_key: string;
  advanced_mode: boolean;
  total_queries: number;
  tables: string[];
  language: Lang | null;
  limits: SessionLimits;
  /** `csv`: the uploads; otherwise a connected database (db_uri: its URI, password masked). */
  connection_type: 'csv' | 'postgresql' | 'mysql';
  db_uri: string;
}

export interface ConnectionInput {
  type: 'postgresql' | 'mysql';
  host: string;
  port?: number;
  database: string;
  user: string;
  password: string;
  schema?: string;
}

export interface ConnectResponse {
  connection: Omit<ConnectionInput, 'password'> & { uri: string };
  tables: Array<{ name: string; rows: number; columns: Array<{ name: string; type: string }> }>;
  warnings: string[];
}

export interface SessionPatch {
  selected_model?: string;
  top_k?: number;
  include_tables_key?: string;
  advanced_mode?: boolean;
  language?: Lang | null;
}

export type ColumnType = 'integer' | 'real' | 'text' | 'date' | 'datetime' | 'boolean' | string;

export interface Column {
  name: string;
  label?: string;
  type: ColumnType;
  null_count?: number;
  distinct_estimate?: number;
}

export interface TableInfo {
  name: string;
  label?: string;
  rows: number;
  size_bytes?: number;
  columns: Column[];
}

export interface UploadResponse {
  table: TableInfo;
  tables?: TableInfo[];
  warnings: unknown[];
  session?: Partial<Session>;
}

export interface Preview {
  columns: Column[];
  rows: unknown[][];
  total: number;
  limit: number;
  offset: number;
}

export type QueryStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface QueryResult {
  query_id: string;
  status: QueryStatus;
  question: string;
  answer?: string | null;
  sql?: string | null;
  columns?: string[];
  rows?: unknown[][];
  row_count?: number;
  truncated?: boolean;
  chart?: Record<string, unknown> | null;
  model?: string;
  explanation?: string | null;
  /** What was computed, in words (built-in engine): shown above the result table. */
  reading?: string | null;
  timings?: Record<string, number>;
  unsupported?: boolean;
  suggestions?: string[];
  error?: { code: string; message: string };
  created_at?: number;
  finished_at?: number;
}

export interface HistoryItem {
  query_id: string;
  question: string;
  status: QueryStatus;
  answer?: string | null;
  row_count?: number;
  created_at?: number;
  unsupported?: boolean;
}

export interface ModelInfo {
  id: string;
  provider?: string;
  label?: string;
  default?: boolean;
}

export interface StepEvent {
  type: 'step';
  step: string;
  phase: 'start' | 'end';
  ms?: number;
}

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let language: Lang = 'en';
const activityListeners = new Set<() => void>();

export function setApiLanguage(lang: Lang): void {
  language = lang;
}

/** Called after every successful request that renewed the session. */
export function onActivity(listener: () => void): () => void {
  activityListeners.add(listener);
  return () => activityListeners.delete(listener);
}

function activity(): void {
  for (const listener of activityListeners) listener();
}

function acceptLanguage(): string {
  return language === 'pt' ? 'pt-BR,pt;q=0.9' : 'en';
}

const FALLBACK: Record<Lang, string> = {
  en: 'The server could not be reached. Check your connection and try again.',
  pt: 'Não foi possível falar com o servidor. Verifique a conexão e tente de novo.',
};

function errorFromBody(status: number, body: unknown, statusText: string): ApiError {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (error && typeof error.code === 'string' && typeof error.message === 'string') {
    return new ApiError(error.code, error.message, status);
  }
  return new ApiError('http_error', `HTTP ${status} ${statusText}`.trim(), status);
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { 'accept-language': acceptLanguage(), accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new ApiError('network', FALLBACK[language], 0);
  }
  if (response.status === 204) {
    if (path.startsWith('/api/session/')) activity();
    return undefined as T;
  }
  const parsed: unknown = await response.json().catch(() => null);
  if (!response.ok) throw errorFromBody(response.status, parsed, response.statusText);
  if (path.startsWith('/api/session')) activity();
  return parsed as T;
}

const enc = encodeURIComponent;

export const api = {
  createSession: () => request<{ session: Session }>('POST', '/api/sessions').then((r) => r.session),
  getSession: () => request<{ session: Session }>('GET', '/api/session').then((r) => r.session),
  updateSession: (patch: SessionPatch) =>
    request<{ session: Session }>('PATCH', '/api/session', patch).then((r) => r.session),
  endSession: () => request<void>('DELETE', '/api/session'),
  tables: () => request<{ tables: TableInfo[] }>('GET', '/api/session/tables').then((r) => r.tables),
  preview: (name: string, limit: number, offset: number) =>
    request<Preview>('GET', `/api/session/tables/${enc(name)}?limit=${limit}&offset=${offset}`),
  deleteTable: (name: string) => request<void>('DELETE', `/api/session/tables/${enc(name)}`),
  ask: (question: string) =>
    request<{ query_id: string; status: QueryStatus }>('POST', '/api/session/queries', { question }),
  query: (id: string) => request<QueryResult>('GET', `/api/session/queries/${enc(id)}`),
  cancel: (id: string) => request<{ cancel: string }>('POST', `/api/session/queries/${enc(id)}/cancel`),
  history: (limit = 50) =>
    request<{ history: HistoryItem[] }>('GET', `/api/session/history?limit=${limit}`).then((r) => r.history),
  models: () => request<{ models: ModelInfo[]; default: string; reason?: string }>('GET', '/api/models'),
  connectionEnabled: () =>
    request<{ enabled: boolean }>('GET', '/api/session/connection').then((r) => r.enabled),
  connect: (input: ConnectionInput) => request<ConnectResponse>('PUT', '/api/session/connection', input),
  disconnect: () => request<void>('DELETE', '/api/session/connection'),
  csvUrl: (id: string) => `/api/session/queries/${enc(id)}/result.csv`,
};

/**
 * Uploads one file with XMLHttpRequest, the one browser API that reports upload progress.
 * `onProgress` gets the fraction sent (0..1); the promise settles when the server has imported the file.
 */
export function uploadFile(
  file: File,
  onProgress: (fraction: number) => void,
): { done: Promise<UploadResponse>; abort: () => void } {
  const xhr = new XMLHttpRequest();
  const done = new Promise<UploadResponse>((resolve, reject) => {
    xhr.open('POST', '/api/session/uploads');
    xhr.setRequestHeader('accept-language', acceptLanguage());
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    xhr.upload.onload = () => onProgress(1);
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // not JSON: reported below by status
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        activity();
        resolve(body as UploadResponse);
      } else reject(errorFromBody(xhr.status, body, xhr.statusText));
    };
    xhr.onerror = () => reject(new ApiError('network', FALLBACK[language], 0));
    xhr.onabort = () => reject(new ApiError('aborted', 'aborted', 0));
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  });
  return { done, abort: () => xhr.abort() };
}

export interface QueryWatch {
  onStatus?: (status: QueryStatus) => void;
  onStep?: (event: StepEvent) => void;
  onDone: (result: QueryResult) => void;
  onError: (error: ApiError) => void;
}

const FINISHED: ReadonlySet<QueryStatus> = new Set(['done', 'failed', 'cancelled']);

/**
 * Follows a question through its Server-Sent Events (`status`, `step`, `done`). If the stream breaks before
 * `done` (a proxy cutting it, a network change), falls back to polling GET …/queries/:id. Returns a stop function.
 */
export function watchQuery(id: string, watch: QueryWatch): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const source = new EventSource(`/api/session/queries/${enc(id)}/events`);
  source.addEventListener('open', () => activity());
  source.addEventListener('status', (event) => {
    const data = JSON.parse((event as MessageEvent<string>).data) as { status: QueryStatus };
    watch.onStatus?.(data.status);
  });
  source.addEventListener('step', (event) => {
    watch.onStep?.(JSON.parse((event as MessageEvent<string>).data) as StepEvent);
  });
  source.addEventListener('done', (event) => {
    source.close();
    if (stopped) return;
    stopped = true;
    const data = JSON.parse((event as MessageEvent<string>).data) as { result: QueryResult };
    watch.onDone(data.result);
  });
  const poll = async () => {
    if (stopped) return;
    try {
      const result = await api.query(id);
      if (stopped) return;
      if (FINISHED.has(result.status)) {
        stopped = true;
        watch.onDone(result);
        return;
      }
      watch.onStatus?.(result.status);
    } catch (error) {
      if (stopped) return;
      stopped = true;
      watch.onError(error instanceof ApiError ? error : new ApiError('network', FALLBACK[language], 0));
      return;
    }
    timer = setTimeout(poll, 700);
  };
  source.addEventListener('error', () => {
    source.close();
    if (!stopped) void poll();
  });
  return () => {
    stopped = true;
    source.close();
    if (timer) clearTimeout(timer);
  };
}
