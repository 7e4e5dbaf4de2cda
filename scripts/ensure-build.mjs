// `npm start` builds first when the compiled output is missing or older than any source file.
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
