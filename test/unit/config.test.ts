import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from '../../src/config.js';

describe('config', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      sessionTtlSeconds: 3600,
      maxSessionsPerIp: 5,
      maxSessionSizeBytes: 200 * 1024 * 1024,
      cleanupIntervalSeconds: 300,
      redisUrl: undefined,
      host: '127.0.0.1',
      port: 7860,
      trustProxy: false,
      defaultModel: 'builtin',
      queryTimeoutMs: 5000,
      maxResultRows: 1000,
      workerConcurrency: 4,
      adminToken: undefined,
      metricsPublic: false,
      requestTimeoutMs: 600_000,
      idleTimeoutMs: 30_000,
      logLevel: 'info',
    });
    expect(config.dataDir.endsWith('data')).toBe(true);
  });

  it('picks gpt-4o-mini as the default model when an OpenAI key is set', () => {
    expect(loadConfig({ OPENAI_API_KEY: 'sk-x' }).defaultModel).toBe('gpt-4o-mini');
    expect(loadConfig({ OPENAI_API_KEY: 'sk-x', DEFAULT_MODEL: 'builtin' }).defaultModel).toBe('builtin');
  });

  it('parses TRUST_PROXY forms', () => {
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).trustProxy).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
    ]);
  });

  it('reads the HTTP timeouts in seconds and METRICS_PUBLIC as a boolean', () => {
    const config = loadConfig({ REQUEST_TIMEOUT: '120', IDLE_TIMEOUT: '5', METRICS_PUBLIC: 'TRUE' });
    expect(config).toMatchObject({ requestTimeoutMs: 120_000, idleTimeoutMs: 5_000, metricsPublic: true });
    expect(loadConfig({ METRICS_PUBLIC: '0' }).metricsPublic).toBe(false);
  });

  it.each([
    ['SESSION_TTL', 'abc'],
    ['SESSION_TTL', '0'],
    ['MAX_SESSIONS_PER_IP', '-1'],
    ['PORT', '70000'],
    ['REDIS_URL', 'localhost:6379'],
    ['LOG_LEVEL', 'loud'],
    ['TRUST_PROXY', 'maybe'],
    ['QUERY_TIMEOUT_MS', '1.5'],
    ['REQUEST_TIMEOUT', '0'],
    ['IDLE_TIMEOUT', '30s'],
    ['METRICS_PUBLIC', 'yes'],
    ['DB_ALLOWED_HOSTS', '10.0.0.0/33'],
    ['DB_ALLOWED_HOSTS', 'db.example.com, bad_host!'],
    ['SECRET_KEY', 'too-short'],
  ])('rejects %s=%s with one line naming the variable', (name, value) => {
    try {
      loadConfig({ [name]: value });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain(name);
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it('database connections: off without DB_ALLOWED_HOSTS; in scaled mode they need SECRET_KEY', () => {
    expect(loadConfig({}).dbAllowedHosts).toBeUndefined();
    expect(loadConfig({ DB_ALLOWED_HOSTS: 'db.internal, 10.0.0.0/8 *.example.com' }).dbAllowedHosts).toEqual([
      'db.internal',
      '10.0.0.0/8',
      '*.example.com',
    ]);
    expect(() => loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', DB_ALLOWED_HOSTS: '10.0.0.0/8' })).toThrow(
      /SECRET_KEY/,
    );
    const secret = 'k'.repeat(32);
    expect(
      loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', DB_ALLOWED_HOSTS: '10.0.0.0/8', SECRET_KEY: secret })
        .secretKey,
    ).toBe(secret);
  });

  // Spawns the CLI from source (tsx): seconds, more on a loaded machine.
  it('an invalid value stops start-up with that line and a non-zero exit', { timeout: 60_000 }, () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'stats'], {
      env: { ...process.env, SESSION_TTL: 'soon' },
      encoding: 'utf8',
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr.trim()).toMatch(/^Invalid configuration: SESSION_TTL: .*"soon"/);
  });

  it('every variable is documented in the README configuration table', () => {
    const readme = readFileSync('README.md', 'utf8');
    for (const name of CONFIG_VARIABLES) expect(readme, name).toMatch(new RegExp(`\\|\\s*\`?${name}\`?`));
  });
});
