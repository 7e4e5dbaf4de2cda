/**
 * SessionManager: the one entry point for session lifecycles — create, get (renews the TTL), update, delete,
 * stats. It validates input, owns the folder layout through SessionPaths, and makes sure ending a session (by
 * DELETE or by expiry) always removes the same things: store entry, IP slot, folder, live objects, and tells every
 * other process through the `session-ended` event.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import { AppError, type Lang } from '../errors.js';
import type { ObjectManager } from '../objects.js';
import type { EndReason, SessionEvents } from './events.js';
import { SessionPaths } from './paths.js';
import {
  BYTES_PER_MB,
  type CounterField,
  newSessionDoc,
  type SessionChanges,
  type SessionDoc,
  sizeInMb,
} from './session.js';
import type { EndedSession, SessionStore, StoreStats } from './store.js';

export interface SessionLimits {
  ttlSeconds: number;
  maxSessionsPerIp: number;
  maxSessionSizeBytes: number;
}

export interface SessionManagerOptions extends SessionLimits {
  defaultModel: string;
  /** Whether a model id can be used on this server (PATCH selected_model / processing_model). */
  isModelUsable?: (id: string) => boolean;
}

const TABLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** What a client may change through PATCH /api/session. Unknown fields are rejected, not ignored. */
export const sessionUpdateSchema = z
  .object({
    selected_model: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .regex(/^[\w.:/@-]+$/, 'letters, digits and . : / @ - _ only'),
    top_k: z.number().int().min(1).max(1000),
    include_tables_key: z
      .string()
      .trim()
      .max(4000)
      .transform((value, ctx) => {
        if (value === '*' || value === '') return '*';
        const names = [...new Set(value.split(',').map((s) => s.trim()))].sort();
        const bad = names.find((name) => !TABLE_NAME.test(name));
        if (bad !== undefined) {
          ctx.addIssue({ code: 'custom', message: `not a table name: ${JSON.stringify(bad)}` });
          return z.NEVER;
        }
        return names.join(',');
      }),
    advanced_mode: z.boolean(),
    processing_enabled: z.boolean(),
    processing_model: z.string().trim().min(1).max(100).nullable(),
    language: z.enum(['pt', 'en']).nullable(),
  })
  .partial()
  .strict();

export type SessionUpdate = z.input<typeof sessionUpdateSchema>;

/** "field: message" for the first problem, the way users read it, in their language. */
export function describeZodError(error: z.ZodError, lang: Lang = 'en'): string {
  const issue = error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => `"${k}"`).join(', ');
    return lang === 'pt' ? `campo desconhecido ${keys}` : `unknown field ${keys}`;
  }
  // Zod's own messages start with the same words our catalogue already says.
  const message = issue.message.replace(/^(Invalid input|Entrada inválida):\s*/i, '');
  const path = issue.path.join('.');
  return path ? `${path}: ${message}` : message;
}

/** Validates against a schema; a failure is bad_input with the problem described in English and Portuguese. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const inPortuguese = schema.safeParse(input, { error: z.locales.pt().localeError });
  return failInput(
    describeZodError(parsed.error, 'en'),
    inPortuguese.success ? undefined : describeZodError(inPortuguese.error, 'pt'),
  );
}

function failInput(detail: string, detailPt: string | undefined): never {
  throw new AppError('bad_input', { detail, ...(detailPt ? { detail_pt: detailPt } : {}) });
}

export interface SessionStats extends StoreStats {
  limits: {
    session_ttl_seconds: number;
    max_sessions_per_ip: number;
    max_session_size_bytes: number;
  };
  store: 'redis' | 'local';
}

export class SessionManager {
  constructor(
    readonly store: SessionStore,
    readonly paths: SessionPaths,
    private readonly events: SessionEvents,
    private readonly objects: ObjectManager,
    readonly options: SessionManagerOptions,
    private readonly logger?: Logger,
  ) {}

  /** Creates a session for a client IP; throws session_limit (429) when the IP holds the maximum already. */
  async create(clientIp: string): Promise<SessionDoc> {
    const id = randomUUID();
    const doc = newSessionDoc({
      session_id: id,
      client_ip: clientIp,
      selected_model: this.options.defaultModel,
      db_uri: this.paths.dbUri(id),
    });
    // The store decides the limit first (atomically), so a refused create costs no file-system work.
    const created = await this.store.create(doc, {
      ttlSeconds: this.options.ttlSeconds,
      maxPerIp: this.options.maxSessionsPerIp,
    });
    if (created === 'limit') throw new AppError('session_limit', { limit: this.options.maxSessionsPerIp });
    try {
      await this.paths.createLayout(id);
    } catch (error) {
      await this.store.delete(id).catch(() => undefined);
      await this.paths.remove(id).catch(() => undefined);
      throw error;
    }
    return created;
  }

  private checkId(id: string): void {
    if (!SessionPaths.isValidId(id)) throw new AppError('bad_session_id');
  }

  /** The live session, its TTL renewed. Throws bad_session_id or session_expired. */
  async get(id: string): Promise<SessionDoc> {
    this.checkId(id);
    const doc = await this.store.touch(id, this.options.ttlSeconds);
    if (!doc) throw new AppError('session_expired');
    return doc;
  }

  /** The live session without renewing it (stats, background work). */
  async peek(id: string): Promise<SessionDoc | null> {
    this.checkId(id);
    return this.store.peek(id);
  }

  /** Validated client changes (PATCH). Throws bad_input with "field: message". */
  async update(id: string, input: unknown): Promise<SessionDoc> {
    const changes = parseInput(sessionUpdateSchema, input);
    for (const field of ['selected_model', 'processing_model'] as const) {
      const model = changes[field];
      if (model && this.options.isModelUsable && !this.options.isModelUsable(model)) {
        throw new AppError('bad_input', {
          detail: `${field}: the model "${model}" is not available on this server (see GET /api/models)`,
          detail_pt: `${field}: o modelo "${model}" não está disponível neste servidor (veja GET /api/models)`,
        });
      }
    }
    return this.apply(id, changes);
  }

  /** Trusted changes from inside the server (tables after an import, sizes, query counters). */
  async apply(
    id: string,
    set: SessionChanges,
    increment?: Partial<Record<CounterField, number>>,
  ): Promise<SessionDoc> {
    this.checkId(id);
    const doc = await this.store.update(id, { set, ...(increment ? { increment } : {}) });
    if (!doc) throw new AppError('session_expired');
    return doc;
  }

  /**
   * Throws quota_exceeded when the session is at or over MAX_SESSION_SIZE_MB, or would be with `incoming` more
   * bytes: before accepting a question and before keeping its result (issue 12: results filled a folder to 5 GB
   * against a 200 MB quota). Reads `size_bytes` of the document, kept current after every write, not a walk.
   */
  assertRoom(doc: SessionDoc, incoming = 0): void {
    const limit = this.options.maxSessionSizeBytes;
    if (doc.size_bytes >= limit || doc.size_bytes + incoming > limit) {
      throw new AppError('quota_exceeded', { limit_mb: Math.round((limit / BYTES_PER_MB) * 10) / 10 });
    }
  }

  /** Measures the session's folder and stores the figure (after writes, never per request). */
  async refreshSize(id: string): Promise<SessionDoc> {
    const bytes = await this.paths.measure(id);
    return this.apply(id, { size_bytes: bytes, session_size_mb: sizeInMb(bytes) });
  }

  /** Ends a session now. Returns false when there was nothing to end. */
  async delete(id: string): Promise<boolean> {
    this.checkId(id);
    const removed = await this.store.delete(id);
    await this.endSessions(removed ? [removed] : [{ session_id: id, client_ip: '' }], 'deleted');
    return removed !== null;
  }

  /**
   * What ending a session means, shared by DELETE and cleanup: its folder goes, its live objects are disposed
   * here, and every other process is told to drop its own.
   */
  async endSessions(sessions: EndedSession[], reason: EndReason): Promise<string[]> {
    const errors: string[] = [];
    await Promise.all(
      sessions.map(async ({ session_id }) => {
        this.objects.evictSession(session_id);
        try {
          await this.paths.remove(session_id);
        } catch (error) {
          errors.push(`${session_id}: ${(error as Error).message}`);
        }
      }),
    );
    try {
      await this.events.publishEnded({ session_ids: sessions.map((s) => s.session_id), reason });
    } catch (error) {
      errors.push(`publish session-ended: ${(error as Error).message}`);
    }
    if (errors.length) this.logger?.warn({ errors, reason }, 'ending sessions left errors');
    // The folders are out of sight already; their bytes go in the background.
    this.paths
      .purgeTrash()
      .catch((error) => this.logger?.warn({ err: error }, 'purging removed folders failed'));
    return errors;
  }

  async stats(): Promise<SessionStats> {
    const stats = await this.store.stats();
    return {
      ...stats,
      limits: {
        session_ttl_seconds: this.options.ttlSeconds,
        max_sessions_per_ip: this.options.maxSessionsPerIp,
        max_session_size_bytes: this.options.maxSessionSizeBytes,
      },
      store: this.store.kind,
    };
  }
}
