/**
 * buildApp(services): the Fastify application. Route groups are plugins with their dependencies passed in; the
 * error catalogue is applied once here. Nothing below http/ imports Fastify.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { TrustProxy } from '../config.js';
import { listModels } from '../engine/models/registry.js';
import type { Services } from '../services.js';
import { installErrorHandling } from './errors.js';
import { installJsonParser } from './json-body.js';
import { adminRoutes } from './routes/admin.js';
import { connectionRoutes } from './routes/connection.js';
import { healthRoutes } from './routes/health.js';
import { queryRoutes } from './routes/queries.js';
import { sessionRoutes } from './routes/sessions.js';
import { staticRoutes } from './routes/static.js';
import { tableRoutes } from './routes/tables.js';
import { installSameOriginCheck } from './same-origin.js';
import { clientErrorHandler, installIdleTimeouts, serverTimeoutOptions } from './timeouts.js';

/**
 * Which proxies are trusted to name the client in X-Forwarded-For. `true` means one hop, our own proxy: the client
 * is the right-most address, the one that proxy appended. (Fastify's `true` trusts every hop and takes the
 * left-most address, which the client writes itself: a visitor got 7 sessions with `10.9.9.N, <real>`, issue 12.)
 * A hop count trusts that many proxies nearest to us (Fastify's typings only take it as a function).
 */
function trustProxyOption(
  value: TrustProxy,
): boolean | string[] | ((address: string, hop: number) => boolean) {
  const hops = value === true ? 1 : value;
  return typeof hops === 'number' ? (_address, hop) => hop < hops : hops;
}

/** JSON bodies are small settings objects; uploads are streamed by their own route with their own limit. */
const JSON_BODY_LIMIT = 64 * 1024;

export interface AppOptions {
  /** Folder of the built UI (default web/dist); tests serve one of their own. */
  webRoot?: string;
}

export async function buildApp(services: Services, options: AppOptions = {}): Promise<FastifyInstance> {
  const { config } = services;
  const app = Fastify({
    loggerInstance: services.logger as FastifyBaseLogger,
    // One line per request at info level would dominate the logs and cost time on the hot path.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: trustProxyOption(config.trustProxy),
    bodyLimit: JSON_BODY_LIMIT,
    genReqId: () => randomUUID(),
    // Prototype keys are refused by every JSON parser Fastify builds (ours in json-body.ts too).
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    ...serverTimeoutOptions(config),
    clientErrorHandler,
  });
  installErrorHandling(app);
  installJsonParser(app);
  // JSON only: a text/plain body to a JSON route is a wrong media type (415), not a malformed object.
  app.removeContentTypeParser('text/plain');
  installSameOriginCheck(app);
  installIdleTimeouts(app, config.idleTimeoutMs);
  app.addHook('onSend', async (_request, reply) => {
    // Session answers are per user: never cached by a shared proxy.
    reply.header('cache-control', 'no-store');
    // A browser must never guess a type: an uploaded name or a CSV cell echoed in JSON is not HTML.
    reply.header('x-content-type-options', 'nosniff');
  });
  await app.register(healthRoutes, { services });
  await app.register(sessionRoutes, { sessions: services.sessions });
  await app.register(tableRoutes, {
    sessions: services.sessions,
    tables: services.tables,
    maxUploadBytes: config.maxSessionSizeBytes,
  });
  await app.register(connectionRoutes, {
    sessions: services.sessions,
    tables: services.tables,
    connections: services.connections,
  });
  await app.register(queryRoutes, {
    sessions: services.sessions,
    queue: services.queue,
    log: services.log,
    listModels: () => listModels(config),
    idleTimeoutMs: config.idleTimeoutMs,
  });
  await app.register(adminRoutes, { services });
  await app.register(staticRoutes, options.webRoot ? { root: options.webRoot } : {});
  return app;
}
