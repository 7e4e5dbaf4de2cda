/**
 * Questions: POST /api/session/queries (202, or 200 with the result when ?wait=true), GET …/queries/:id,
 * GET …/queries/:id/events (SSE), POST …/queries/:id/cancel, GET …/queries/:id/result.csv,
 * GET /api/session/history, DELETE /api/session/history, GET /api/models.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { keptResultCap } from '../../engine/kept-result.js';
import type { ModelInfo } from '../../engine/models/registry.js';
import { MAX_QUESTION_CHARS } from '../../engine/nodes/prepare.js';
import type { QueryLog } from '../../engine/query-log.js';
import type { QueryEvent, QueryJob, QueryResult } from '../../engine/types.js';
import { AppError } from '../../errors.js';
import type { QueryQueue } from '../../queue/types.js';
import { parseInput, type SessionManager } from '../../sessions/manager.js';
import { toCsv } from '../csv.js';
import { abortOnDisconnect } from '../disconnect.js';
import { requestLanguage } from '../errors.js';
import { requireSession } from '../session-context.js';

export interface QueryRouteDeps {
  sessions: SessionManager;
  queue: QueryQueue;
  log: QueryLog;
  listModels: () => Promise<{ models: ModelInfo[]; reason?: string }>;
  /** IDLE_TIMEOUT: the event stream writes a comment well within it, so a quiet stream is never cut. */
  idleTimeoutMs: number;
}

const askBody = z
  .object({
    question: z.string().trim().min(1).max(MAX_QUESTION_CHARS),
    model: z.string().trim().min(1).max(100).optional(),
  })
  .strict();

const askQuery = z.object({ wait: z.enum(['true', 'false', '1', '0']).optional() }).strict();
const historyQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }).strict();

/**
 * A comment at least this often keeps proxies from closing a quiet stream, and keeps the socket's idle timeout
 * (http/timeouts.ts) from firing while the stream is read; a client that stops reading still gets cut by it.
 */
const SSE_HEARTBEAT_MS = 15_000;

type IdParams = { Params: { id: string } };

export async function queryRoutes(app: FastifyInstance, deps: QueryRouteDeps) {
  const { sessions, queue, log } = deps;
  const heartbeatMs = Math.min(SSE_HEARTBEAT_MS, Math.floor(deps.idleTimeoutMs / 2));

  async function result(request: FastifyRequest<IdParams>, reply: FastifyReply): Promise<QueryResult> {
    const doc = await requireSession(sessions, request, reply);
    const found = await queue.get(doc.session_id, request.params.id);
    if (!found) throw new AppError('not_found', { what: `query ${request.params.id}` });
    return found;
  }

  app.post('/api/session/queries', async (request, reply) => {
    const doc = await requireSession(sessions, request, reply);
    const body = parseInput(askBody, request.body ?? {});
    const query = parseInput(askQuery, request.query);
    if (doc.tables.length === 0) throw new AppError('no_tables');
    // Its answer is kept in the session folder: a session without room for one more must free space first.
    sessions.assertRoom(doc, keptResultCap(sessions.options.maxSessionSizeBytes));
    const job: QueryJob = {
      query_id: randomUUID(),
      session_id: doc.session_id,
      question: body.question,
      ...(body.model ? { model: body.model } : {}),
      lang: requestLanguage(request),
      submitted_at: Date.now() / 1000,
    };
    await queue.submit(job);
    if (query.wait === 'true' || query.wait === '1') {
      const controller = abortOnDisconnect(reply);
      try {
        return await queue.wait(doc.session_id, job.query_id, controller.signal);
      } catch (error) {
        // The client left: stop the work it no longer waits for.
        if (controller.signal.aborted) await queue.cancel(doc.session_id, job.query_id);
        throw error;
      }
    }
    return reply.status(202).send({ query_id: job.query_id, status: 'queued' });
  });

  app.get<IdParams>('/api/session/queries/:id', async (request, reply) => result(request, reply));

  app.get<IdParams>('/api/session/queries/:id/events', async (request, reply) => {
    const doc = await requireSession(sessions, request, reply);
    const id = request.params.id;
    if (!(await queue.get(doc.session_id, id))) throw new AppError('not_found', { what: `query ${id}` });
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no', // nginx: do not buffer the stream
      'x-content-type-options': 'nosniff', // hijacked: the app's onSend hook does not run
    });
    raw.write(': agentgraph query events\n\n');
    let closed = false;
    const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), heartbeatMs);
    const end = () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      unsubscribe();
      raw.end();
    };
    const send = (event: QueryEvent) => {
      if (closed) return;
      raw.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      if (event.type === 'done') setImmediate(end);
    };
    let unsubscribe: () => void = () => {};
    raw.on('close', end);
    unsubscribe = await queue.subscribe(doc.session_id, id, send);
    if (closed) unsubscribe();
  });

  app.post<IdParams>('/api/session/queries/:id/cancel', async (request, reply) => {
    const doc = await requireSession(sessions, request, reply);
    const outcome = await queue.cancel(doc.session_id, request.params.id);
    if (outcome === 'not_found') throw new AppError('not_found', { what: `query ${request.params.id}` });
    return reply.status(202).send({ query_id: request.params.id, cancel: outcome });
  });

  app.get<IdParams>('/api/session/queries/:id/result.csv', async (request, reply) => {
    const found = await result(request, reply);
    if (found.status !== 'done') {
      throw new AppError('conflict', {
        detail: `the query is ${found.status}, there is no result to download`,
        detail_pt: `a consulta está ${found.status}, não há resultado para baixar`,
      });
    }
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="result-${found.query_id.slice(0, 8)}.csv"`)
      .send(toCsv(found.columns, found.rows));
  });

  app.get('/api/session/history', async (request, reply) => {
    const doc = await requireSession(sessions, request, reply);
    const { limit } = parseInput(historyQuery, request.query);
    return { history: await log.history(doc.session_id, limit) };
  });

  // Gives back the space past questions take (cache/), the way out of quota_exceeded short of a new session.
  app.delete('/api/session/history', async (request, reply) => {
    const doc = await requireSession(sessions, request, reply);
    await log.clear(doc.session_id);
    await sessions.refreshSize(doc.session_id);
    return reply.status(204).send();
  });

  app.get('/api/models', async () => {
    const { models, reason } = await deps.listModels();
    return { models, default: models.find((m) => m.default)?.id ?? 'builtin', ...(reason ? { reason } : {}) };
  });
}
