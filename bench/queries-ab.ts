/**
 * Questions from outside, an earlier build against this one (issue 14): both builds serve side by side (compiled,
 * `node dist/cli.js serve`, each its own data folder), and this process asks each the same built-in questions in
 * turn, alternating request by request, so both see the machine in the same state.
 *
 *   npx tsx bench/queries-ab.ts /path/to/other/checkout [QUESTIONS]      (default 2000 each)
 * The other checkout needs `npx tsc -p tsconfig.build.json` run in it (and node_modules).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { salesCsv } from '../test/helpers/multipart.js';
import { QUESTIONS } from './queries.js';
import { ask, ROOT, type RunningServer, sessionWithTable, startServer } from './server.js';
import { percentiles } from './stats.js';

const [other, count] = process.argv.slice(2);
if (!other) {
  console.error('usage: npx tsx bench/queries-ab.ts <other checkout> [questions]');
  process.exit(2);
}
const n = Number(count ?? 2000);
const checkouts = [path.resolve(other), ROOT];
const dirs = checkouts.map(() => fs.mkdtempSync(path.join(os.tmpdir(), 'agentgraph-ab-')));
const servers: RunningServer[] = [];
try {
  for (const [i, root] of checkouts.entries()) {
    servers.push(await startServer({ DATA_DIR: dirs[i]!, MAX_SESSIONS_PER_IP: '100' }, [], root));
  }
  const sessions = await Promise.all(
    servers.map((s) => sessionWithTable(s.base, 'sales.csv', salesCsv(1000))),
  );
  const samples: number[][] = servers.map(() => []);
  for (let i = -200; i < n; i++) {
    for (const [k, server] of servers.entries()) {
      const started = performance.now();
      await ask(server.base, sessions[k]!, QUESTIONS[(i + 300) % QUESTIONS.length]!);
      if (i >= 0) samples[k]!.push(performance.now() - started);
    }
  }
  for (const [k, root] of checkouts.entries()) {
    const { p50, p99 } = percentiles(samples[k]!);
    console.log(`${root}: p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms (n ${n})`);
  }
} finally {
  await Promise.all(servers.map((s) => s.stop()));
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
}
