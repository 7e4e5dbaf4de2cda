/**
 * Ingest benchmark (issue 3): our import (with type inference, catalog, one transaction) against the sqlite3 CLI's
 * `.import` on the same generated CSV, in the same run, at 1× (1,000,000 rows × 8 columns, ~60 MB) and 5×.
 * Our import runs in a child process so its peak RSS (process.resourceUsage().maxRSS) is its own.
 *
 *   npx tsx bench/ingest.ts            # both sizes
 *   INGEST_SIZES=1 npx tsx bench/ingest.ts     # 1× only; INGEST_ROUNDS=N: rounds per size (default 5 at 1×, 1 at 5×)
 *   npm run build && INGEST_BUILD=dist npx tsx bench/ingest.ts      (the compiled code, as `npm start` runs it)
 *
 * "ours" is an import in a running server, whose CSV parse thread is already started (`serve` starts it at
 * start-up, and each import hands it on to the next); "first import" is one that has to start the thread itself.
 *
 * Targets: time ratio ours / CLI ≤ 1.0; peak RSS < 200 MB at both sizes. Needs `sqlite3` on PATH
 * (apt-get install -y sqlite3).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { percentile, runIfMain } from './stats.js';

const ROWS_1X = 1_000_000;
const CITIES = [
  '"São Paulo, SP"',
  'Rio de Janeiro',
  '"Belo Horizonte, MG"',
  'Curitiba',
  'Recife',
  '"Porto Alegre, RS"',
];
const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet'];

/** Deterministic pseudo-random numbers (xorshift32), so every run measures the same file. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

export async function generateCsv(file: string, rows: number): Promise<number> {
  const out = fs.createWriteStream(file);
  const rand = rng(42);
  out.write('id,quantity,price,ratio,name,city,created,code\n');
  const start = Date.UTC(2015, 0, 1);
  let chunk = '';
  for (let i = 1; i <= rows; i++) {
    const d = new Date(start + Math.floor(rand() * 3000) * 86400000).toISOString().slice(0, 10);
    chunk += `${i},${Math.floor(rand() * 1000)},${(rand() * 10000).toFixed(2)},${rand().toFixed(4)},${WORDS[Math.floor(rand() * 10)]} ${WORDS[Math.floor(rand() * 10)]},${CITIES[i % CITIES.length]},${d},C${Math.floor(rand() * 100000)}\n`;
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
      chunk = '';
    }
  }
  out.write(chunk);
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
  return fs.statSync(file).size;
}

/** The sqlite3 CLI's `.import` of `csv` into a new database `db` (no types), in ms. */
export function timeCli(csv: string, db: string): number {
  fs.rmSync(db, { force: true });
  const t0 = performance.now();
  const r = spawnSync('sqlite3', [db, '.mode csv', `.import ${csv} t`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`sqlite3 failed: ${r.stderr?.toString() ?? r.error}`);
  return ms;
}

export function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return percentile(sorted, 50);
}

interface ChildResult {
  ms: number;
  maxRssMb: number;
  rows: number;
  types: string[];
}

/**
 * INGEST_BUILD=dist measures the compiled code `npm start` runs (build first: `npm run build`), in plain node; the
 * default is the TypeScript sources under tsx, whose loader also has to start inside the parse worker.
 */
function timeOurs(csv: string, db: string, tempDir: string, start: 'warm' | 'cold'): Promise<ChildResult> {
  fs.rmSync(db, { force: true });
  fs.writeFileSync(db, '');
  const here = path.dirname(fileURLToPath(import.meta.url));
  const dist = process.env.INGEST_BUILD === 'dist';
  const importer = pathToFileURL(
    path.join(here, dist ? '../dist/data/index.js' : '../src/data/index.ts'),
  ).href;
  const args = [
    ...(dist ? [] : ['--import', 'tsx']),
    path.join(here, 'ingest-child.mjs'),
    importer,
    csv,
    db,
    tempDir,
    start,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`import child exited with ${code}`));
      else resolve(JSON.parse(out.trim().split('\n').pop()!) as ChildResult);
    });
  });
}

export async function main(): Promise<void> {
  const which = spawnSync('sqlite3', ['--version']);
  if (which.status !== 0) {
    console.log('ingest: sqlite3 CLI not found (apt-get install -y sqlite3); skipped');
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentgraph-ingest-'));
  const sizes = (process.env.INGEST_SIZES ?? '1,5').split(',').map(Number);
  const lines: string[] = [];
  try {
    console.log(
      `ingest: sqlite3 ${which.stdout.toString().split(' ')[0]}, node ${process.version}, ${os.cpus().length} cpus`,
    );
    console.log(
      '| size | rows | file MB | rounds | sqlite3 .import s | ours s | ratio (median, range) | first import s | our peak RSS MB | types |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|---|');
    for (const k of sizes) {
      const csv = path.join(dir, `ingest-${k}x.csv`);
      const bytes = await generateCsv(csv, ROWS_1X * k);
      // This machine's speed drifts by ±15 % and more within minutes, and a two-thread import feels it more than the
      // one-thread CLI: several rounds, each ratio against the CLI of its own round, median reported.
      const rounds = Number(process.env.INGEST_ROUNDS ?? (k === 1 ? 5 : 1));
      const runs: Array<{ cli: number; first: number; ours: ChildResult }> = [];
      for (let r = 0; r < rounds; r++) {
        // CLI, ours (first import), ours, CLI: whatever drifts during the round (the disk after writing a large
        // file, caches) is shared evenly. Databases are deleted only after all four: deleting one slows the next
        // writes on this disk.
        const dbs = ['cli-a.db', 'ours-a.db', 'ours-b.db', 'cli-b.db'].map((name) => path.join(dir, name));
        const cliA = timeCli(csv, dbs[0]!);
        const first = await timeOurs(csv, dbs[1]!, path.join(dir, 'temp'), 'cold');
        const ours = await timeOurs(csv, dbs[2]!, path.join(dir, 'temp'), 'warm');
        const cliB = timeCli(csv, dbs[3]!);
        for (const file of dbs) fs.rmSync(file, { force: true });
        runs.push({
          cli: (cliA + cliB) / 2,
          first: first.ms,
          ours: { ...ours, maxRssMb: Math.max(first.maxRssMb, ours.maxRssMb) },
        });
      }
      fs.rmSync(csv, { force: true });
      const ratios = runs.map((r) => r.ours.ms / r.cli);
      const range =
        rounds > 1 ? ` (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})` : '';
      const last = runs.at(-1)!.ours;
      const line = `| ${k}× | ${last.rows.toLocaleString('en')} | ${(bytes / 1e6).toFixed(0)} | ${rounds} | ${(median(runs.map((r) => r.cli)) / 1000).toFixed(2)} | ${(median(runs.map((r) => r.ours.ms)) / 1000).toFixed(2)} | ${median(ratios).toFixed(2)}${range} | ${(median(runs.map((r) => r.first)) / 1000).toFixed(2)} | ${Math.max(...runs.map((r) => r.ours.maxRssMb)).toFixed(0)} | ${last.types.join(', ')} |`;
      lines.push(line);
      console.log(line);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, main);
