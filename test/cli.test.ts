import { readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { closedPort } from './helpers/fake-llm.js';
import { exitOf, freePort, runCli, startCli, waitForHttp } from './helpers/process.js';
import { deletePrefix, removeDir, shouldRunRedis, tempDir } from './helpers/services.js';

// Every test spawns the CLI from source (tsx) one to three times: seconds each, many more on a loaded machine.
describe('agentgraph CLI (embedded mode)', { timeout: 120_000 }, () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) removeDir(dir);
  });

  it('serve answers /healthz with no Redis; stats and cleanup see the same sessions; SIGTERM stops it cleanly', async () => {
    const dataDir = tempDir();
    dirs.push(dataDir);
    const port = await freePort();
    const env = { DATA_DIR: dataDir, PORT: String(port), REDIS_URL: '' };
    const server = startCli(['serve'], env);
    try {
      await waitForHttp(`http://127.0.0.1:${port}/healthz`);
      const created = await fetch(`http://127.0.0.1:${port}/api/sessions`, { method: 'POST' });
      expect(created.status).toBe(201);

      const stats = runCli(['stats'], env);
      expect(stats.status).toBe(0);
      const parsed = JSON.parse(stats.stdout);
      expect(parsed.sessions).toMatchObject({
        active_sessions: 1,
        store: 'local',
        per_ip: { '127.0.0.1': 1 },
      });
      expect(parsed.cleanup).toHaveProperty('last_run');

      const cleanup = runCli(['cleanup'], env);
      expect(cleanup.status).toBe(0);
      expect(JSON.parse(cleanup.stdout)).toMatchObject({ expired_removed: 0, orphan_scan: true, errors: [] });
    } finally {
      server.kill('SIGTERM');
    }
    expect(await exitOf(server)).toBe(0);
  });

  it('the same server with REDIS_URL keeps sessions in Redis', async () => {
    if (!(await shouldRunRedis('agentgraph serve with REDIS_URL'))) return;
    // The CLI uses the product's key prefix, so this test takes a database number of its own.
    const redisUrl = 'redis://127.0.0.1:6379/13';
    const dataDir = tempDir();
    dirs.push(dataDir);
    const port = await freePort();
    const env = { DATA_DIR: dataDir, PORT: String(port), REDIS_URL: redisUrl };
    const server = startCli(['serve'], env);
    try {
      await waitForHttp(`http://127.0.0.1:${port}/readyz`);
      const ready = (await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()) as { store: string };
      expect(ready.store).toBe('redis');
      expect((await fetch(`http://127.0.0.1:${port}/api/sessions`, { method: 'POST' })).status).toBe(201);
      const stats = runCli(['stats'], env);
      expect(stats.status).toBe(0);
      expect(JSON.parse(stats.stdout).sessions).toMatchObject({ active_sessions: 1, store: 'redis' });
    } finally {
      server.kill('SIGTERM');
      await exitOf(server);
      await deletePrefix(redisUrl, 'agentgraph:');
    }
  });

  it('serve and worker started while Redis is down still stop cleanly on SIGTERM', async () => {
    // Nothing listens on this port: every connection keeps retrying, as during an outage.
    const redisUrl = `redis://127.0.0.1:${await closedPort()}/0`;
    const dataDir = tempDir();
    dirs.push(dataDir);
    const port = await freePort();
    const env = { DATA_DIR: dataDir, PORT: String(port), REDIS_URL: redisUrl, LOG_LEVEL: 'info' };
    const server = startCli(['serve'], env);
    const worker = startCli(['worker'], env);
    let workerLog = '';
    worker.stdout?.on('data', (chunk: Buffer) => {
      workerLog += chunk.toString();
    });
    worker.stderr?.on('data', (chunk: Buffer) => {
      workerLog += chunk.toString();
    });
    try {
      await waitForHttp(`http://127.0.0.1:${port}/healthz`);
      await vi.waitFor(() => expect(workerLog).toContain('worker started'), {
        timeout: 45_000,
        interval: 100,
      });
    } finally {
      server.kill('SIGTERM');
      worker.kill('SIGTERM');
    }
    // Before, both waited forever for Redis to come back (a QUIT in the offline queue).
    expect(await exitOf(server)).toBe(0);
    expect(await exitOf(worker)).toBe(0);
  });

  it('ask: a one-shot question over files, as text or JSON, leaving nothing behind', () => {
    const dir = tempDir();
    dirs.push(dir);
    const file = join(dir, 'Vendas Março.csv');
    writeFileSync(file, Buffer.from('Região;Preço\r\nSul;1.234,50\r\nNorte;10,00\r\nSul;5,50\r\n', 'latin1'));
    const askDirs = () =>
      readdirSync(tmpdir())
        .filter((name) => name.startsWith('agentgraph-ask-'))
        .sort();
    const before = askDirs();
    const json = runCli(['ask', '-f', file, '--json', 'Qual o preço médio por região?'], {});
    expect(json.status).toBe(0);
    const result = JSON.parse(json.stdout);
    expect(result).toMatchObject({ status: 'done', lang: 'pt', model: 'builtin' });
    expect(Object.fromEntries(result.rows)).toEqual({ Sul: 620, Norte: 10 });
    const text = runCli(['ask', '-f', file, 'How many rows are there?'], {});
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/3/);
    expect(text.stdout).toMatch(/SELECT COUNT\(\*\)/i);
    // A file bigger than the sniffed head is parsed in a worker thread, which then stays in the pool, idle: the
    // process must still end (spawnSync's timeout would report a hang as status null).
    const big = join(dir, 'big.csv');
    writeFileSync(big, `id,v\n${Array.from({ length: 20_000 }, (_, i) => `${i},${i % 7}`).join('\n')}\n`);
    const threaded = runCli(['ask', '-f', big, 'How many rows are there?'], {});
    expect(threaded.status).toBe(0);
    expect(threaded.stdout).toMatch(/20[,.]?000/);
    const usage = runCli(['ask', 'no file given'], {});
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/Usage: agentgraph ask/);
    expect(askDirs()).toEqual(before); // the temporary session folder is gone
  });

  it('unknown commands print the usage and fail', () => {
    const result = runCli(['frobnicate'], {});
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/Unknown command "frobnicate"/);
    expect(result.stderr).toMatch(/agentgraph <command>/);
  });
});
