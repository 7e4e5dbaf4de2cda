/**
 * How long the server waits for a client (issue 12: Fastify's requestTimeout defaults to off, and a client sending
 * one byte every 20 s kept a request — and, for an upload, a write transaction — open for 421 s).
 *
 * - REQUEST_TIMEOUT: the whole request, headers and body, must arrive within it; Node answers 408 and closes.
 * - IDLE_TIMEOUT: a client silent this long while we wait for its headers or body is cut off (the socket's idle
 *   timeout). Headers must also be complete within it (headersTimeout): they are small, and a byte every few
 *   seconds must not stretch them to REQUEST_TIMEOUT. Kept-alive connections between requests get the same limit.
 *
 * Once the body has arrived the client owes us nothing, so the idle timeout is lifted while the route works (a
 * long import, `?wait=true`) and put back when the answer starts: a client that stops reading it is cut too. The
 * SSE route keeps the idle timeout and writes a comment well within it (routes/queries.ts).
 */
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import { type ErrorCode, renderMessage } from '../errors.js';

/** Node checks header and request deadlines on a timer (30 s by default); finer for short limits. */
function checkingInterval(shortestMs: number): number {
  return Math.min(30_000, Math.max(250, Math.floor(shortestMs / 4)));
}

export function serverTimeoutOptions(config: Pick<Config, 'requestTimeoutMs' | 'idleTimeoutMs'>) {
  const headersTimeout = Math.min(config.idleTimeoutMs, config.requestTimeoutMs);
  return {
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.idleTimeoutMs,
    keepAliveTimeout: config.idleTimeoutMs,
    // Given to http.createServer too: Node refuses a headersTimeout above requestTimeout at construction.
    http: {
      headersTimeout,
      requestTimeout: config.requestTimeoutMs,
      connectionsCheckingInterval: checkingInterval(headersTimeout),
    },
  };
}

/** Injected requests (tests) have a stand-in socket without timers. */
function setIdleTimeout(socket: Socket | null | undefined, ms: number): void {
  if (typeof socket?.setTimeout === 'function') socket.setTimeout(ms);
}

/**
 * For a route that watches the client's silence itself, with a better answer than a cut connection: the upload
 * route, whose spool answers 408 upload_stalled after the same IDLE_TIMEOUT (data/spool.ts). Put back on send.
 */
export function liftIdleTimeout(request: FastifyRequest): void {
  setIdleTimeout(request.raw.socket, 0);
}

export function installIdleTimeouts(app: FastifyInstance, idleTimeoutMs: number): void {
  app.addHook('onRequest', async (request, reply) => {
    // 'end' comes once the body has been read to its end (by a body parser or a route's stream). Node also reads
    // an unread body after the answer; the connection is then idle between requests and keeps its timeout.
    request.raw.once('end', () => {
      if (!reply.raw.headersSent) setIdleTimeout(request.raw.socket, 0);
    });
  });
  app.addHook('onSend', async (request) => setIdleTimeout(request.raw.socket, idleTimeoutMs));
}

/** The raw answer to a request Node gave up on before any route saw it (timeout, malformed headers). */
function rawAnswer(code: ErrorCode, status: number, reason: string, params: Record<string, string> = {}) {
  const body = JSON.stringify({ error: { code, message: renderMessage(code, 'en', params) } });
  return (
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n` +
    `Connection: close\r\n\r\n${body}`
  );
}

/**
 * Fastify's clientErrorHandler: our error shape instead of Fastify's. English only: the request's headers (and so
 * its language) may not have arrived.
 */
export function clientErrorHandler(
  this: { log: FastifyBaseLogger },
  error: Error & { code?: string },
  socket: Socket,
): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  this.log.debug({ err: error }, 'client error');
  // Node's own rule: never write into a response that has already started (it would corrupt it).
  const inFlight = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    socket.write(
      error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? rawAnswer('request_timeout', 408, 'Request Timeout')
        : rawAnswer('bad_input', 400, 'Bad Request', { detail: 'the request is malformed' }),
    );
  }
  socket.destroy(error);
}
