/**
 * /healthz (the process answers), /readyz (the store answers), /metrics (Prometheus text). Metrics tell anyone how
 * many sessions and bytes the server holds, so they sit behind ADMIN_TOKEN like /api/admin/* (no token: no route,
 * 404), unless METRICS_PUBLIC=true for a scraper that reaches the server on a private network.
 */
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.js';
import type { Services } from '../../services.js';
import { requestLanguage, sendError } from '../errors.js';
import { checkToken } from './admin.js';

const READY_TIMEOUT_MS = 1000;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new AppError('store_unavailable')), ms);
    work.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}

export async function healthRoutes(app: FastifyInstance, opts: { services: Services }) {
  const { services } = opts;

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (request, reply) => {
    try {
      await withTimeout(services.store.ping(), READY_TIMEOUT_MS);
      return { status: 'ready', store: services.store.kind };
    } catch {
      const error = new AppError('store_unavailable');
      return sendError(reply, error.code, error.localized(requestLanguage(request)), 503);
    }
  });

  // undefined: no route; null: public.
  const token = services.config.metricsPublic ? null : services.config.adminToken;
  if (token === undefined) return;
  app.get('/metrics', async (request, reply) => {
    if (token !== null) checkToken(request, token);
    const lines: string[] = [];
    const gauge = (name: string, help: string, value: number, type = 'gauge') => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${value}`);
    };
    try {
      const stats = await withTimeout(services.sessions.stats(), READY_TIMEOUT_MS);
      gauge('agentgraph_sessions_active', 'Live sessions.', stats.active_sessions);
      gauge(
        'agentgraph_sessions_size_bytes',
        'Bytes on disk held by stored sessions.',
        stats.total_size_bytes,
      );
      gauge('agentgraph_store_up', 'Whether the session store answers.', 1);
    } catch {
      gauge('agentgraph_store_up', 'Whether the session store answers.', 0);
    }
    const cleanup = await services.cleanup.stats();
    gauge('agentgraph_cleanup_runs_total', 'Cleanup runs by this process.', cleanup.runs, 'counter');
    gauge(
      'agentgraph_cleanup_expired_removed_total',
      'Expired sessions removed by this process.',
      cleanup.total_expired_removed,
      'counter',
    );
    const objects = services.objects.stats();
    gauge('agentgraph_objects_live', 'Live cached objects (open databases, agents).', objects.objects);
    gauge('agentgraph_objects_hits_total', 'Object cache hits.', objects.hits, 'counter');
    gauge('agentgraph_objects_misses_total', 'Object cache misses.', objects.misses, 'counter');
    gauge('process_resident_memory_bytes', 'Resident memory.', process.memoryUsage().rss);
    return reply.type('text/plain; version=0.0.4').send(`${lines.join('\n')}\n`);
  });
}
