/**
 * A small scaled-mode deployment for tests: one `agentgraph serve` and N `agentgraph worker` processes spawned from
 * source, sharing a temp DATA_DIR and a random Redis key prefix (--redis-prefix), plus HTTP helpers.
 */
import type { ChildProcess } from 'node:child_process';
import type { WorkerReport, WorkerTotals } from '../../src/queue/registry.js';
import { MULTIPART_TYPE, multipart } from '../helpers/multipart.js';
import { exitOf, freePort, startCli, waitForHttp } from '../helpers/process.js';
import { sleep } from '../helpers/services.js';

/** A parsed JSON response body, read loosely by the assertions. */
// biome-ignore lint/suspicious/noExplicitAny: test-side JSON bodies
export type Json = Record<string, any>;

export const ADMIN_TOKEN = 'scale-test-token';

export interface Cluster {
  base: string;
  api: ChildProcess;
  workers: ChildProcess[];
  /** Starts one more worker; resolves once it reported itself. */
  addWorker(): Promise<ChildProcess>;
  stats(): Promise<{ workers: WorkerReport[]; worker_totals: WorkerTotals; queue: Record<string, number> }>;
  waitFor<T>(
    what: string,
    probe: () => Promise<T | null | undefined | false>,
    timeoutMs?: number,
  ): Promise<T>;
  logs(child: ChildProcess): string;
  stop(): Promise<void>;
}

export async function startCluster(
  env: Record<string, string>,
  prefix: string,
  workers: number,
  workerArgs: string[] = [],
): Promise<Cluster> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const output = new Map<ChildProcess, string>();
  const fullEnv = { LOG_LEVEL: 'warn', ADMIN_TOKEN, ...env, PORT: String(port) };
  const track = (child: ChildProcess) => {
    output.set(child, '');
    const append = (chunk: Buffer) =>
      output.set(child, (output.get(child)! + chunk.toString()).slice(-20_000));
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    return child;
  };
  const api = track(startCli(['serve', '--redis-prefix', prefix], fullEnv));
  const all: ChildProcess[] = [api];
  const cluster: Cluster = {
    base,
    api,
    workers: [],
    async addWorker() {
      const child = track(startCli(['worker', '--redis-prefix', prefix, ...workerArgs], fullEnv));
      all.push(child);
      cluster.workers.push(child);
      await cluster.waitFor(
        `worker ${child.pid} to report`,
        async () => (await cluster.stats()).workers.some((w) => w.pid === child.pid),
        30_000,
      );
      return child;
    },
    async stats() {
      const response = await fetch(`${base}/api/admin/stats`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      if (!response.ok) throw new Error(`stats: HTTP ${response.status}`);
      return (await response.json()) as Awaited<ReturnType<Cluster['stats']>>;
    },
    async waitFor(what, probe, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = await probe().catch(() => null);
        if (value) return value;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await sleep(50);
      }
    },
    logs(child) {
      return output.get(child) ?? '';
    },
    async stop() {
      await Promise.all(
        all.map(async (child) => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.kill('SIGKILL');
          await exitOf(child);
        }),
      );
    },
  };
  try {
    await waitForHttp(`${base}/healthz`, 30_000);
    await Promise.all(Array.from({ length: workers }, () => cluster.addWorker()));
  } catch (error) {
    for (const child of all) process.stderr.write(`--- ${child.pid}\n${output.get(child)}\n`);
    await cluster.stop();
    throw error;
  }
  return cluster;
}

/** A visitor: a session (X-Session-Id) with helpers for uploads and questions. */
export class Visitor {
  constructor(
    readonly base: string,
    readonly id: string,
  ) {}

  static async create(base: string): Promise<Visitor> {
    const response = await fetch(`${base}/api/sessions`, { method: 'POST' });
    if (response.status !== 201)
      throw new Error(`create session: HTTP ${response.status} ${await response.text()}`);
    const { session } = (await response.json()) as { session: { session_id: string } };
    return new Visitor(base, session.session_id);
  }

  private headers(extra: Record<string, string> = {}) {
    return { 'x-session-id': this.id, ...extra };
  }

  async upload(name: string, content: string): Promise<void> {
    const response = await fetch(`${this.base}/api/session/uploads`, {
      method: 'POST',
      headers: this.headers({ 'content-type': MULTIPART_TYPE }),
      body: multipart({ name, content }),
    });
    if (response.status !== 201) throw new Error(`upload: HTTP ${response.status} ${await response.text()}`);
  }

  /** POST …/queries?wait=true → the result (any HTTP status is returned with its body). */
  async ask(question: string, model?: string): Promise<{ status: number; body: Json }> {
    const response = await fetch(`${this.base}/api/session/queries?wait=true`, {
      method: 'POST',
      headers: this.headers({ 'content-type': 'application/json' }),
      body: JSON.stringify({ question, ...(model ? { model } : {}) }),
    });
    return { status: response.status, body: (await response.json()) as Json };
  }

  /** POST …/queries (202) → the query id. */
  async submit(question: string, model?: string): Promise<string> {
    const response = await fetch(`${this.base}/api/session/queries`, {
      method: 'POST',
      headers: this.headers({ 'content-type': 'application/json' }),
      body: JSON.stringify({ question, ...(model ? { model } : {}) }),
    });
    if (response.status !== 202) throw new Error(`submit: HTTP ${response.status} ${await response.text()}`);
    return ((await response.json()) as { query_id: string }).query_id;
  }

  async query(queryId: string): Promise<Json> {
    const response = await fetch(`${this.base}/api/session/queries/${queryId}`, { headers: this.headers() });
    return (await response.json()) as Json;
  }

  /** Polls until the query is done, failed or cancelled. */
  async finished(queryId: string, timeoutMs = 30_000): Promise<Json> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const result = await this.query(queryId);
      if (['done', 'failed', 'cancelled'].includes(result.status)) return result;
      if (Date.now() > deadline) throw new Error(`query ${queryId} still ${result.status}`);
      await sleep(100);
    }
  }

  async end(): Promise<number> {
    return (await fetch(`${this.base}/api/session`, { method: 'DELETE', headers: this.headers() })).status;
  }
}
