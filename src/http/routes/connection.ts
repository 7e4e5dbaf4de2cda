/**
 * PUT / GET / DELETE /api/session/connection (issue 15): connect a session to a PostgreSQL or MySQL/MariaDB
 * database instead of its uploads, see the connection (never the password), go back to the uploads.
 */
import type { FastifyInstance } from 'fastify';
import type { ConnectionRegistry } from '../../connections/registry.js';
import { type ConnectionSpec, maskedUri, parseConnectionInput } from '../../connections/spec.js';
import type { Catalog } from '../../data/catalog-types.js';
import { AppError } from '../../errors.js';
import type { SessionTables } from '../../session-tables.js';
import type { SessionManager } from '../../sessions/manager.js';
import type { SessionDoc } from '../../sessions/session.js';
import { requestLanguage } from '../errors.js';
import { requireSession } from '../session-context.js';

const WRITE_WARNING = {
  en: 'this database user may write: AgentGraph opens every connection read-only and the database refuses writes, but a read-only role is the recommended set-up (see docs/databases.md)',
  pt: 'este usuário do banco pode escrever: o AgentGraph abre toda conexão somente leitura e o banco recusa escritas, mas o recomendado é um usuário somente leitura (veja docs/databases.md)',
};

/** The connection as clients see it: everything but the password. */
function connectionView(spec: ConnectionSpec) {
  const { password: _password, ...shown } = spec;
  return { ...shown, uri: maskedUri(spec) };
}

function tablesView(catalog: Catalog) {
  return catalog.map((table) => ({
    name: table.name,
    rows: table.rows,
    columns: table.columns.map((column) => ({ name: column.name, type: column.type })),
  }));
}

function sessionFields(doc: SessionDoc) {
  return {
    version: doc.version,
    connection_type: doc.connection_type,
    db_uri: doc.db_uri,
    tables: doc.tables,
  };
}

export async function connectionRoutes(
  app: FastifyInstance,
  opts: { sessions: SessionManager; tables: SessionTables; connections: ConnectionRegistry },
) {
  const { sessions, tables, connections } = opts;

  app.put('/api/session/connection', async (request, reply) => {
    const doc = await requireSession(sessions, request, reply);
    if (!connections.enabled) throw new AppError('connections_disabled');
    const spec = parseConnectionInput(request.body ?? {});
    const { doc: updated, catalog, canWrite } = await connections.attach(sessions, doc, spec);
    return {
      connection: connectionView(spec),
      tables: tablesView(catalog),
      warnings: canWrite ? [WRITE_WARNING[requestLanguage(request)]] : [],
      session: sessionFields(updated),
    };
  });

  app.get('/api/session/connection', async (request, reply) => {
    const doc = await requireSession(sessions, request, reply);
    const connection = doc.connection_type === 'csv' ? null : connectionView(connections.specOf(doc));
    return { enabled: connections.enabled, connection, session: sessionFields(doc) };
  });

  app.delete('/api/session/connection', async (request, reply) => {
    const doc = await requireSession(sessions, request, reply);
    if (doc.connection_type !== 'csv') {
      await sessions.apply(doc.session_id, {
        connection_type: 'csv',
        db_uri: sessions.paths.dbUri(doc.session_id),
        db_secret: null,
        tables: await tables.ownTableNames(doc),
        include_tables_key: '*',
      });
      connections.forget(doc.session_id);
    }
    return reply.status(204).send();
  });
}
