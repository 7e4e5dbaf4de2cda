/**
 * Which session a request names: the X-Session-Id header (API clients) or else the session cookie (browsers;
 * `agentgraph_sid`, `__Host-agentgraph_sid` over TLS). Resolving it renews the session's TTL — every request
 * that names a live session counts as use.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import type { SessionManager } from '../sessions/manager.js';
import type { SessionDoc } from '../sessions/session.js';
import { clearedSessionCookies, readSessionCookie } from './cookies.js';

export function sessionIdOf(request: FastifyRequest): string | undefined {
  const header = request.headers['x-session-id'];
  const fromHeader = Array.isArray(header) ? header[0] : header;
  return fromHeader?.trim() || readSessionCookie(request.headers.cookie);
}

export function isSecure(request: FastifyRequest): boolean {
  return request.protocol === 'https';
}

/** The live session of this request, renewed; throws session_missing / bad_session_id / session_expired. */
export async function requireSession(
  sessions: SessionManager,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<SessionDoc> {
  const id = sessionIdOf(request);
  if (!id) throw new AppError('session_missing');
  try {
    return await sessions.get(id);
  } catch (error) {
    // A browser holding a dead cookie should not keep sending it.
    if (error instanceof AppError && error.code !== 'store_unavailable' && !request.headers['x-session-id']) {
      reply.header('set-cookie', clearedSessionCookies({ secure: isSecure(request) }));
    }
    throw error;
  }
}
