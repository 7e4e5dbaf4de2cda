/**
 * GET /api/admin/stats and POST /api/admin/cleanup, behind a bearer ADMIN_TOKEN. Without a token configured the
 * routes do not exist (404), so a deployment never exposes them by accident.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.js';
import { readWorkerReports, totals, type WorkerReport } from '../../queue/registry.js';
import type { QueueStats } from '../../queue/types.js';
import type { Services } from '../../services.js';

/** Throws `unauthorized` unless the request carries `Authorization: Bearer <token>` (compared in constant time). */
export function checkToken(request: FastifyRequest, token: string): void {
  const header = request.headers.authorization ?? '';
  const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7).trim() : '');
  const expected = Buffer.from(token);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new AppError('unauthorized');
}

/**
 * Sessions, caches and cleanup in one object: what /api/admin/stats and `agentgraph stats` print. In scaled mode
 * also the queue (from Redis) and every live worker's report (`workers`, with `worker_totals`): each worker's
 * `cache` is the seed's get_cache_stats (sessions, agents, databases, hits, misses).
 */
export async function collectStats(services: Services) {
  const objects = services.objects.stats();
  const memory = process.memoryUsage();
  const queue = services.queue as { snapshot?: () => Promise<QueueStats> };
  let workers: WorkerReport[] = [];
  if (services.redis && services.keyPrefix !== null) {
    workers = await readWorkerReports(services.redis, services.keyPrefix).catch(() => []);
  }
  return {
    sessions: await services.sessions.stats(),
    cleanup: await services.cleanup.stats(),
    objects: { ...objects, per_session: undefined },
    queue: queue.snapshot
      ? await queue.snapshot().catch(() => services.queue.stats())
      : services.queue.stats(),
    workers,
    worker_totals: totals(workers),
    // This process's import children (issue 12) and the uploads imported while they arrived (issue 14).
    imports: services.imports.stats(),
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
