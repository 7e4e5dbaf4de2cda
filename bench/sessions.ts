/**
 * bench/sessions — issue 2's figures: SessionStore and SessionManager latency (create / get / touch / update, p50
 * and p99) for both stores, cleanup of 100 expired among 20,000 live sessions, and HTTP POST /api/sessions over a
 * real socket. A Redis PING is measured in the same run as the floor every Redis operation pays.
 *
 *   npx tsx bench/sessions.ts            (or: npm run bench -- sessions)
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { buildApp } from '../src/http/app.js';
import { createServices, type Services } from '../src/services.js';
import { SessionManager } from '../src/sessions/manager.js';
import { newSessionDoc } from '../src/sessions/session.js';
import { deletePrefix } from '../test/helpers/services.js';
import { formatTable, percentiles, type Row, runIfMain, time } from './stats.js';

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const OPS = Number(process.env.BENCH_OPS ?? 2000);
const LIVE = Number(process.env.BENCH_LIVE_SESSIONS ?? 20_000);
const logger = pino({ level: 'silent' });
/**
 * Data folders are deleted at the very end: deleting thousands of files slows the next file creations on this
 * machine's disk for a while, which would be charged to whatever phase comes next.
 */
const leftovers: string[] = [];

function makeServices(mode: 'local' | 'redis', env: Record<string, string> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'agentgraph-bench-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    MAX_SESSIONS_PER_IP: '1000000',
    ...(mode === 'redis' ? { REDIS_URL } : {}),
    ...env,
  });
  const prefix = `agentgraph-bench-${randomUUID().slice(0, 8)}:`;
  const services = createServices(config, logger, { keyPrefix: prefix });
  return {
    services,
    async dispose() {
      await services.close();
      if (mode === 'redis') await deletePrefix(REDIS_URL, prefix);
      leftovers.push(dataDir);
    },
  };
}

async function operations(mode: 'local' | 'redis'): Promise<Row[]> {
  const { services, dispose } = makeServices(mode);
  const { store, sessions, paths } = services;
  const rows: Row[] = [];
  try {
    const ids: string[] = [];
    const storeCreate = await time(OPS, async (i) => {
      const id = randomUUID();
      ids.push(id);
      const doc = newSessionDoc({
        session_id: id,
        client_ip: `10.0.${i % 250}.1`,
        selected_model: 'builtin',
        db_uri: paths.dbUri(id),
      });
      await store.create(doc, { ttlSeconds: 3600, maxPerIp: 1_000_000 });
    });
    rows.push({ name: `${mode} store.create (1 round trip / 1 transaction)`, ...percentiles(storeCreate) });
    // Alternating with its anchor: the same four folders and one empty file made with plain fs calls. Creating
    // files on this machine's disk swings between ~0.03 and ~1 ms each over minutes, so only the pair is telling.
    const managerCreate: number[] = [];
    const layout: number[] = [];
    await time(OPS * 2, async (i) => {
      const started = performance.now();
      const into = i < OPS * 2 ? (i % 2 === 0 ? managerCreate : layout) : []; // not the warm-up's
      if (i % 2 === 0) {
        await sessions.create(`10.1.${i % 250}.1`);
        into.push(performance.now() - started);
      } else {
        const dir = join(paths.dataDir, 'anchor', randomUUID());
        await mkdir(dir, { recursive: true });
        await Promise.all([
          ...['uploads', 'temp', 'cache'].map((name) => mkdir(join(dir, name))),
          writeFile(join(dir, 'db.db'), '', { flag: 'a' }),
        ]);
        into.push(performance.now() - started);
      }
    });
    rows.push({ name: `${mode} SessionManager.create (+ folder, db.db)`, ...percentiles(managerCreate) });
    rows.push({
      name: 'anchor: the same folders + empty file, plain fs calls (alternating)',
      ...percentiles(layout),
    });
    const get = await time(OPS, async (i) => {
      await sessions.get(ids[i % ids.length]!);
    });
    rows.push({ name: `${mode} get (= touch: renews TTL)`, ...percentiles(get) });
    const peek = await time(OPS, async (i) => {
      await store.peek(ids[i % ids.length]!);
    });
    rows.push({ name: `${mode} peek (no renewal)`, ...percentiles(peek) });
    const update = await time(OPS, async (i) => {
      await sessions.update(ids[i % ids.length]!, { top_k: (i % 20) + 1 });
    });
    rows.push({ name: `${mode} update (validated, version bump)`, ...percentiles(update) });
    if (mode === 'redis' && services.redis) {
      const redis = services.redis;
      const ping = await time(OPS, async () => {
        await redis.ping();
      });
      rows.push({ name: 'anchor: redis PING round trip (same client)', ...percentiles(ping) });
    }
  } finally {
    await dispose();
  }
  return rows;
}

/** 100 expired among LIVE live sessions; the regular run (expired only) and a run with the orphan sweep. */
async function cleanup(mode: 'local' | 'redis'): Promise<Row[]> {
  const { services, dispose } = makeServices(mode, { SESSION_TTL: '2' });
  const long = makeManagerWithTtl(services, 3600);
  try {
    for (let i = 0; i < 100; i++) await services.sessions.create(`10.9.${i}.1`);
    const started = Date.now();
    const batch = 200;
    for (let i = 0; i < LIVE; i += batch) {
      await Promise.all(
        Array.from({ length: Math.min(batch, LIVE - i) }, (_, j) =>
          long.create(`10.8.${(i + j) % 250}.${(i + j) % 7}`),
        ),
      );
    }
    const wait = 2100 - (Date.now() - started);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const expiredRun = await services.cleanup.perform(false);
    if (expiredRun.expired_removed !== 100)
      throw new Error(`expected 100 expired, removed ${expiredRun.expired_removed}`);
    const orphanRun = await services.cleanup.perform(true);
    const active = (await services.sessions.stats()).active_sessions;
    if (active !== LIVE) throw new Error(`expected ${LIVE} live sessions after cleanup, found ${active}`);
    return [
      {
        name: `${mode} cleanup: 100 expired among ${LIVE} live (scheduled run)`,
        p50: expiredRun.duration_ms,
        p99: NaN,
        n: 1,
      },
      {
        name: `${mode} cleanup: then deleting those 100 folders' bytes (after the run)`,
        p50: expiredRun.purge_ms,
        p99: NaN,
        n: 1,
      },
      {
        name: `${mode} cleanup: orphan sweep over ${LIVE} folders (start-up/manual/every 12th run)`,
        p50: orphanRun.duration_ms,
        p99: NaN,
        n: 1,
      },
    ];
  } finally {
    await dispose();
  }
}

/** A second manager over the same store and folders, creating sessions with another TTL. */
function makeManagerWithTtl(services: Services, ttlSeconds: number): SessionManager {
  const { store, paths, events, objects, sessions } = services;
  return new SessionManager(store, paths, events, objects, { ...sessions.options, ttlSeconds });
}

async function httpCreate(mode: 'local' | 'redis'): Promise<Row[]> {
  const { services, dispose } = makeServices(mode);
  const app = await buildApp(services);
  try {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const url = `http://127.0.0.1:${port}/api/sessions`;
    const samples = await time(OPS, async () => {
      const response = await fetch(url, { method: 'POST' });
      if (response.status !== 201) throw new Error(`HTTP ${response.status}`);
      await response.arrayBuffer();
    });
    const healthz = await time(OPS, async () => {
      await (await fetch(`http://127.0.0.1:${port}/healthz`)).arrayBuffer();
    });
    return [
      { name: `${mode} HTTP POST /api/sessions (real socket, keep-alive)`, ...percentiles(samples) },
      { name: `anchor: HTTP GET /healthz, same server and client`, ...percentiles(healthz) },
    ];
  } finally {
    await app.close();
    await dispose();
  }
}

export async function main(): Promise<void> {
  const rows: Row[] = [];
  try {
    // The cleanup runs delete folders, so they come after every phase that creates sessions.
    for (const mode of ['local', 'redis'] as const) {
      rows.push(...(await operations(mode)));
      rows.push(...(await httpCreate(mode)));
    }
    for (const mode of ['local', 'redis'] as const) rows.push(...(await cleanup(mode)));
  } finally {
    for (const dir of leftovers.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\n## Sessions (issue 2) — ${OPS} operations each, ${new Date().toISOString()}\n`);
  console.log(formatTable(rows));
}

runIfMain(import.meta.url, main);
