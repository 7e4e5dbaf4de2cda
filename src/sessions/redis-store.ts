/**
 * RedisSessionStore: the scaled-mode SessionStore. Every operation is one Lua script (one round trip, atomic);
 * see redis-scripts.ts for the key layout and each script's KEYS/ARGV/returns.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError } from '../errors.js';
import { isConnectionError } from '../redis.js';
import * as scripts from './redis-scripts.js';
import { type SessionDoc, VERSIONED_FIELDS } from './session.js';
import type {
  CleanupReport,
  CreateOptions,
  EndedSession,
  SessionStore,
  StoreStats,
  UpdateOptions,
} from './store.js';

/** Clock fields are set by the scripts from Redis's TIME, never sent by a client. */
const CLOCK_FIELDS = new Set(['created_at', 'last_seen', 'expires_at']);
/** Entries outlive their TTL by this much in Redis, a safety net should cleanup stop running for a long time. */
const KEY_SAFETY_SECONDS = 7 * 24 * 3600;
const MAX_IPS_REPORTED = 1000;

type ScriptName = 'create' | 'read' | 'update' | 'remove' | 'claimExpired' | 'stats' | 'releaseLock';
type ScriptCall = (...args: (string | number)[]) => Promise<unknown>;

function decode(flat: unknown): SessionDoc | null {
  if (!Array.isArray(flat) || flat.length === 0) return null;
  const doc: Record<string, unknown> = {};
  for (let i = 0; i < flat.length; i += 2) doc[String(flat[i])] = JSON.parse(String(flat[i + 1]));
  return doc as unknown as SessionDoc;
}

export class RedisSessionStore implements SessionStore {
  readonly kind = 'redis' as const;
  private readonly run: Record<ScriptName, ScriptCall>;

  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'agentgraph:',
  ) {
    const define = (name: ScriptName, lua: string, numberOfKeys: number): ScriptCall => {
      const command = `agentgraph_${name}`;
      redis.defineCommand(command, { lua, numberOfKeys });
      const target = redis as unknown as Record<string, ScriptCall>;
      return (...args) => target[command]!.call(redis, ...args);
    };
    this.run = {
      create: define('create', scripts.CREATE, 4),
      read: define('read', scripts.READ, 2),
      update: define('update', scripts.UPDATE, 2),
      remove: define('remove', scripts.DELETE, 0),
      claimExpired: define('claimExpired', scripts.CLAIM_EXPIRED, 1),
      stats: define('stats', scripts.STATS, 3),
      releaseLock: define('releaseLock', scripts.RELEASE_LOCK, 1),
    };
  }

  private key(...parts: string[]): string {
    return this.prefix + parts.join(':');
  }

  /** Connection failures become store_unavailable (503); anything else is a bug and propagates as is. */
  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isConnectionError(error)) throw new AppError('store_unavailable', {}, { cause: error });
      throw error;
    }
  }

  create(doc: SessionDoc, options: CreateOptions): Promise<SessionDoc | 'limit'> {
    return this.guard(async () => {
      const pairs: string[] = [];
      for (const [field, value] of Object.entries(doc)) {
        if (!CLOCK_FIELDS.has(field)) pairs.push(field, JSON.stringify(value));
      }
      const result = await this.run.create(
        this.key('session', doc.session_id),
        this.key('expiry'),
        this.key('ip', doc.client_ip),
        this.key('ips'),
        doc.session_id,
        options.ttlSeconds,
        options.maxPerIp,
        doc.client_ip,
        options.ttlSeconds + KEY_SAFETY_SECONDS,
        ...pairs,
      );
      if (result === 0) return 'limit';
      if (result === -1) throw new Error(`session id collision: ${doc.session_id}`);
      const now = Number(result);
      return { ...doc, created_at: now, last_seen: now, expires_at: now + options.ttlSeconds };
    });
  }

  private read(id: string, ttlSeconds: number): Promise<SessionDoc | null> {
    return this.guard(async () =>
      decode(
        await this.run.read(
          this.key('session', id),
          this.key('expiry'),
          id,
          ttlSeconds,
          this.prefix,
          ttlSeconds + KEY_SAFETY_SECONDS,
        ),
      ),
    );
  }

  touch(id: string, ttlSeconds: number): Promise<SessionDoc | null> {
    return this.read(id, ttlSeconds);
  }

  peek(id: string): Promise<SessionDoc | null> {
    return this.read(id, 0);
  }

  update(id: string, options: UpdateOptions): Promise<SessionDoc | null> {
    return this.guard(async () => {
      const sets = Object.entries(options.set ?? {}).filter(([, v]) => v !== undefined);
      const increments = Object.entries(options.increment ?? {}).filter(([, by]) => by);
      const args: (string | number)[] = [VERSIONED_FIELDS.join(','), sets.length];
      for (const [field, value] of sets) args.push(field, JSON.stringify(value));
      args.push(increments.length);
      for (const [field, by] of increments) args.push(field, Math.trunc(by!));
      return decode(await this.run.update(this.key('session', id), this.key('size_bytes'), ...args));
    });
  }

  delete(id: string): Promise<EndedSession | null> {
    return this.guard(async () => {
      const ip = await this.run.remove(this.prefix, id);
      return ip === null ? null : { session_id: id, client_ip: String(ip) };
    });
  }

  claimExpired(limit: number): Promise<EndedSession[]> {
    return this.guard(async () => {
      const flat = (await this.run.claimExpired(this.key('expiry'), this.prefix, limit)) as string[];
      const ended: EndedSession[] = [];
      for (let i = 0; i < flat.length; i += 2) ended.push({ session_id: flat[i]!, client_ip: flat[i + 1]! });
      return ended;
    });
  }

  existing(ids: string[]): Promise<Set<string>> {
    return this.guard(async () => {
      const found = new Set<string>();
      for (let start = 0; start < ids.length; start += 1000) {
        const chunk = ids.slice(start, start + 1000);
        const scores = await this.redis.zmscore(this.key('expiry'), ...chunk);
        for (const [i, id] of chunk.entries()) if (scores[i] !== null) found.add(id);
      }
      return found;
    });
  }

  stats(): Promise<StoreStats> {
    return this.guard(async () => {
      const flat = (await this.run.stats(
        this.key('expiry'),
        this.key('size_bytes'),
        this.key('ips'),
        this.prefix,
        MAX_IPS_REPORTED,
      )) as (string | number)[];
      const per_ip: Record<string, number> = {};
      for (let i = 2; i < flat.length; i += 2) per_ip[String(flat[i])] = Number(flat[i + 1]);
      return { active_sessions: Number(flat[0]), total_size_bytes: Number(flat[1]), per_ip };
    });
  }

  acquireLock(name: string, ttlMs: number): Promise<string | null> {
    return this.guard(async () => {
      const token = randomUUID();
      const ok = await this.redis.set(this.key('lock', name), token, 'PX', ttlMs, 'NX');
      return ok === 'OK' ? token : null;
    });
  }

  releaseLock(name: string, token: string): Promise<void> {
    return this.guard(async () => {
      await this.run.releaseLock(this.key('lock', name), token);
    });
  }

  saveCleanupReport(report: CleanupReport): Promise<void> {
    return this.guard(async () => {
      await this.redis.set(this.key('cleanup_report'), JSON.stringify(report));
    });
  }

  lastCleanupReport(): Promise<CleanupReport | null> {
    return this.guard(async () => {
      const raw = await this.redis.get(this.key('cleanup_report'));
      return raw ? (JSON.parse(raw) as CleanupReport) : null;
    });
  }

  ping(): Promise<void> {
    return this.guard(async () => {
      await this.redis.ping();
    });
  }

  async close(): Promise<void> {
    // The connection belongs to whoever created it (services.ts); the store only stops using it.
  }
}
