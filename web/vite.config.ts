/**
 * The web UI's build. `npm run build:web` writes web/dist, which the server serves at `/`
 * (src/http/routes/static.ts). `npx vite web` runs a dev server that proxies /api to a running AgentGraph
 * (AGENTGRAPH_URL, default http://127.0.0.1:7860) — see docs/web.md.
 */
import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

const api = process.env.AGENTGRAPH_URL ?? 'http://127.0.0.1:7860';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // vega + vega-lite (~1 MB) are one lazily loaded chunk, fetched only when a chart is drawn.
    chunkSizeWarningLimit: 1600,
  },
  server: {
    proxy: { '/api': { target: api, changeOrigin: false } },
  },
  preview: {
    proxy: { '/api': { target: api, changeOrigin: false } },
  },
});
