/**
 * Wires the long-lived parts of one process from the Config: the store (Redis when REDIS_URL is set, the local
 * SQLite control database otherwise), the session-ended events, paths, live objects, the SessionManager and the
 * CleanupService. The HTTP app, the CLI and the tests all build on this, so every role runs the same wiring.
 *
 * The queue depends on the mode and the process's role:
 *   embedded (no REDIS_URL)      InlineQueue: questions run in this process (serve, ask, tests)
 *   REDIS_URL, role api / cli    BullmqQueue: questions become BullMQ jobs; this process runs none
 *   REDIS_URL, role worker       BullmqQueue + QueryWorker: this process runs the jobs (agentgraph worker)
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { HostPolicy } from './connections/host-policy.js';
import { ConnectionRegistry } from './connections/registry.js';
import { localSecret, SecretBox } from './connections/secret-box.js';
import { ImportPool } from './data/import-pool.js';
import { createLlmBackend } from './engine/agent/index.js';
import { Answerer } from './engine/answerer.js';
import { type CreateChatModelOptions, usableProvider } from './engine/models/registry.js';
import { QueryLog } from './engine/query-log.js';
import { installLeanRunContext } from './engine/run-context.js';
import { QuerySandbox } from './engine/sandbox/index.js';
import { ObjectManager } from './objects.js';
import { BullmqQueue } from './queue/bullmq.js';
import { InlineQueue } from './queue/inline.js';
import type { QueryQueue } from './queue/types.js';
import { QueryWorker } from './queue/worker.js';
import { closeRedis, createRedis } from './redis.js';
import { SessionCatalogs } from './session-catalogs.js';
import { SessionTables } from './session-tables.js';
import { CleanupService } from './sessions/cleanup.js';
import { LocalSessionEvents, RedisSessionEvents, type SessionEvents } from './sessions/events.js';
import { LocalSessionStore } from './sessions/local-store.js';
import { SessionManager } from './sessions/manager.js';
import { SessionPaths } from './sessions/paths.js';
import { RedisSessionStore } from './sessions/redis-store.js';
import type { SessionStore } from './sessions/store.js';

export interface Services {
  config: Config;
  logger: Logger;
  store: SessionStore;
  events: SessionEvents;
  paths: SessionPaths;
  objects: ObjectManager;
  sessions: SessionManager;
  cleanup: CleanupService;
  tables: SessionTables;
  /** Where uploads are parsed and every write to a session database happens: child processes (issue 12). */
  imports: ImportPool;
  /** Sessions' external databases (issue 15): host policy, sealed passwords, one small pool per session. */
  connections: ConnectionRegistry;
  catalogs: SessionCatalogs;
  sandbox: QuerySandbox;
  log: QueryLog;
  answerer: Answerer;
  queue: QueryQueue;
  redis: Redis | null;
  /** The Redis key prefix (scaled mode), null in embedded mode. */
  keyPrefix: string | null;
  role: ServiceRole;
  /** The BullMQ worker of a `worker` process (scaled mode), null otherwise. */
  worker: QueryWorker | null;
  /** Graceful: a worker finishes its running questions first. */
  close(): Promise<void>;
}

/** api: the HTTP server; worker: `agentgraph worker`; cli: one-shot commands (stats, cleanup). */
export type ServiceRole = 'api' | 'worker' | 'cli';

export interface ServiceOptions {
  /** Redis key prefix; tests give each suite its own. */
  keyPrefix?: string;
  /** Upper bound on live objects in this process (ObjectManager LRU). */
  maxObjects?: number;
  orphanGraceMs?: number;
  /** Model client options (tests point the Anthropic client at a local protocol server). */
  models?: CreateChatModelOptions;
  /** Default api. With REDIS_URL, `worker` also runs a QueryWorker (and needs REDIS_URL). */
  role?: ServiceRole;
  /** Worker role: start taking jobs right away (default true; tests may start it later). */
  startWorker?: boolean;
  /** Worker role: BullMQ lock duration (ms); a dead worker's job is taken over after about 1.5× this. */
  workerLockMs?: number;
}

export function createServices(config: Config, logger: Logger, options: ServiceOptions = {}): Services {
  const role = options.role ?? 'api';
  if (role === 'worker' && !config.redisUrl) {
    throw new Error('agentgraph worker needs REDIS_URL: workers take questions from a Redis (BullMQ) queue');
  }
  const prefix = config.redisUrl ? (options.keyPrefix ?? 'agentgraph:') : null;
  const paths = new SessionPaths(config.dataDir);
  const objects = new ObjectManager(options.maxObjects ?? 1000, (error, entry) =>
    logger.warn(
      { err: error, session_id: entry.sessionId, key: entry.key },
      'disposing a live object failed',
    ),
  );
  let store: SessionStore;
  let events: SessionEvents;
  let redis: Redis | null = null;
  let subscriber: Redis | null = null;
  if (config.redisUrl && prefix !== null) {
    redis = createRedis(config.redisUrl);
    // No ready check on a subscriber: its INFO is refused once SUBSCRIBE went first (ioredis race), and the
    // failed check would leave this process deaf to session-ended.
    // maxRetriesPerRequest null: a SUBSCRIBE issued while Redis is still down (a worker started first) waits for
    // it instead of failing for good.
    subscriber = redis.duplicate({ enableReadyCheck: false, maxRetriesPerRequest: null });
    for (const [name, connection] of [
      ['redis', redis],
      ['redis subscriber', subscriber],
    ] as const) {
      // Without a listener ioredis prints every failed reconnect; one warning per state change is enough.
      connection.on('error', (error: Error) => logger.debug({ err: error }, `${name} error`));
      connection.on('end', () => logger.warn(`${name} connection ended`));
      connection.on('ready', () => logger.info(`${name} ready`));
    }
    store = new RedisSessionStore(redis, prefix);
    events = new RedisSessionEvents(redis, subscriber, prefix);
  } else {
    store = new LocalSessionStore(join(config.dataDir, 'control.db'));
    events = new LocalSessionEvents();
  }
  const sessions = new SessionManager(
    store,
    paths,
    events,
    objects,
    {
      ttlSeconds: config.sessionTtlSeconds,
      maxSessionsPerIp: config.maxSessionsPerIp,
      maxSessionSizeBytes: config.maxSessionSizeBytes,
      defaultModel: config.defaultModel,
      isModelUsable: (id) => usableProvider(config, id) !== null,
    },
    logger,
  );
  const cleanup = new CleanupService(
    sessions,
    {
      intervalSeconds: config.cleanupIntervalSeconds,
      owner: `${hostname()}:${process.pid}`,
      ...(options.orphanGraceMs !== undefined ? { orphanGraceMs: options.orphanGraceMs } : {}),
    },
    logger,
  );

  const limits = { maxResultRows: config.maxResultRows, queryTimeoutMs: config.queryTimeoutMs };
  // One child per concurrent question: the queue never runs more statements at once than that.
  const sandbox = new QuerySandbox({
    size: config.workerConcurrency,
    timeoutMs: config.queryTimeoutMs,
    maxRows: config.maxResultRows,
    onCrash: (info) => logger.warn(info, 'a query process died'),
  });
  const imports = new ImportPool({
    size: config.importConcurrency,
    timeoutMs: config.importTimeoutMs,
    memoryBytes: config.importMemoryBytes,
    onCrash: (info) => logger.warn(info, 'an import process died'),
  });
  const catalogs = new SessionCatalogs(sandbox);
  const connections = new ConnectionRegistry(
    config.dbAllowedHosts ? new HostPolicy(config.dbAllowedHosts) : null,
    config.dbAllowedHosts ? new SecretBox(config.secretKey ?? localSecret(config.dataDir)) : null,
  );
  const tables = new SessionTables(sessions, imports, catalogs, sandbox, connections, {
    idleTimeoutMs: config.idleTimeoutMs,
    queryTimeoutMs: config.queryTimeoutMs,
  });
  // Whoever ended a session (this process, another API process, a cleanup elsewhere), drop our objects for it and
  // close the query processes' handles on its database, so the deleted file's space is given back at once.
  events.onEnded((event) => {
    for (const id of event.session_ids) {
      connections.forget(id);
      objects.evictSession(id);
      sandbox.forget(paths.dbPath(id));
      catalogs.forget(paths.dbPath(id));
    }
  });
  const log = new QueryLog(paths);
  installLeanRunContext(config.langsmithTracing);
  const answerer = new Answerer(
    {
      sessions,
      connections,
      catalogs,
      objects,
      sandbox,
      log,
      llm: createLlmBackend({
        config,
        sandbox,
        limits,
        ...(options.models ? { models: options.models } : {}),
      }),
      limits,
    },
    logger,
    // Embedded: finished questions stay in this process's memory, so their files can be written after `done`.
    { writeAfterDone: redis === null },
  );
  let queue: QueryQueue;
  let worker: QueryWorker | null = null;
  if (redis && prefix !== null && config.redisUrl) {
    queue = new BullmqQueue({ redis, prefix, answerer, log, concurrency: config.workerConcurrency, logger });
    if (role === 'worker') {
      worker = new QueryWorker({
        redisUrl: config.redisUrl,
        redis,
        prefix,
        answerer,
        objects,
        sandbox,
        events,
        dataDir: config.dataDir,
        concurrency: config.workerConcurrency,
        logger,
        ...(options.workerLockMs ? { lockMs: options.workerLockMs } : {}),
      });
      if (options.startWorker !== false) worker.start();
    }
  } else {
    queue = new InlineQueue(answerer, log, config.workerConcurrency, { logger });
  }

  let closed = false;
  return {
    config,
    logger,
    store,
    events,
    paths,
    objects,
    sessions,
    cleanup,
    tables,
    imports,
    connections,
    catalogs,
    sandbox,
    log,
    answerer,
    queue,
    redis,
    keyPrefix: prefix,
    role,
    worker,
    async close() {
      if (closed) return;
      closed = true;
      await worker?.close();
      await cleanup.stop();
      await queue.close();
      await sandbox.close();
      await imports.close();
      await connections.close();
      objects.clear();
      await paths.purgeTrash().catch(() => undefined);
      await events.close();
      await store.close();
      await Promise.all([redis, subscriber].map((c) => closeRedis(c)));
    },
  };
}
