/**
 * Worker reports: each `agentgraph worker` writes its cache and job figures to Redis every few seconds (and soon
 * after each question or session-ended event) under a key that expires WORKER_TTL_S after the last write, so a
 * worker that died disappears from the list by itself. /api/admin/stats and `agentgraph stats` read them here.
 */
import { readdir, readlink } from 'node:fs/promises';
import type { Redis } from 'ioredis';
import { keys } from './keys.js';

/** The seed's `get_cache_stats`, per worker. */
export interface CacheStats {
  /** Sessions with at least one live object in this worker. */
  sessions: number;
  /** Cached agents (one per session and cache key). */
  agents: number;
  /**
   * Open read-only handles on live session databases in this worker's sandbox children (read from /proc; null
   * where /proc is not available). Handles on files of ended sessions are not counted: the children's LRU closes
   * them as other databases come in.
   */
  databases: number | null;
  hits: number;
  misses: number;
  evictions: number;
  objects: number;
  max_objects: number;
}

export interface WorkerReport {
  worker_id: string;
  hostname: string;
  pid: number;
  started_at: number;
  /** When this report was written (epoch seconds). */
  at: number;
  concurrency: number;
  running: number;
  running_queries: string[];
  processed: number;
  completed: number;
  failed: number;
  cancelled: number;
  /** Questions this worker failed with worker_lost (their workers died twice). */
  lost: number;
  cache: CacheStats;
  sandbox: {
    children: number;
    busy: number;
    runs: number;
    timeouts: number;
    cancellations: number;
    crashes: number;
  };
  rss_bytes: number;
  heap_used_bytes: number;
  closing: boolean;
}

export interface WorkerTotals {
  workers: number;
  concurrency: number;
  running: number;
  processed: number;
  sessions: number;
  agents: number;
  databases: number;
  hits: number;
  misses: number;
}

/** Live workers' last reports; entries whose key expired (dead workers) are dropped from the index. */
export async function readWorkerReports(redis: Redis, prefix: string): Promise<WorkerReport[]> {
  const ids = await redis.zrange(keys.workers(prefix), 0, -1);
  if (ids.length === 0) return [];
  const raws = await redis.mget(ids.map((id) => keys.worker(prefix, id)));
  const gone = ids.filter((_, i) => raws[i] === null);
  if (gone.length) await redis.zrem(keys.workers(prefix), ...gone);
  return raws.filter((raw): raw is string => raw !== null).map((raw) => JSON.parse(raw) as WorkerReport);
}

export function totals(reports: WorkerReport[]): WorkerTotals {
  const sum = (pick: (r: WorkerReport) => number | null) => reports.reduce((n, r) => n + (pick(r) ?? 0), 0);
  return {
    workers: reports.length,
    concurrency: sum((r) => r.concurrency),
    running: sum((r) => r.running),
    processed: sum((r) => r.processed),
    sessions: sum((r) => r.cache.sessions),
    agents: sum((r) => r.cache.agents),
    databases: sum((r) => r.cache.databases),
    hits: sum((r) => r.cache.hits),
    misses: sum((r) => r.cache.misses),
  };
}

/** Counts open file descriptors on `{sessionsDir}/{id}/db.db` in the given processes (Linux /proc). */
export async function countOpenDatabases(pids: number[], sessionsDir: string): Promise<number | null> {
  if (process.platform !== 'linux') return null;
  const root = sessionsDir.endsWith('/') ? sessionsDir : `${sessionsDir}/`;
  let count = 0;
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = await readdir(`/proc/${pid}/fd`);
    } catch {
      continue; // the child just went away
    }
    for (const fd of fds) {
      try {
        const target = await readlink(`/proc/${pid}/fd/${fd}`);
        if (target.startsWith(root) && target.endsWith('/db.db')) count += 1;
      } catch {
        // closed meanwhile
      }
    }
  }
  return count;
}
