/**
 * ConnectionRegistry: the external databases of this process's sessions (issue 15). It checks where a session may
 * connect (HostPolicy), seals and opens the password (SecretBox), opens a small pool per session (POOL_SIZE
 * connections, closed when idle) and keeps it under the session document's `version`, so a new connection — here or
 * in another process — is never served by the old pool. Session end closes it (createServices wires the event).
 */

import type { Catalog } from '../data/catalog-types.js';
import { AppError } from '../errors.js';
import type { SessionManager } from '../sessions/manager.js';
import type { SessionDoc } from '../sessions/session.js';
import type { HostPolicy } from './host-policy.js';
import { openMysql } from './mysql.js';
import { openPostgres } from './postgres.js';
import type { RemoteDatabase, RemoteOpener } from './remote.js';
import type { SecretBox } from './secret-box.js';
import { type ConnectionSpec, type DatabaseType, maskedUri } from './spec.js';

const OPENERS: Record<DatabaseType, RemoteOpener> = { postgresql: openPostgres, mysql: openMysql };

/**
 * The database with its catalog read once per pool (bounded samples of every table: too much to read again for each
 * table listing or agent). A schema change in the database is seen when the session connects again.
 */
function remembering(database: RemoteDatabase, known?: Catalog): RemoteDatabase {
  let catalog: Promise<Catalog> | null = known ? Promise.resolve(known) : null;
  return {
    type: database.type,
    query: (sql, options) => database.query(sql, options),
    check: (sql, options) => database.check(sql, options),
    canWrite: () => database.canWrite(),
    close: () => database.close(),
    catalog: () => {
      catalog ??= database.catalog().catch((error: unknown) => {
        catalog = null; // a failed read is tried again next time
        throw error;
      });
      return catalog;
    },
  };
}

export class ConnectionRegistry {
  private readonly open = new Map<string, { version: number; database: Promise<RemoteDatabase> }>();

  constructor(
    private readonly policy: HostPolicy | null,
    private readonly box: SecretBox | null,
  ) {}

  /** Whether this server lets sessions connect at all (DB_ALLOWED_HOSTS set). */
  get enabled(): boolean {
    return this.policy !== null && this.box !== null;
  }

  private require(): { policy: HostPolicy; box: SecretBox } {
    if (!this.policy || !this.box) throw new AppError('connections_disabled');
    return { policy: this.policy, box: this.box };
  }

  /** Opens a database for `spec` after checking its host; connection_failed / host_not_allowed otherwise. */
  async connect(spec: ConnectionSpec): Promise<RemoteDatabase> {
    const { policy } = this.require();
    const host = await policy.check(spec.host);
    return OPENERS[spec.type](spec, host);
  }

  seal(spec: ConnectionSpec): string {
    return this.require().box.seal(JSON.stringify(spec));
  }

  /** The connection of a session document, password included (for this process's drivers only). */
  specOf(doc: SessionDoc): ConnectionSpec {
    if (doc.connection_type === 'csv' || !doc.db_secret) throw new AppError('no_tables');
    return JSON.parse(this.require().box.open(doc.db_secret)) as ConnectionSpec;
  }

  /**
   * Connects a session (PUT /api/session/connection, `agentgraph ask --db`): opens the database, reads its catalog
   * and whether the role could write, then changes the session in one update — type, masked URI, sealed secret and
   * tables together, so `version` moves once and every process drops its agent and pool for the old settings.
   */
  async attach(
    sessions: SessionManager,
    doc: SessionDoc,
    spec: ConnectionSpec,
  ): Promise<{ doc: SessionDoc; catalog: Catalog; canWrite: boolean }> {
    const database = await this.connect(spec);
    let catalog: Catalog;
    let canWrite: boolean;
    try {
      catalog = await database.catalog();
      canWrite = await database.canWrite();
    } catch (error) {
      await database.close();
      throw error;
    }
    const updated = await sessions.apply(doc.session_id, {
      connection_type: spec.type,
      db_uri: maskedUri(spec),
      db_secret: this.seal(spec),
      tables: catalog.map((table) => table.name).sort(),
      include_tables_key: '*',
    });
    this.adopt(updated, remembering(database, catalog));
    return { doc: updated, catalog, canWrite };
  }

  /** Adopts a database just opened for `doc`, closing what the session had. */
  private adopt(doc: SessionDoc, database: RemoteDatabase): void {
    this.forget(doc.session_id);
    this.open.set(doc.session_id, { version: doc.version, database: Promise.resolve(database) });
  }

  /** The session's database, opened (again) when this process has none for its current version. */
  async forSession(doc: SessionDoc): Promise<RemoteDatabase> {
    const held = this.open.get(doc.session_id);
    if (held && held.version === doc.version) return held.database;
    this.forget(doc.session_id);
    const database = this.connect(this.specOf(doc)).then((opened) => remembering(opened));
    this.open.set(doc.session_id, { version: doc.version, database });
    // A failed open is not kept: the next question tries again.
    database.catch(() => {
      if (this.open.get(doc.session_id)?.database === database) this.open.delete(doc.session_id);
    });
    return database;
  }

  /** Closes the session's pool (disconnect, session end). */
  forget(sessionId: string): void {
    const held = this.open.get(sessionId);
    if (!held) return;
    this.open.delete(sessionId);
    void held.database.then(
      (database) => database.close(),
      () => undefined,
    );
  }

  async close(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.all(all.map((held) => held.database.then((d) => d.close()).catch(() => undefined)));
  }

  get size(): number {
    return this.open.size;
  }
}
