// `npm start` builds first when the compiled output (dist/, web/dist/) is missing or older than any source file.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs;
    if (mtime > newest) newest = mtime;
  }
  return newest;
}

const entry = 'dist/cli.js';
const stale = !existsSync(entry) || statSync(entry).mtimeMs < newestMtime('src');
if (stale) {
  process.stderr.write('agentgraph: building (tsc)…\n');
  try {
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
      stdio: 'inherit',
    });
  } catch {
    process.stderr.write('agentgraph: the TypeScript build failed (errors above); not starting.\n');
    process.exit(1);
  }
}

// The web UI: rebuilt when web/dist is missing or older than its sources. A failed UI build does not stop the API
// from starting (`/` then explains that the UI is not built).
const webEntry = 'web/dist/index.html';
const webSources = ['web/src', 'web/public', 'web/index.html', 'web/vite.config.ts'].filter((p) =>
  existsSync(p),
);
const newestOf = (path) => (statSync(path).isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
const webStale =
  webSources.length > 0 &&
  (!existsSync(webEntry) || webSources.some((path) => newestOf(path) > statSync(webEntry).mtimeMs));
if (webStale) {
  process.stderr.write('agentgraph: building the web UI (vite)…\n');
  try {
    execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', 'web', '--logLevel', 'warn'], {
      stdio: 'inherit',
    });
  } catch {
    process.stderr.write(
      'agentgraph: the web UI build failed (errors above); starting the API without it.\n',
    );
  }
}
