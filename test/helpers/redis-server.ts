/**
 * A private redis-server on its own port, for tests that stop and restart Redis (never the shared one on 6379).
 * `available` tells whether the binary exists; suites skip with a visible line without it, and fail under
 * REQUIRE_SERVICES=1.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { requireServices, sleep } from './services.js';

export function redisServerAvailable(suite: string): boolean {
  const available = spawnSync('redis-server', ['--version']).status === 0;
  if (!available && requireServices)
    throw new Error(`REQUIRE_SERVICES=1 but redis-server is not installed (${suite})`);
  if (!available) console.warn(`SKIPPED: ${suite} — redis-server binary not found`);
  return available;
}

export class PrivateRedis {
  private child: ChildProcess | null = null;

  /** @param extraArgs e.g. an append-only file in a folder of the test's, so data survives a restart */
  constructor(
    readonly port: number,
    private readonly extraArgs: string[] = ['--appendonly', 'no'],
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  async start(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', ...this.extraArgs];
    this.child = spawn('redis-server', args, { stdio: 'ignore' });
    // A deadline rather than a number of tries: on a loaded machine each redis-cli spawn takes a while too.
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const ping = spawnSync('redis-cli', ['-p', String(this.port), 'ping'], { encoding: 'utf8' });
      if (ping.stdout.trim() === 'PONG') return;
      await sleep(100);
    }
    throw new Error('private redis-server did not start');
  }

  async stop(signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
    this.child = null;
  }
}
