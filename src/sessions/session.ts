/**
 * The session document: field names as in the seed (../shared/ARCHITECTURE.md, "Session document").
 * Times are epoch seconds (floats). Both stores keep exactly these fields.
 */
import type { Lang } from '../errors.js';

export interface LastQuery {
  query_id: string;
  question: string;
  status: string;
  at: number;
}

export type ConnectionType = 'csv' | 'postgresql' | 'mysql';

export interface SessionDoc {
  session_id: string;
  client_ip: string;
  created_at: number;
  last_seen: number;
  expires_at: number;
  version: number;
  selected_model: string;
  top_k: number;
  /** `csv`: the session's own SQLite (uploads); otherwise an external database (issue 15). */
  connection_type: ConnectionType;
  /**
   * csv: the session's db.db, relative to DATA_DIR so machines that mount the shared volume elsewhere still agree.
   * Otherwise the external database's URI with the password masked (`postgresql://user:***@host:5432/db`).
   */
  db_uri: string;
  /** The external database's connection, password included, sealed with SECRET_KEY; never shown (sessionView). */
  db_secret: string | null;
  /** "*" or a comma-separated, sorted list of table names. */
  include_tables_key: string;
  advanced_mode: boolean;
  processing_enabled: boolean;
  processing_model: string | null;
  total_queries: number;
  session_size_mb: number;
  size_bytes: number;
  tables: string[];
  language: Lang | null;
  last_query: LastQuery | null;
}

export type SessionField = keyof SessionDoc;

/**
 * Fields whose change alters answers: a change of value bumps `version`, which is part of the workers' cache key,
 * so cached agents built for the old value are never reused. Re-setting the same value must not bump it.
 */
export const VERSIONED_FIELDS: readonly SessionField[] = [
  'selected_model',
  'top_k',
  'connection_type',
  'db_uri',
  'include_tables_key',
  'tables',
];

/** Fields a store may change through `update` (never the identity, the owner or the clock fields). */
export type MutableField = Exclude<
  SessionField,
  'session_id' | 'client_ip' | 'created_at' | 'last_seen' | 'expires_at' | 'version'
>;
export type SessionChanges = Partial<Pick<SessionDoc, MutableField>>;

/**
 * Counters that concurrent writers increment; a read-modify-write of them would lose updates. Incrementing
 * `size_bytes` also keeps `session_size_mb` (and the store's total) in step.
 */
export type CounterField = 'total_queries' | 'size_bytes';

export const BYTES_PER_MB = 1024 * 1024;

export function sizeInMb(bytes: number): number {
  return Math.round((bytes / BYTES_PER_MB) * 1000) / 1000;
}

/** The defaults of a new session; the store fills in the clock fields atomically with the insert. */
export function newSessionDoc(input: {
  session_id: string;
  client_ip: string;
  selected_model: string;
  db_uri: string;
}): SessionDoc {
  return {
    session_id: input.session_id,
    client_ip: input.client_ip,
    created_at: 0,
    last_seen: 0,
    expires_at: 0,
    version: 1,
    selected_model: input.selected_model,
    top_k: 10,
    connection_type: 'csv',
    db_uri: input.db_uri,
    db_secret: null,
    include_tables_key: '*',
    advanced_mode: false,
    processing_enabled: false,
    processing_model: null,
    total_queries: 0,
    session_size_mb: 0,
    size_bytes: 0,
    tables: [],
    language: null,
    last_query: null,
  };
}
