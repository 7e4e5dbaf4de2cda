/**
 * bench/isolation — issue 12's figures: what one visitor's attack costs another. The compiled server runs in its own
 * process (`node dist/cli.js serve`, built first when stale); this process is both visitors, over HTTP. A victim
 * session repeats health check → table list → preview → question; its latency per request kind is measured quiet
 * (the anchor) and while an attacker session does each attack of the issue. The API process's resident memory is
 * sampled throughout (its import children are measured apart: they are where uploads are parsed).
 *
 * Targets: victim p99 under attack ≤ max(5 × quiet p99, 300 ms) for every request kind; API peak RSS ≤ 1 GB.
 *
 *   npx tsx bench/isolation.ts            (or: npm run bench -- isolation)
 *   BENCH_QUIET_S (default 10): seconds of the quiet phase; BENCH_SLOW_QUESTIONS (30)
 */
import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { notesCsv } from '../test/helpers/multipart.js';
import { removeDir, sleep, tempDir } from '../test/helpers/services.js';
import {
  beyondLastColumn,
  csvOf,
  deepJson,
  emptyRowsBomb,
  newlinesGzip,
  sharedStringsBomb,
  stalledUpload,
  upload,
} from '../test/reliability/attacks.js';
import { REQUEST_KINDS, type Server, startServer, type VictimReport } from '../test/reliability/harness.js';
import { type Json, Visitor } from '../test/scale/cluster.js';
import { childrenOf, rssOf } from './proc.js';
import { percentiles, runIfMain } from './stats.js';

const QUIET_S = Number(process.env.BENCH_QUIET_S ?? 10);
const SLOW_QUESTIONS = Number(process.env.BENCH_SLOW_QUESTIONS ?? 30);
// The default. Shorter, a pooled connection idle while this process builds a big payload (its timers held up) is closed
// by the server just as fetch reuses it: a client-side "fetch failed", not the server's doing.
const IDLE_TIMEOUT_S = 30;
const MB = 1024 * 1024;

/** Peak RSS of the API process and of its largest child, sampled every 50 ms until stopped; `phase` restarts. */
function memorySampler(pid: number) {
  const peak = { api: 0, child: 0, phaseApi: 0 };
  const timer = setInterval(() => {
    const api = rssOf(pid);
    peak.api = Math.max(peak.api, api);
    peak.phaseApi = Math.max(peak.phaseApi, api);
    for (const child of childrenOf(pid)) peak.child = Math.max(peak.child, rssOf(child));
  }, 50);
  return {
    peak,
    /** The API's peak since the last call. */
    phase: () => {
      const value = peak.phaseApi;
      peak.phaseApi = rssOf(pid);
      return value;
    },
    stop: () => clearInterval(timer),
  };
}

/** The victim's process (bench/victim-process.ts): one request at a time to it, answered by one message. */
function victimProcess() {
  const child: ChildProcess = fork(new URL('./victim-process.ts', import.meta.url).pathname, [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const call = <T>(message: Record<string, unknown>, answer: string) =>
    new Promise<T>((resolve) => {
      const listener = (m: { type: string } & T) => {
        if (m.type !== answer) return;
        child.off('message', listener);
        resolve(m);
      };
      child.on('message', listener);
      child.send(message);
    });
  return {
    start: (base: string) => call({ type: 'start', base }, 'started'),
    watch: () => call({ type: 'watch' }, 'watching'),
    stop: async () => (await call<{ report: VictimReport }>({ type: 'stop' }, 'report')).report,
    end: () => child.kill(),
  };
}

interface Attack {
  name: string;
  /** Builds the attack's payload before the victim is watched (building a 300 MB file takes this process time). */
  prepare?: () => Buffer | string;
  /** Runs the attack from a fresh attacker session; returns what the attacker got. */
  run: (attacker: Visitor, server: Server, payload: Buffer | string) => Promise<string>;
}

const uploadOutcome = async (server: Server, attacker: Visitor, name: string, content: Buffer | string) => {
  const answer = await upload(server.base, attacker.id, name, content);
  return `${answer.status} ${answer.body.error?.code ?? ''}`.trim();
};

/** An upload of the prepared payload. */
const uploading = (name: string, fileName: string, prepare: () => Buffer | string): Attack => ({
  name,
  prepare,
  run: (a, s, payload) => uploadOutcome(s, a, fileName, payload),
});

/** How many answers ended each way ("22× 200 done, 8× 429 too_many_queries"). */
function tally(answers: Array<{ status: number; body: Json }>): string {
  const counts = new Map<string, number>();
  for (const { status, body } of answers) {
    const key = `${status} ${body.status ?? ''} ${body.error?.code ?? ''}`.replace(/ +/g, ' ').trim();
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([key, n]) => `${n}× ${key}`).join(', ');
}

const ATTACKS: Attack[] = [
  uploading('XLSX with a cell at ZZZZZZZ1 (1 KB)', 'cell.xlsx', beyondLastColumn),
  uploading('XLSX, shared strings inflating to 500 MB', 'strings.xlsx', () => sharedStringsBomb(500)),
  uploading('XLSX, 300 MB of <row/>', 'rows.xlsx', () => emptyRowsBomb(50_000_000)),
  uploading('.csv.gz of 1.5 GB of newlines', 'lines.csv.gz', () => newlinesGzip(1536)),
  uploading('JSON nested 100,000 deep', 'deep.json', () => deepJson(100_000)),
  uploading('a legitimate 80 MB CSV upload', 'big.csv', () => csvOf(800_000)),
  {
    name: `upload of 40 MB, then silence (IDLE_TIMEOUT=${IDLE_TIMEOUT_S} s)`,
    prepare: () => csvOf(400_000),
    run: async (a, s, payload) => String(await stalledUpload(s.base, a.id, String(payload))),
  },
  {
    name: `${SLOW_QUESTIONS} slow questions at once from one session`,
    // GROUP BY a column with 1,000,000 distinct values: about a second of SQLite per question.
    prepare: () => csvOf(1_000_000),
    run: async (a, _s, payload) => {
      await a.upload('big.csv', String(payload));
      return tally(
        await Promise.all(Array.from({ length: SLOW_QUESTIONS }, () => a.ask('total amount by label'))),
      );
    },
  },
  {
    name: '1,000 rows × 24 KB, "list all notes" ×10',
    prepare: () => notesCsv(1000, 24 * 1024),
    run: async (a, _s, payload) => {
      await a.upload('notes.csv', String(payload));
      const answers = [];
      for (let i = 0; i < 10; i++) answers.push(await a.ask('list all notes'));
      return tally(answers);
    },
  },
];

function row(name: string, report: VictimReport, apiPeak: number, outcome: string): string {
  const cells = REQUEST_KINDS.map((kind) => {
    const { p50, p99 } = percentiles(report.latencies[kind]);
    return `${p50.toFixed(1)} / ${p99.toFixed(1)}`;
  });
  const mb = (apiPeak / MB).toFixed(0);
  return `| ${name} | ${cells.join(' | ')} | ${report.requests} | ${report.errors.length} | ${mb} | ${outcome} |`;
}

export async function main(): Promise<void> {
  execFileSync(process.execPath, ['scripts/ensure-build.mjs'], { stdio: 'inherit' });
  const dataDir = tempDir('agentgraph-bench-isolation');
  const server = await startServer(
    dataDir,
    { MAX_SESSIONS_PER_IP: '100', IDLE_TIMEOUT: String(IDLE_TIMEOUT_S), LOG_LEVEL: 'error' },
    { compiled: true },
  );
  const memory = memorySampler(server.process.pid!);
  const lines: string[] = [
    '| phase | healthz p50 / p99 ms | tables | preview | question | victim requests | victim errors | API peak RSS MB | attacker got |',
    '|---|---|---|---|---|---:|---:|---:|---|',
  ];
  const worst: Record<string, number> = {};
  let quietP99: Record<string, number> = {};
  const victim = victimProcess();
  try {
    await victim.start(server.base);
    memory.phase();
    await victim.watch();
    await sleep(QUIET_S * 1000);
    const quietReport = await victim.stop();
    quietP99 = Object.fromEntries(REQUEST_KINDS.map((k) => [k, percentiles(quietReport.latencies[k]).p99]));
    lines.push(row('quiet (anchor)', quietReport, memory.phase(), '–'));
    for (const attack of ATTACKS) {
      const payload = attack.prepare?.() ?? '';
      const attacker = await Visitor.create(server.base);
      memory.phase();
      await victim.watch();
      await sleep(200);
      const outcome = await attack
        .run(attacker, server, payload)
        .catch(
          (error: Error) => `error: ${error.message} (${String((error.cause as Error)?.message ?? '')})`,
        );
      await sleep(200);
      const report = await victim.stop();
      lines.push(row(attack.name, report, memory.phase(), outcome));
      for (const kind of REQUEST_KINDS) {
        worst[kind] = Math.max(worst[kind] ?? 0, percentiles(report.latencies[kind]).p99);
      }
      if (report.errors.length) console.error(attack.name, report.errors.slice(0, 5));
      await attacker.end();
      if (!server.alive()) throw new Error(`the server died during "${attack.name}":\n${server.logs()}`);
    }
  } finally {
    victim.end();
    memory.stop();
    await server.kill('SIGTERM');
    removeDir(dataDir);
  }
  console.log('\n## Isolation (issue 12): the victim session, quiet and under each attack\n');
  console.log(lines.join('\n'));
  console.log('\nTargets:');
  for (const kind of REQUEST_KINDS) {
    const bound = Math.max(5 * (quietP99[kind] ?? 0), 300);
    const ok = (worst[kind] ?? 0) <= bound;
    console.log(
      `- ${kind}: worst p99 under attack ${(worst[kind] ?? 0).toFixed(1)} ms vs bound ${bound.toFixed(1)} ms → ${ok ? 'met' : 'NOT met'}`,
    );
  }
  const apiMb = memory.peak.api / MB;
  console.log(`- API peak RSS ${apiMb.toFixed(0)} MB (target ≤ 1024) → ${apiMb <= 1024 ? 'met' : 'NOT met'}`);
  console.log(`- largest child peak RSS (import or query process) ${(memory.peak.child / MB).toFixed(0)} MB`);
}

runIfMain(import.meta.url, main);
