/**
 * The reliability suite's harness (issue 12): the real server in its own process (`agentgraph serve` from source),
 * a victim session that keeps using it while an attacker session does its worst, and what the victim saw.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { salesCsv } from '../helpers/multipart.js';
import { exitOf, freePort, startCli, waitForHttp } from '../helpers/process.js';
import { sleep } from '../helpers/services.js';
import { Visitor } from '../scale/cluster.js';

export interface Server {
  base: string;
  dataDir: string;
  process: ChildProcess;
  /** The server's stdout + stderr so far (the tail). */
  logs(): string;
  /** Whether the process is still running. */
  alive(): boolean;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * `agentgraph serve` in its own process: from source (tests), or the compiled build (`compiled`, benchmarks: the
 * user's path, `node dist/cli.js`).
 */
export async function startServer(
  dataDir: string,
  env: Record<string, string> = {},
  options: { compiled?: boolean } = {},
): Promise<Server> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const fullEnv = { DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn', ...env };
  const child = options.compiled
    ? spawn(process.execPath, ['dist/cli.js', 'serve'], {
        env: { ...process.env, ...fullEnv },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    : startCli(['serve'], fullEnv);
  let output = '';
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const server: Server = {
    base,
    dataDir,
    process: child,
    logs: () => output,
    alive: () => child.exitCode === null && child.signalCode === null,
    async kill(signal = 'SIGKILL') {
      if (!server.alive()) return;
      child.kill(signal);
      await exitOf(child);
    },
  };
  try {
    await waitForHttp(`${base}/healthz`, 60_000);
  } catch (error) {
    process.stderr.write(output);
    await server.kill();
    throw error;
  }
  return server;
}

/** Bytes under a session's folder (everything it stores). */
export function folderBytes(dataDir: string, id: string): number {
  const walk = (dir: string): number => {
    let total = 0;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      total += entry.isDirectory() ? walk(path) : statSync(path).size;
    }
    return total;
  };
  return walk(join(dataDir, 'sessions', id));
}

/** What the victim does, one request of each kind per round. */
export const REQUEST_KINDS = ['healthz', 'tables', 'preview', 'question'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

export interface VictimReport {
  requests: number;
  /** Each request that did not get its expected answer: "GET /healthz → 500 …" or a network error. */
  errors: string[];
  /** Milliseconds per request, by kind (for the benchmark; tests never assert timings). */
  latencies: Record<RequestKind, number[]>;
}

/**
 * A visitor going about its business: health checks, its table list, a preview, and a question, over and over, each
 * expected to succeed. `watch()` runs that loop until the returned stop() is called.
 */
export class Victim {
  private answered = 0;

  private constructor(readonly visitor: Visitor) {}

  /** Questions answered so far (across watches): lets a test see the victim progress during an attack. */
  answeredQuestions(): number {
    return this.answered;
  }

  static async start(base: string): Promise<Victim> {
    const visitor = await Visitor.create(base);
    await visitor.upload('vendas.csv', salesCsv(500));
    return new Victim(visitor);
  }

  watch(): { stop: () => Promise<VictimReport> } {
    const report: VictimReport = {
      requests: 0,
      errors: [],
      latencies: { healthz: [], tables: [], preview: [], question: [] },
    };
    let running = true;
    const { base, id } = this.visitor;
    const headers = { 'x-session-id': id };
    const expect = async (
      kind: RequestKind,
      call: () => Promise<Response>,
      check?: (body: unknown) => boolean,
    ) => {
      report.requests += 1;
      const started = performance.now();
      try {
        const response = await call();
        const body = (await response.json()) as unknown;
        report.latencies[kind].push(performance.now() - started);
        if (!response.ok || (check && !check(body))) {
          report.errors.push(`${kind} → ${response.status} ${JSON.stringify(body).slice(0, 300)}`);
        }
      } catch (error) {
        report.errors.push(`${kind} → ${(error as Error).message}`);
      }
    };
    const loop = (async () => {
      while (running) {
        await expect('healthz', () => fetch(`${base}/healthz`));
        await expect(
          'tables',
          () => fetch(`${base}/api/session/tables`, { headers }),
          (body) => (body as { tables: unknown[] }).tables.length === 1,
        );
        await expect('preview', () => fetch(`${base}/api/session/tables/vendas?limit=5`, { headers }));
        await expect(
          'question',
          () =>
            fetch(`${base}/api/session/queries?wait=true`, {
              method: 'POST',
              headers: { ...headers, 'content-type': 'application/json' },
              body: JSON.stringify({ question: 'total de price por region' }),
            }),
          (body) => {
            const done = (body as { status: string }).status === 'done';
            if (done) this.answered += 1;
            return done;
          },
        );
        await sleep(20);
      }
    })();
    return {
      stop: async () => {
        running = false;
        await loop;
        return report;
      },
    };
  }
}
