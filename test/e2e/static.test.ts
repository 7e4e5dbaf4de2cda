/** Serving the built UI (src/http/routes/static.ts), in-process: caching, SPA fallback, /api 404s, "not built". */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { installErrorHandling } from '../../src/http/errors.js';
import { staticRoutes } from '../../src/http/routes/static.js';
import { removeDir, tempDir } from '../helpers/services.js';

describe('static UI routes', () => {
  let app: FastifyInstance;
  let dir = '';

  async function build(root: string): Promise<FastifyInstance> {
    app = Fastify({ logger: false });
    installErrorHandling(app);
    // As in app.ts: every answer is marked no-store unless the static routes say otherwise.
    app.addHook('onSend', async (_request, reply) => {
      reply.header('cache-control', 'no-store');
    });
    app.get('/api/session', async () => ({ ok: true }));
    await app.register(staticRoutes, { root });
    await app.ready();
    return app;
  }

  afterEach(async () => {
    await app?.close();
    if (dir) removeDir(dir);
  });

  it('serves index.html (no-store, CSP), hashed assets (immutable) and falls back to the page for app paths', async () => {
    dir = tempDir('agentgraph-web');
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>ui</title>');
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(join(dir, 'favicon.svg'), '<svg/>');
    await build(dir);

    const page = await app.inject({ url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.body).toContain('<title>ui</title>');

    const asset = await app.inject({ url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['content-type']).toMatch(/javascript/);

    const icon = await app.inject({ url: '/favicon.svg' });
    expect(icon.headers['cache-control']).toBe('public, max-age=3600');

    const route = await app.inject({ url: '/history/some-id' });
    expect([route.statusCode, route.headers['cache-control']]).toEqual([200, 'no-store']);
    expect(route.body).toContain('<title>ui</title>');

    const head = await app.inject({ method: 'HEAD', url: '/' });
    expect(head.statusCode).toBe(200);

    // A missing file with an extension is a 404, not the page; /api paths keep their JSON 404.
    const missing = await app.inject({ url: '/assets/gone-123.js' });
    expect([missing.statusCode, missing.json().error.code]).toEqual([404, 'not_found']);
    const api = await app.inject({ url: '/api/nope' });
    expect([api.statusCode, api.json().error.code]).toEqual([404, 'not_found']);
    expect((await app.inject({ url: '/api/session' })).json()).toEqual({ ok: true });

    // No way out of the folder.
    for (const url of ['/../package.json', '/%2e%2e/%2e%2e/package.json', '/assets/..%2f..%2fpackage.json']) {
      const response = await app.inject({ url });
      expect(response.body).not.toContain('"name"');
    }
  });

  it('without a build, / explains how to build the UI instead of failing', async () => {
    dir = tempDir('agentgraph-web');
    await build(join(dir, 'dist-not-built'));
    const page = await app.inject({ url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('npm run build:web');
    expect((await app.inject({ url: '/some/app/path' })).body).toContain('npm run build:web');
    expect((await app.inject({ url: '/api/nope' })).statusCode).toBe(404);
  });
});
