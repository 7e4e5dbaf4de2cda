/**
 * Cross-site requests refused (issue 12, finding 8): a page of another origin could create sessions in a visitor's
 * name (`fetch(…, {mode: 'no-cors'})` needs no CORS permission), plant a table in their session, or replace their
 * cookie. SameSite cookies do not stop it alone: a page on another port of the same host is the *same site*.
 *
 * A state-changing request (POST, PUT, PATCH, DELETE: all of them are under /api/) from a browser must be
 * same-origin: `Sec-Fetch-Site: same-origin` (or `none`: typed by the user), else an `Origin` equal to ours. Browsers send at
 * least one of the two on such requests, and a page cannot forge either; a client that sends neither (curl, the
 * CLI, scripts) is not a browser acting for someone else and is let through.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const ALLOWED_FETCH_SITES = new Set(['same-origin', 'none']);

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return (Array.isArray(value) ? value[0] : value)?.trim().toLowerCase();
}

/** `scheme://host[:port]` normalized by URL (default ports dropped), or null when it is not one. */
function originOf(value: string): string | null {
  try {
    const url = new URL(value);
    return url.origin === 'null' ? null : url.origin;
  } catch {
    return null;
  }
}

/** Whether a browser could have sent this request from a page of another origin. */
export function isCrossSite(request: FastifyRequest): boolean {
  const fetchSite = header(request, 'sec-fetch-site');
  if (fetchSite !== undefined) return !ALLOWED_FETCH_SITES.has(fetchSite);
  const origin = header(request, 'origin');
  if (origin === undefined) return false;
  // Our origin as this request reached us: Host (or X-Forwarded-Host / -Proto from a trusted proxy).
  const ours = originOf(`${request.protocol}://${request.host}`);
  return ours === null || originOf(origin) !== ours;
}

export function installSameOriginCheck(app: FastifyInstance): void {
  // onRequest: before the session is read, the admin token checked or any body byte parsed. By method only, not
  // path: the router decodes `/%61pi/sessions` to a route under /api/ that a prefix test on the raw URL misses.
  app.addHook('onRequest', async (request) => {
    if (!STATE_CHANGING.has(request.method)) return;
    if (isCrossSite(request)) throw new AppError('cross_site_request');
  });
}
