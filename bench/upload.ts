/**
 * bench/upload — issue 14: an upload as a user makes it. The compiled server runs as its own process; this process
 * is the client, sending the generated 1,000,000-row × 8-column CSV as multipart/form-data (with its length, as curl
 * -F does) to POST /api/session/uploads and timing until the 201 arrives. Anchor in the same run: the sqlite3 CLI's
 * `.import` of the same file, in the order CLI, ours, ours, CLI per round (medians over the rounds). Also the
 * server's and the import process's peak RSS (VmHWM).
 *
 *   npm run bench -- upload          (BENCH_UPLOAD_ROUNDS, default 4; needs `sqlite3` on PATH)
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { processUsage } from '../src/process-pool.js';
import { generateCsv, median, timeCli } from './ingest.js';
import { childrenOf, peakRssOf } from './proc.js';
import { newSession, request, startServer } from './server.js';
import { runIfMain } from './stats.js';

const ROUNDS = Number(process.env.BENCH_UPLOAD_ROUNDS ?? 4);
const BOUNDARY = '----agentgraph-bench-upload';

interface Upload {
  ms: number;
  /** CPU time the API process spent on it (user + system), ms. */
  apiCpuMs: number;
  /** The import's own time, from the response (`timings.total_ms`). */
  importMs: number;
  rows: number;
}

/** The file as a browser sends it: one multipart part, streamed from disk, with Content-Length. */
async function upload(base: string, file: string, serverPid: number): Promise<Upload> {
  const session = await newSession(base);
  const cpuBefore = processUsage(serverPid)?.cpuMs ?? 0;
  const head = Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${path.basename(file)}"\r\nContent-Type: text/csv\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
  const length = head.length + fs.statSync(file).size + tail.length;
  async function* body() {
    yield head;
    yield* fs.createReadStream(file, { highWaterMark: 64 * 1024 });
    yield tail;
  }
  const started = performance.now();
  const reply = await request(base, {
    path: '/api/session/uploads',
    method: 'POST',
    headers: {
      'x-session-id': session,
      'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
      'content-length': String(length),
    },
    body: Readable.from(body()),
  });
  const ms = performance.now() - started;
  const apiCpuMs = (processUsage(serverPid)?.cpuMs ?? 0) - cpuBefore;
  if (reply.status !== 201) throw new Error(`upload failed: ${reply.status} ${reply.body.slice(0, 500)}`);
  const result = JSON.parse(reply.body) as { table: { rows: number }; timings: { total_ms: number } };
  // The next upload gets a fresh session; this one's folder goes now (outside the timed part).
  await request(base, { path: '/api/session', method: 'DELETE', headers: { 'x-session-id': session } });
  return { ms, apiCpuMs, importMs: result.timings.total_ms, rows: result.table.rows };
}

export async function main(): Promise<void> {
  if (spawnSync('sqlite3', ['--version']).status !== 0) {
    console.log('upload: sqlite3 CLI not found (apt-get install -y sqlite3); skipped');
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentgraph-upload-'));
  const csv = path.join(dir, 'sales-1m.csv');
  const bytes = await generateCsv(csv, 1_000_000);
  const server = await startServer({
    DATA_DIR: path.join(dir, 'data'),
    MAX_SESSIONS_PER_IP: '1000',
    MAX_SESSION_SIZE_MB: '1000',
    MAX_UPLOAD_MB: '1000',
  });
  const importPeaks = new Map<number, number>();
  const watch = setInterval(() => {
    for (const pid of childrenOf(server.pid)) importPeaks.set(pid, peakRssOf(pid));
  }, 50);
  const cli: number[] = [];
  const ours: Upload[] = [];
  try {
    for (let r = 0; r < ROUNDS; r++) {
      cli.push(timeCli(csv, path.join(dir, 'cli-a.db')));
      ours.push(await upload(server.base, csv, server.pid));
      ours.push(await upload(server.base, csv, server.pid));
      cli.push(timeCli(csv, path.join(dir, 'cli-b.db')));
      for (const db of ['cli-a.db', 'cli-b.db']) fs.rmSync(path.join(dir, db), { force: true });
    }
    const serverPeak = peakRssOf(server.pid);
    const cliMs = median(cli);
    const oursMs = median(ours.map((u) => u.ms));
    const importMs = median(ours.map((u) => u.importMs));
    const mb = (n: number) => (n / 1048576).toFixed(0);
    console.log(
      `\n## Upload over HTTP (issue 14) — ${new Date().toISOString()}, load ${os.loadavg()[0]!.toFixed(2)}\n`,
    );
    console.log('| measurement | median s | range s | n |');
    console.log('|---|---:|---:|---:|');
    const row = (name: string, xs: number[]) =>
      console.log(
        `| ${name} | ${(median(xs) / 1000).toFixed(2)} | ${(Math.min(...xs) / 1000).toFixed(2)}–${(Math.max(...xs) / 1000).toFixed(2)} | ${xs.length} |`,
      );
    row('anchor: sqlite3 CLI `.import` (no types)', cli);
    row(
      `POST /api/session/uploads, ${(bytes / 1e6).toFixed(0)} MB multipart → 201`,
      ours.map((u) => u.ms),
    );
    row(
      '  of which the import (the response’s `timings.total_ms`)',
      ours.map((u) => u.importMs),
    );
    row(
      '  CPU time the API process spent on it (user + system)',
      ours.map((u) => u.apiCpuMs),
    );
    console.log(
      `\nRatio ours / CLI (medians): **${(oursMs / cliMs).toFixed(2)}×**; outside the import: ${((oursMs - importMs) / 1000).toFixed(2)} s. ` +
        `Rows: ${ours[0]?.rows.toLocaleString('en')}. Peak RSS: server ${mb(serverPeak)} MB, import process ${mb(Math.max(0, ...importPeaks.values()))} MB.`,
    );
  } finally {
    clearInterval(watch);
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, main);
