/**
 * Docker cannot run on the development machine, so the Dockerfile and docker-compose.yml are validated by
 * scripts/check-deploy-files.mjs: syntax, known instructions, stage and service references, a shared DATA_DIR.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from '../helpers/services.js';

const dir = tempDir('agentgraph-deploy');
const check = (...files: string[]) =>
  spawnSync(process.execPath, ['scripts/check-deploy-files.mjs', ...files], { encoding: 'utf8' });

describe('deployment files', () => {
  afterAll(() => removeDir(dir));

  it('the Dockerfile and docker-compose.yml pass the check', () => {
    const run = check();
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^ok:/);
  });

  it('the check catches broken files', () => {
    const dockerfile = join(dir, 'Dockerfile');
    const compose = join(dir, 'compose.yml');
    writeFileSync(
      dockerfile,
      readFileSync('Dockerfile', 'utf8')
        .replace('COPY --from=build /app/dist', 'COPY --from=builder /app/dist')
        .replace('USER node', 'USR node'),
    );
    writeFileSync(
      compose,
      readFileSync('docker-compose.yml', 'utf8')
        .replace(
          'condition: service_healthy\n    restart',
          'condition: service_healthy\n      cache:\n        condition: service_started\n    restart',
        )
        .replace(
          '- ./data:/app/data\n    depends_on:\n      redis:\n        condition: service_healthy\n      api',
          '- ./other:/app/data\n    depends_on:\n      redis:\n        condition: service_healthy\n      api',
        ),
    );
    const run = check(dockerfile, compose);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/unknown instruction "USR"/);
    expect(run.stderr).toMatch(/--from=builder names no earlier stage/);
    expect(run.stderr).toMatch(/non-root USER/);
    expect(run.stderr).toMatch(/depends_on unknown service "cache"/);
    expect(run.stderr).toMatch(/do not share one DATA_DIR volume/);
    writeFileSync(compose, 'services:\n  api: [unclosed\n');
    expect(check(dockerfile, compose).stderr).toMatch(/not valid YAML/);
  });
});
