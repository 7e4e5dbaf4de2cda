/**
 * The user's path (issue 14): the compiled server (`node dist/cli.js serve`, built first if stale, as `npm start`
 * does) or worker started as a process of its own, and a plain HTTP client in this process — what a browser or curl
 * does, not a function call into the server.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import http from 'node:http';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MULTIPART_TYPE, multipart } from '../test/helpers/multipart.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface Spawned {
  child: ChildProcess;
  pid: number;
  /** Ends the process (SIGTERM, then SIGKILL after 10 s) and waits for it. */
  stop: () => Promise<void>;
}

export interface RunningServer extends Spawned {
  base: string;
  port: number;
}

let built = false;

/** `npm start`'s build step: compiles dist/ when it is missing or older than the sources. */
export function ensureBuild(): void {
  if (built) return;
  execFileSync(process.execPath, ['scripts/ensure-build.mjs'], { cwd: ROOT, stdio: 'inherit' });
  built = true;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * Starts `node dist/cli.js <args>` with `env` added to this process's environment; `root` is the checkout (this one,
 * built first if stale, or another one already built, for before/after runs).
 */
export function spawnCli(args: string[], env: Record<string, string>, root = ROOT): Spawned {
  if (root === ROOT) ensureBuild();
  const child = spawn(process.execPath, ['dist/cli.js', ...args], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  return { child, pid: child.pid!, stop };
}

/** `agentgraph serve [args]` on a free port; resolves once GET /healthz answers. */
export async function startServer(
  env: Record<string, string>,
  args: string[] = [],
  root = ROOT,
): Promise<RunningServer> {
  const port = await freePort();
  const spawned = spawnCli(['serve', ...args], { HOST: '127.0.0.1', PORT: String(port), ...env }, root);
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (spawned.child.exitCode !== null) throw new Error(`the server exited (${spawned.child.exitCode})`);
    try {
      if ((await request(base, { path: '/healthz' })).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('the server did not answer /healthz in time');
    await new Promise((r) => setTimeout(r, 100));
  }
  return { ...spawned, base, port };
}

/** One connection kept open between requests (a browser's); `fresh` opens a new connection per request (curl's). */
export const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 256 });

export interface Reply {
  status: number;
  body: string;
}

export interface RequestOptions {
  path: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer | NodeJS.ReadableStream;
  /** Open a new connection for this request (no keep-alive). */
  fresh?: boolean;
}

/** A plain node:http request; the body is read whole (as text). */
export function request(base: string, options: RequestOptions): Promise<Reply> {
  const url = new URL(options.path, base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: options.fresh ? false : keepAlive,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    const body = options.body;
    if (body === undefined) req.end();
    else if (typeof body === 'string' || Buffer.isBuffer(body)) req.end(body);
    else body.pipe(req);
  });
}

/** POST /api/sessions → the new session's id. */
export async function newSession(base: string, fresh = false): Promise<string> {
  const reply = await request(base, { path: '/api/sessions', method: 'POST', fresh });
  if (reply.status !== 201 && reply.status !== 200)
    throw new Error(`POST /api/sessions: ${reply.status} ${reply.body}`);
  return (JSON.parse(reply.body) as { session: { session_id: string } }).session.session_id;
}

/** A new session holding `csv` as table `name` (uploaded as a browser does). */
export async function sessionWithTable(base: string, name: string, csv: string): Promise<string> {
  const session = await newSession(base);
  const reply = await request(base, {
    path: '/api/session/uploads',
    method: 'POST',
    headers: { 'x-session-id': session, 'content-type': MULTIPART_TYPE },
    body: multipart({ name, content: csv }),
  });
  if (reply.status !== 201) throw new Error(`upload failed: ${reply.status} ${reply.body.slice(0, 300)}`);
  return session;
}

export interface Answer {
  status: string;
  timings: Record<string, number>;
}

/** POST /api/session/queries?wait=true; throws unless the question ends `done`. */
export async function ask(
  base: string,
  session: string,
  question: string,
  options: { fresh?: boolean; model?: string } = {},
): Promise<Answer> {
  const reply = await request(base, {
    path: '/api/session/queries?wait=true',
    method: 'POST',
    headers: { 'x-session-id': session, 'content-type': 'application/json' },
    body: JSON.stringify(options.model ? { question, model: options.model } : { question }),
    fresh: options.fresh ?? false,
  });
  const answer = JSON.parse(reply.body) as Answer;
  if (answer.status !== 'done') throw new Error(`question failed: ${reply.body.slice(0, 500)}`);
  return answer;
}

/** The time of the nine steps themselves (their `<step>_ms` timings), without the graph's own bookkeeping. */
export function stepsMs(timings: Record<string, number>): number {
  let sum = 0;
  for (const [key, ms] of Object.entries(timings)) {
    if (key.endsWith('_ms') && key !== 'total_ms' && key !== 'queue_ms') sum += ms;
  }
  return sum;
}
