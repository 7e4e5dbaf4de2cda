/**
 * SessionStore: where session documents live. Two implementations with identical semantics, both run through one
 * contract suite (test/sessions/store-contract.ts): RedisSessionStore (scaled mode) and LocalSessionStore
 * (embedded mode, a SQLite control database). Every multi-key change is atomic inside the store, so the
 * SessionManager above never does read-modify-write across round trips.
 *
 * Expiry is decided by the store's clock at read time: an expired session is invisible to every caller at once,
 * before the cleanup job physically removes it.
 */
import type { CounterField, SessionChanges, SessionDoc } from './session.js';

export interface CreateOptions {
  ttlSeconds: number;
  maxPerIp: number;
}

export interface UpdateOptions {
  /** Values to set; a field whose new value equals the stored one is left alone. */
  set?: SessionChanges;
  /** Counters to add to. */
  increment?: Partial<Record<CounterField, number>>;
}

export interface EndedSession {
  session_id: string;
  client_ip: string;
}

export interface StoreStats {
  active_sessions: number;
  /** Sum of size_bytes over stored sessions (live, plus expired ones cleanup has not reached yet). */
  total_size_bytes: number;
  /** Live sessions per client IP (the busiest first, bounded). */
  per_ip: Record<string, number>;
}

/** What the last cleanup run did, kept in the store so every process (and the CLI) sees the same figures. */
export interface CleanupReport {
  started_at: number;
  duration_ms: number;
  /** Time spent afterwards deleting the removed folders' bytes (see SessionPaths.remove). */
  purge_ms: number;
  expired_removed: number;
  orphans_removed: number;
  orphan_scan: boolean;
  errors: string[];
  by: string;
}

export interface SessionStore {
  readonly kind: 'redis' | 'local';

  /** Inserts the document (clock fields are set here) unless the IP already holds maxPerIp live sessions. */
  create(doc: SessionDoc, options: CreateOptions): Promise<SessionDoc | 'limit'>;

  /** The live session with its TTL renewed (last_seen = now), or null when missing or expired. */
  touch(id: string, ttlSeconds: number): Promise<SessionDoc | null>;

  /** The live session without renewing it, or null. */
  peek(id: string): Promise<SessionDoc | null>;

  /**
   * Applies changes atomically. `version` goes up by one when a VERSIONED_FIELDS field changes value.
   * Returns the new document, or null when the session is missing or expired.
   */
  update(id: string, options: UpdateOptions): Promise<SessionDoc | null>;

  /** Removes the entry and its IP slot; returns what was removed (live or expired), or null. */
  delete(id: string): Promise<EndedSession | null>;

  /**
   * Atomically removes up to `limit` sessions whose expiry has passed and returns them, so two cleaners never
   * both claim one, and a session renewed in the meantime is not taken. Cost grows with the expired count only.
   */
  claimExpired(limit: number): Promise<EndedSession[]>;

  /** Which of these ids have an entry (live or not yet cleaned): used to tell orphan folders apart. */
  existing(ids: string[]): Promise<Set<string>>;

  stats(): Promise<StoreStats>;

  /** A named, expiring lock shared by every process using this store; returns a token or null when held. */
  acquireLock(name: string, ttlMs: number): Promise<string | null>;
  releaseLock(name: string, token: string): Promise<void>;

  saveCleanupReport(report: CleanupReport): Promise<void>;
  lastCleanupReport(): Promise<CleanupReport | null>;

  /** Throws when the store cannot be reached (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
