/**
 * The web UI (web/dist, built by `npm run build:web`) at `/`, through @fastify/static's reply.sendFile.
 * - Files under assets/ carry a content hash in their name: cached for a year, immutable.
 * - index.html is never cached, so a new build is picked up at once; it is also the SPA fallback for any
 *   extension-less path outside /api (a path with an extension that is not a file is a plain 404).
 * - /api/… (and /healthz, /readyz, /metrics) never fall back to the page: they keep their JSON 404.
 * - When web/dist is missing (a fresh clone before the first build) `/` answers a small page saying how to build
 *   the UI, never a 500. The check is made per request, so building while the server runs is enough.
 */
import { existsSync, statSync } from 'node:fs';
import { extname, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** web/dist beside src/ (from source) or beside dist/ (compiled): both are three levels up from here. */
export const WEB_DIST = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

const LONG_CACHE = 'public, max-age=31536000, immutable';
const SHORT_CACHE = 'public, max-age=3600';
const NO_STORE = 'no-store';

/**
 * vega compiles chart expressions with `new Function` ('unsafe-eval'); vega-embed and the UI set inline styles
 * ('unsafe-inline' for styles only); charts export as data:/blob: URLs. Everything else comes from this origin.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The server's own paths outside /api: when one is switched off (/metrics), it is a 404, never the page. */
const SERVER_PATHS: ReadonlySet<string> = new Set(['healthz', 'readyz', 'metrics']);

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>AgentGraph — UI not built</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5;color:#1e293b}
code{background:#eef1f5;padding:.1rem .3rem;border-radius:4px}</style></head>
<body><h1>AgentGraph</h1>
<p>The web UI has not been built yet. The API works: see <code>docs/api.md</code>.</p>
<p>Build the UI with <code>npm run build:web</code> (or <code>npm run build</code>), then reload this page.
<code>npm start</code> builds it by itself when it is missing.</p>
<p lang="pt-BR">A interface web ainda não foi compilada. Rode <code>npm run build:web</code> e recarregue a página.</p>
</body></html>
`;

export interface StaticRouteOptions {
  /** Folder holding index.html and assets/ (default: web/dist of this checkout). */
  root?: string;
}

export async function staticRoutes(app: FastifyInstance, opts: StaticRouteOptions) {
  const root = resolve(opts.root ?? WEB_DIST);
  const index = join(root, 'index.html');
  if (!existsSync(index)) {
    app.log.warn(
      `web UI not built (${index} is missing): run "npm run build:web"; / explains this meanwhile`,
    );
  }
  await app.register(fastifyStatic, { root, serve: false });

  // The app-wide onSend hook marks every answer no-store; this encapsulated one runs after it and puts back the
  // caching each static file should have.
  const cacheFor = new WeakMap<FastifyRequest, string>();
  app.addHook('onSend', async (request, reply) => {
    const cache = cacheFor.get(request);
    if (cache) reply.header('cache-control', cache);
  });

  function isFile(relative: string): boolean {
    try {
      return statSync(join(root, relative)).isFile();
    } catch {
      return false;
    }
  }

  function page(request: FastifyRequest, reply: FastifyReply) {
    cacheFor.set(request, NO_STORE);
    reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    if (!existsSync(index)) return reply.type('text/html; charset=utf-8').send(NOT_BUILT);
    return reply.sendFile('index.html', { cacheControl: false });
  }

  async function serve(request: FastifyRequest<{ Params: { '*'?: string } }>, reply: FastifyReply) {
    const wanted = request.params['*'] ?? '';
    if (wanted === 'api' || wanted.startsWith('api/') || SERVER_PATHS.has(wanted) || wanted.includes('\0'))
      return reply.callNotFound();
    // Normalized against a virtual root, so `..` can never climb out of it (send() refuses it too).
    const relative = posix.normalize(`/${wanted}`).slice(1);
    if (relative === '' || relative === 'index.html') return page(request, reply);
    if (isFile(relative)) {
      cacheFor.set(request, relative.startsWith('assets/') ? LONG_CACHE : SHORT_CACHE);
      return reply.sendFile(relative, { cacheControl: false });
    }
    if (extname(relative) !== '') return reply.callNotFound();
    return page(request, reply); // a client-side route
  }

  app.get('/', serve);
  app.get('/*', serve);
}
