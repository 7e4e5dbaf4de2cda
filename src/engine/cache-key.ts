/**
 * The seed's cache key for a session's cached agent and database (ARCHITECTURE.md, "The seed's cache key"):
 *   (session_id, tenant_id, selected_model, connection_type, db_uri, include_tables_key, sqlite_fingerprint, top_k,
 *    version)
 * Any change of a field makes a new key, so a stale agent is never reused: a new upload changes the fingerprint
 * (and the table list, hence `version`), a settings change bumps `version`.
 */
import { statSync } from 'node:fs';
import type { SessionDoc } from '../sessions/session.js';

/** AgentGraph has no tenants yet; the field stays in the key so the seed's shape (and its logs) carry over. */
export const DEFAULT_TENANT = 'default';

export interface CacheKeyFields {
  session_id: string;
  tenant_id: string;
  selected_model: string;
  connection_type: string;
  db_uri: string;
  include_tables_key: string;
  sqlite_fingerprint: string;
  top_k: number;
  version: number;
}

/** Size and modification time in nanoseconds of db.db: changes whenever SQLite writes to the file. */
export function sqliteFingerprint(dbPath: string): string {
  try {
    const stat = statSync(dbPath, { bigint: true });
    return `${stat.size}:${stat.mtimeNs}`;
  } catch {
    return 'missing';
  }
}

export function cacheKeyFields(doc: SessionDoc, model: string, dbPath: string): CacheKeyFields {
  return {
    session_id: doc.session_id,
    tenant_id: DEFAULT_TENANT,
    selected_model: model,
    connection_type: doc.connection_type,
    db_uri: doc.db_uri,
    include_tables_key: doc.include_tables_key,
    sqlite_fingerprint: sqliteFingerprint(dbPath),
    top_k: doc.top_k,
    version: doc.version,
  };
}

export function cacheKey(fields: CacheKeyFields): string {
  return [
    fields.session_id,
    fields.tenant_id,
    fields.selected_model,
    fields.connection_type,
    fields.db_uri,
    fields.include_tables_key,
    fields.sqlite_fingerprint,
    fields.top_k,
    fields.version,
  ].join('|');
}
