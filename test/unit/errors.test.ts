import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError, ERROR_CATALOGUE, type ErrorCode } from '../../src/errors.js';

describe('error catalogue', () => {
  const codes = Object.keys(ERROR_CATALOGUE) as ErrorCode[];

  it('every code has a status and a message in both languages', () => {
    for (const code of codes) {
      const error = new AppError(code, {
        detail: 'x',
        limit: 5,
        limit_mb: 1,
        what: 'y',
        reason: 'z',
        type: 't',
      });
      expect(error.status).toBeGreaterThanOrEqual(400);
      expect(error.localized('en')).not.toBe('');
      expect(error.localized('pt')).not.toBe('');
      expect(error.localized('pt')).not.toBe(error.localized('en'));
    }
  });

  it('every code is documented in docs/api.md', () => {
    const doc = readFileSync('docs/api.md', 'utf8');
    for (const code of codes) expect(doc, code).toContain(`\`${code}\``);
  });
});
