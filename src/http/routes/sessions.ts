/** POST /api/sessions, GET / PATCH / DELETE /api/session. */
import type { FastifyInstance } from 'fastify';
import type { SessionManager } from '../../sessions/manager.js';
import type { SessionDoc } from '../../sessions/session.js';
import { clearedSessionCookies, sessionCookie } from '../cookies.js';
import { isSecure, requireSession, sessionIdOf } from '../session-context.js';

/** The session as clients see it: the document plus what is left of it and what it may use. */
export function sessionView(doc: SessionDoc, sessions: SessionManager) {
  const { ttlSeconds, maxSessionsPerIp, maxSessionSizeBytes } = sessions.options;
  // The sealed connection never leaves the server, not even sealed.
  const { db_secret: _secret, ...shown } = doc;
  return {
    ...shown,
    ttl_seconds: Math.max(0, Math.round(doc.expires_at - Date.now() / 1000)),
    size_bytes: doc.size_bytes,
    limits: {
      session_ttl_seconds: ttlSeconds,
      max_sessions_per_ip: maxSessionsPerIp,
      max_session_size_bytes: maxSessionSizeBytes,
    },
  };
}

export async function sessionRoutes(app: FastifyInstance, opts: { sessions: SessionManager }) {
  const { sessions } = opts;

  app.post('/api/sessions', async (request, reply) => {
    const doc = await sessions.create(request.ip);
    reply.header('set-cookie', sessionCookie(doc.session_id, { secure: isSecure(request) }));
    return reply.status(201).send({ session: sessionView(doc, sessions) });
  });

  app.get('/api/session', async (request, reply) => {
    const doc = await requireSession(sessions, request, reply);
    return { session: sessionView(doc, sessions) };
  });

  app.patch('/api/session', async (request, reply) => {
    const doc = await requireSession(sessions, request, reply);
    const updated = await sessions.update(doc.session_id, request.body ?? {});
    return { session: sessionView(updated, sessions) };
  });

  // Idempotent: ending a session that already ended is not an error for the client.
  app.delete('/api/session', async (request, reply) => {
    const id = sessionIdOf(request);
    if (id === undefined) {
      await requireSession(sessions, request, reply); // throws session_missing
      return;
    }
    await sessions.delete(id);
    reply.header('set-cookie', clearedSessionCookies({ secure: isSecure(request) }));
    return reply.status(204).send();
  });
}
