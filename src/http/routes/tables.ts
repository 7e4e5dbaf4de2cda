/**
 * POST /api/session/uploads, GET /api/session/tables, GET and DELETE /api/session/tables/:name.
 * The upload streams from the socket into a file in the session's temp/ (never whole in memory), then an import
 * process turns it into tables (SessionTables); a client that goes away or stalls aborts it, and the session stays
 * as it was.
 */
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import type { SessionTables } from '../../session-tables.js';
import { parseInput, type SessionManager } from '../../sessions/manager.js';
import { abortOnDisconnect } from '../disconnect.js';
import { requireSession } from '../session-context.js';
import { liftIdleTimeout } from '../timeouts.js';

const previewQuery = z
  .object({
    limit: z.coerce.number().int().min(0).max(1000).default(50),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .strict();

const uploadQuery = z
  .object({
    table: z.string().max(200).optional(),
    sheets: z.enum(['first', 'all']).optional(),
  })
  .strict();

function fieldValue(field: unknown): string | undefined {
  const value = (Array.isArray(field) ? field[0] : field) as { type?: string; value?: unknown } | undefined;
  return value?.type === 'field' && typeof value.value === 'string' ? value.value : undefined;
}

export async function tableRoutes(
  app: FastifyInstance,
  opts: { sessions: SessionManager; tables: SessionTables; maxUploadBytes: number },
) {
  const { sessions, tables } = opts;
  await app.register(multipart, {
    limits: {
      fileSize: opts.maxUploadBytes,
      files: 1,
      fields: 10,
      fieldSize: 1024,
      parts: 12,
      headerPairs: 100,
    },
  });

  app.post('/api/session/uploads', async (request, reply) => {
    const doc = await requireSession(sessions, request, reply);
    if (!request.isMultipart()) {
      throw new AppError('unsupported_media_type', { type: request.headers['content-type'] ?? 'none' });
    }
    const query = parseInput(uploadQuery, request.query);
    const part = await request.file();
    if (part?.fieldname !== 'file') {
      throw new AppError('bad_input', {
        detail: 'send the file in a multipart field named "file" (and "table" before it, if any)',
        detail_pt: 'envie o arquivo num campo multipart chamado "file" (e "table" antes dele, se houver)',
      });
    }
    const tableName = query.table ?? fieldValue(part.fields.table);
    const sheets = query.sheets ?? (fieldValue(part.fields.sheets) as 'first' | 'all' | undefined);
    const controller = abortOnDisconnect(reply);
    liftIdleTimeout(request);
    try {
      const outcome = await tables.upload(doc, {
        source: part.file,
        fileName: part.filename || 'upload.csv',
        ...(tableName ? { tableName } : {}),
        ...(sheets === 'all' || sheets === 'first' ? { sheets } : {}),
        signal: controller.signal,
      });
      const [table] = outcome.tables;
      return reply.status(201).send({
        table,
        tables: outcome.tables,
        warnings: outcome.warnings,
        timings: outcome.timings,
        source: {
          format: outcome.format,
          encoding: outcome.encoding,
          delimiter: outcome.delimiter,
          compressed: outcome.compressed,
          original_kept: outcome.original_kept,
        },
        session: {
          version: outcome.session.version,
          tables: outcome.session.tables,
          size_bytes: outcome.session.size_bytes,
        },
      });
    } catch (error) {
      // The multipart limit fires before the importer's own quota check when the raw upload alone is too big.
      if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE' || part.file.truncated) {
        throw new AppError('quota_exceeded', { limit_mb: Math.round(opts.maxUploadBytes / 1024 / 1024) });
      }
      throw error;
    } finally {
      part.file.resume(); // drain whatever the importer did not read, so the connection can be reused
    }
  });

  app.get('/api/session/tables', async (request, reply) => {
    const doc = await requireSession(sessions, request, reply);
    return { tables: await tables.list(doc) };
  });

  app.get<{ Params: { name: string } }>('/api/session/tables/:name', async (request, reply) => {
    const doc = await requireSession(sessions, request, reply);
    const query = parseInput(previewQuery, request.query);
    return tables.preview(doc, request.params.name, query);
  });

  app.delete<{ Params: { name: string } }>('/api/session/tables/:name', async (request, reply) => {
    const doc = await requireSession(sessions, request, reply);
    await tables.drop(doc, request.params.name);
    return reply.status(204).send();
  });
}
