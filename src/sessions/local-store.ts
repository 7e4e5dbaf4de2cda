/**
 * LocalSessionStore: the embedded-mode SessionStore, a SQLite control database at DATA_DIR/control.db, so live
 * sessions survive a restart without Redis. better-sqlite3 is synchronous, and every multi-row change runs in one
 * IMMEDIATE transaction, which also serialises a second process (e.g. `agentgraph cleanup`) on the same file.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { type SessionDoc, sizeInMb, VERSIONED_FIELDS } from './session.js';
import type {
  CleanupReport,
  CreateOptions,
  EndedSession,
  SessionStore,
  StoreStats,
  UpdateOptions,
} from './store.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sessions (
  session_id TEXT PRIMARY KEY,
  client_ip  TEXT NOT NULL,
  expires_at REAL NOT NULL,
  size_bytes INTEGER NOT NULL DEFAULT 0,
  doc        TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sessions_by_ip ON sessions (client_ip, expires_at);
CREATE INDEX IF NOT EXISTS sessions_by_expiry ON sessions (expires_at, size_bytes);
CREATE TABLE IF NOT EXISTS locks (
  name       TEXT PRIMARY KEY,
  token      TEXT NOT NULL,
  expires_at REAL NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
`;

interface Row {
  doc: string;
}

const nowSeconds = () => Date.now() / 1000;

/** Applies an update to a document; returns whether anything changed. Shared semantics with the Redis Lua script. */
function applyUpdate(doc: SessionDoc, options: UpdateOptions): boolean {
  let changed = false;
  let bump = false;
  const target = doc as unknown as Record<string, unknown>;
  for (const [field, value] of Object.entries(options.set ?? {})) {
    if (value === undefined || JSON.stringify(target[field]) === JSON.stringify(value)) continue;
    target[field] = value;
    changed = true;
    if ((VERSIONED_FIELDS as readonly string[]).includes(field)) bump = true;
  }
  for (const [field, by] of Object.entries(options.increment ?? {})) {
    if (!by) continue;
    target[field] = Number(target[field] ?? 0) + by;
    changed = true;
  }
  if (options.increment?.size_bytes) doc.session_size_mb = sizeInMb(doc.size_bytes);
  if (bump) doc.version += 1;
  return changed;
}

export class LocalSessionStore implements SessionStore {
  readonly kind = 'local' as const;
  private readonly db: Database.Database;
  private readonly statements;

  constructor(path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    // WAL lets the API read while a CLI cleanup writes; one connection per process keeps the fd cost trivial.
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    const db = this.db;
    this.statements = {
      countLiveForIp: db.prepare<[string, number], { n: number }>(
        'SELECT count(*) AS n FROM sessions WHERE client_ip = ? AND expires_at > ?',
      ),
      insert: db.prepare<[string, string, number, number, string]>(
        'INSERT INTO sessions (session_id, client_ip, expires_at, size_bytes, doc) VALUES (?, ?, ?, ?, ?)',
      ),
      getLive: db.prepare<[string, number], Row>(
        'SELECT doc FROM sessions WHERE session_id = ? AND expires_at > ?',
      ),
      write: db.prepare<[number, number, string, string]>(
        'UPDATE sessions SET expires_at = ?, size_bytes = ?, doc = ? WHERE session_id = ?',
      ),
      getAny: db.prepare<[string], { session_id: string; client_ip: string }>(
        'SELECT session_id, client_ip FROM sessions WHERE session_id = ?',
      ),
      delete: db.prepare<[string]>('DELETE FROM sessions WHERE session_id = ?'),
      existing: db.prepare<[string], { session_id: string }>(
        'SELECT session_id FROM sessions WHERE session_id IN (SELECT value FROM json_each(?))',
      ),
      expired: db.prepare<[number, number], EndedSession>(
        'SELECT session_id, client_ip FROM sessions WHERE expires_at <= ? ORDER BY expires_at LIMIT ?',
      ),
      // Covered by sessions_by_expiry: an index walk, no table reads.
      totals: db.prepare<[number], { n: number; bytes: number }>(
        'SELECT count(*) FILTER (WHERE expires_at > ?) AS n, total(size_bytes) AS bytes FROM sessions',
      ),
      perIp: db.prepare<[number], { client_ip: string; n: number }>(
        'SELECT client_ip, count(*) AS n FROM sessions WHERE expires_at > ? GROUP BY client_ip ORDER BY n DESC LIMIT 1000',
      ),
      lockGet: db.prepare<[string], { token: string; expires_at: number }>(
        'SELECT token, expires_at FROM locks WHERE name = ?',
      ),
      lockPut: db.prepare<[string, string, number]>(
        'INSERT OR REPLACE INTO locks (name, token, expires_at) VALUES (?, ?, ?)',
      ),
      lockDelete: db.prepare<[string, string]>('DELETE FROM locks WHERE name = ? AND token = ?'),
      metaGet: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
      metaPut: db.prepare<[string, string]>('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
    };
  }

  async create(doc: SessionDoc, options: CreateOptions): Promise<SessionDoc | 'limit'> {
    const s = this.statements;
    const insert = this.db.transaction((): SessionDoc | 'limit' => {
      const now = nowSeconds();
      if (s.countLiveForIp.get(doc.client_ip, now)!.n >= options.maxPerIp) return 'limit';
      const created = { ...doc, created_at: now, last_seen: now, expires_at: now + options.ttlSeconds };
      s.insert.run(
        created.session_id,
        created.client_ip,
        created.expires_at,
        created.size_bytes,
        JSON.stringify(created),
      );
      return created;
    });
    // IMMEDIATE takes the write lock before counting, so two processes cannot both see "4" and insert a 6th.
    return insert.immediate();
  }

  async touch(id: string, ttlSeconds: number): Promise<SessionDoc | null> {
    const s = this.statements;
    return this.db.transaction((): SessionDoc | null => {
      const now = nowSeconds();
      const row = s.getLive.get(id, now);
      if (!row) return null;
      const doc = JSON.parse(row.doc) as SessionDoc;
      doc.last_seen = now;
      doc.expires_at = now + ttlSeconds;
      s.write.run(doc.expires_at, doc.size_bytes, JSON.stringify(doc), id);
      return doc;
    })();
  }

  async peek(id: string): Promise<SessionDoc | null> {
    const row = this.statements.getLive.get(id, nowSeconds());
    return row ? (JSON.parse(row.doc) as SessionDoc) : null;
  }

  async update(id: string, options: UpdateOptions): Promise<SessionDoc | null> {
    const s = this.statements;
    return this.db
      .transaction((): SessionDoc | null => {
        const row = s.getLive.get(id, nowSeconds());
        if (!row) return null;
        const doc = JSON.parse(row.doc) as SessionDoc;
        if (applyUpdate(doc, options)) s.write.run(doc.expires_at, doc.size_bytes, JSON.stringify(doc), id);
        return doc;
      })
      .immediate();
  }

  async delete(id: string): Promise<EndedSession | null> {
    const s = this.statements;
    return this.db.transaction((): EndedSession | null => {
      const row = s.getAny.get(id);
      if (!row) return null;
      s.delete.run(id);
      return { session_id: row.session_id, client_ip: row.client_ip };
    })();
  }

  async claimExpired(limit: number): Promise<EndedSession[]> {
    const s = this.statements;
    return this.db
      .transaction((): EndedSession[] => {
        const expired = s.expired.all(nowSeconds(), limit);
        for (const row of expired) s.delete.run(row.session_id);
        return expired;
      })
      .immediate();
  }

  async existing(ids: string[]): Promise<Set<string>> {
    const rows = this.statements.existing.all(JSON.stringify(ids));
    return new Set(rows.map((row) => row.session_id));
  }

  async stats(): Promise<StoreStats> {
    const now = nowSeconds();
    const totals = this.statements.totals.get(now)!;
    const per_ip: Record<string, number> = {};
    for (const row of this.statements.perIp.all(now)) per_ip[row.client_ip] = row.n;
    return { active_sessions: totals.n, total_size_bytes: totals.bytes, per_ip };
  }

  async acquireLock(name: string, ttlMs: number): Promise<string | null> {
    const s = this.statements;
    return this.db
      .transaction((): string | null => {
        const now = nowSeconds();
        const held = s.lockGet.get(name);
        if (held && held.expires_at > now) return null;
        const token = randomUUID();
        s.lockPut.run(name, token, now + ttlMs / 1000);
        return token;
      })
      .immediate();
  }

  async releaseLock(name: string, token: string): Promise<void> {
    this.statements.lockDelete.run(name, token);
  }

  async saveCleanupReport(report: CleanupReport): Promise<void> {
    this.statements.metaPut.run('cleanup_report', JSON.stringify(report));
  }

  async lastCleanupReport(): Promise<CleanupReport | null> {
    const row = this.statements.metaGet.get('cleanup_report');
    return row ? (JSON.parse(row.value) as CleanupReport) : null;
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
