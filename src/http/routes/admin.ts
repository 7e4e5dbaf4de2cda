/**
 * GET /api/admin/stats and POST /api/admin/cleanup, behind a bearer ADMIN_TOKEN. Without a token configured the
 * routes do not exist (404), so a deployment never exposes them by accident.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.js';
import type { Services } from '../../services.js';

function checkToken(request: FastifyRequest, token: string): void {
  const header = request.headers.authorization ?? '';
  const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7).trim() : '');
  const expected = Buffer.from(token);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new AppError('unauthorized');
}

/** Sessions, caches and cleanup in one object: what /api/admin/stats and `agentgraph stats` print. */
export async function collectStats(services: Services) {
  const objects = services.objects.stats();
  const memory = process.memoryUsage();
  return {
    sessions: await services.sessions.stats(),
    cleanup: await services.cleanup.stats(),
    objects: { ...objects, per_session: undefined },
    process: {
      pid: process.pid,
      uptime_s: Math.round(process.uptime()),
      rss_bytes: memory.rss,
      heap_used_bytes: memory.heapUsed,
    },
  };
}

export async function adminRoutes(app: FastifyInstance, opts: { services: Services }) {
  const { services } = opts;
  const token = services.config.adminToken;
  if (!token) return;
  app.addHook('onRequest', async (request) => checkToken(request, token));
  app.get('/api/admin/stats', async () => collectStats(services));
  app.post('/api/admin/cleanup', async () => services.cleanup.run({ orphans: true }));
}
