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
import { adminRoutes } from './routes/admin.js';
import { healthRoutes } from './routes/health.js';
import { queryRoutes } from './routes/queries.js';
import { sessionRoutes } from './routes/sessions.js';
import { staticRoutes } from './routes/static.js';
import { tableRoutes } from './routes/tables.js';
import { clientErrorHandler, installIdleTimeouts, serverTimeoutOptions } from './timeouts.js';

/** A hop count trusts that many proxies nearest to us (Fastify's typings only take it as a function). */
function trustProxyOption(
  value: TrustProxy,
): boolean | string[] | ((address: string, hop: number) => boolean) {
  return typeof value === 'number' ? (_address, hop) => hop < value : value;
}

/** JSON bodies are small settings objects; uploads are streamed by their own route with their own limit. */
const JSON_BODY_LIMIT = 64 * 1024;

export async function buildApp(services: Services): Promise<FastifyInstance> {
  const { config } = services;
  const app = Fastify({
    loggerInstance: services.logger as FastifyBaseLogger,
    // One line per request at info level would dominate the logs and cost time on the hot path.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: trustProxyOption(config.trustProxy),
    bodyLimit: JSON_BODY_LIMIT,
    genReqId: () => randomUUID(),
    // Reject ambiguous duplicate-key JSON tricks: the last key wins silently otherwise, and prototype keys are out.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    ...serverTimeoutOptions(config),
    clientErrorHandler,
  });
  installErrorHandling(app);
  // JSON only: a text/plain body to a JSON route is a wrong media type (415), not a malformed object.
  app.removeContentTypeParser('text/plain');
  installIdleTimeouts(app, config.idleTimeoutMs);
  app.addHook('onSend', async (_request, reply) => {
    // Session answers are per user: never cached by a shared proxy.
    reply.header('cache-control', 'no-store');
  });
  await app.register(healthRoutes, { services });
  await app.register(sessionRoutes, { sessions: services.sessions });
  await app.register(tableRoutes, {
    sessions: services.sessions,
    tables: services.tables,
    maxUploadBytes: config.maxSessionSizeBytes,
  });
  await app.register(queryRoutes, {
    sessions: services.sessions,
    queue: services.queue,
    log: services.log,
    listModels: () => listModels(config),
    idleTimeoutMs: config.idleTimeoutMs,
  });
  await app.register(adminRoutes, { services });
  await app.register(staticRoutes, {});
  return app;
}
