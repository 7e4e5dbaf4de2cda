import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Suites share Redis and PostgreSQL on this machine but isolate themselves by key prefix / schema.
    pool: 'forks',
  },
});
