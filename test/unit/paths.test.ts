import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { SessionPaths } from '../../src/sessions/paths.js';
import { removeDir, tempDir } from '../helpers/services.js';

describe('SessionPaths', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) removeDir(dir);
  });
  function paths(): SessionPaths {
    const dir = tempDir();
    dirs.push(dir);
    return new SessionPaths(dir);
  }

  it('accepts only UUID v4 ids', () => {
    expect(SessionPaths.isValidId(randomUUID())).toBe(true);
    for (const bad of [
      '../x',
      '%2e%2e%2f',
      '',
      'A'.repeat(36),
      `${randomUUID()}/..`,
      randomUUID().toUpperCase(),
    ]) {
      expect(SessionPaths.isValidId(bad)).toBe(false);
      expect(() => paths().dir(bad)).toThrow(AppError);
    }
  });

  it('joins only plain names inside a session folder', () => {
    const p = paths();
    const id = randomUUID();
    expect(p.safeJoin(id, 'uploads', 'vendas 2023.csv')).toBe(join(p.root, id, 'uploads', 'vendas 2023.csv'));
    for (const bad of ['../x', '..', '.', 'a/b', 'a\\b', '/etc/passwd', 'x\0y', '', 'C:\\x']) {
      expect(() => p.safeJoin(id, 'uploads', bad), bad).toThrow(AppError);
    }
  });

  it('creates, measures, validates and removes a layout', async () => {
    const p = paths();
    const id = randomUUID();
    await p.createLayout(id);
    expect(await p.measure(id)).toBe(0);
    const report = await p.validateSessionPaths(id);
    expect(report).toMatchObject({
      valid_id: true,
      exists: true,
      missing: [],
      unexpected: [],
      inside_data_dir: true,
    });
    await p.remove(id);
    expect(existsSync(p.dir(id))).toBe(false);
    expect(await p.validateSessionPaths(id)).toMatchObject({
      exists: false,
      missing: ['db.db', 'uploads', 'temp', 'cache'],
    });
    expect(await p.validateSessionPaths('../x')).toMatchObject({ valid_id: false, dir: null });
  });
});
