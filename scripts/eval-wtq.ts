/**
 * `npm run eval:wtq`: the built-in engine on ../shared/eval/wtq-dev (1,000 WikiTableQuestions questions over 754
 * Wikipedia tables), scored as that folder's README says (issue 13).
 *
 * What it measures: the path of a new user. For every question: POST /api/sessions (a fresh session), upload the
 * table (multipart POST /api/session/uploads: the real import pipeline and catalog), ask it with the built-in model
 * (POST /api/session/queries?wait=true: queue → graph → builtin engine → SQL sandbox child process), take the
 * result table, DELETE /api/session. The HTTP app is the real one (buildApp over createServices, embedded mode,
 * a temporary DATA_DIR), driven in-process with Fastify's inject(): the same routes, validation, serialization and
 * queue as over a socket, without the socket, so 1,000 questions take minutes. One session per QUESTION, not per
 * table: a session keeps its history and the engine reads a question after another as a possible follow-up, which
 * would make scores depend on question order (it also matches the README: "upload the table into a fresh session").
 *
 * Scoring (scripts/wtq-score.ts, the official WTQ evaluator's rules): refused = no SQL / `unsupported: true` /
 * an error (also a failed upload); correct = one column of the result, all its rows, holds exactly the targets;
 * wrong = answered, not correct. Precision = correct / answered comes first.
 *
 *   npx tsx scripts/eval-wtq.ts                       all English questions (npm run eval:wtq)
 *   … --limit N --offset N                            a slice (in file order)
 *   … -v                                              list the wrong answers (id, question, SQL, answer, targets)
 *   … --refused                                       list the refusals with the engine's reason
 *   … --lang pt --questions FILE.jsonl                a translated question file (same ids; missing fields —
 *                                                     table, targets — come from the English file by id);
 *                                                     kinds stay those of the English question, for parity
 *   … --json FILE                                     per-question outcomes (one per line) for diffing runs
 *   … --diff FILE                                     compare with an earlier --json file: what changed
 *   … --dir DIR                                       another copy of wtq-dev (default ../shared/eval/wtq-dev)
 *   … --concurrency N                                 questions in flight at once (default 1; timings are
 *                                                     per question only at 1)
 *
 * Not a test: it needs ../shared/eval/wtq-dev, which a fresh clone does not have.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { interpret } from '../src/builtin/index.js';
import { loadConfig } from '../src/config.js';
import { INTERNAL_PREFIX, readCatalog } from '../src/data/index.js';
import type { QueryResult } from '../src/engine/types.js';
import { buildApp } from '../src/http/app.js';
import { createServices, type Services } from '../src/services.js';
import { MULTIPART_TYPE, multipart } from '../test/helpers/multipart.js';
import { percent, quantile, readJsonl, scriptArgs } from './eval-common.js';
import { KINDS, type Kind, questionKind, refusalCause, refusalWords } from './wtq-classify.js';
import { matchingColumn } from './wtq-score.js';

interface WtqQuestion {
  id: string;
  question: string;
  table: string;
  targets: string[];
  target_canon?: (string | null)[];
}

type Verdict = 'correct' | 'wrong' | 'refused';

interface Outcome {
  id: string;
  kind: Kind;
  outcome: Verdict;
  question: string;
  table: string;
  targets: string[];
  sql: string | null;
  /** The engine's sentence: the answer, or the refusal reason (+ what it understood). */
  answer: string | null;
  columns: string[];
  /** The first rows of the result. */
  rows: unknown[][];
  row_count: number;
  /** The result column that holds the targets (correct only). */
  column?: number;
  cause?: string;
  words?: string[];
  error?: string;
  /** upload: the upload request; ask: the question request; total/generate: the answerer's own timings. */
  ms: Record<string, number>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const args = scriptArgs();
const dir = path.resolve(args.value('--dir') ?? path.join(here, '../../shared/eval/wtq-dev'));
const lang = args.value('--lang') === 'pt' ? 'pt' : 'en';
const verbose = args.has('-v', '--verbose');
const SHOWN_ROWS = 10;

function loadQuestions(): WtqQuestion[] {
  const englishFile = path.join(dir, 'questions.jsonl');
  if (!fs.existsSync(englishFile)) {
    console.error(
      `eval:wtq needs ${englishFile} (../shared/eval/wtq-dev beside the project; --dir DIR otherwise)`,
    );
    process.exit(2);
  }
  const english = readJsonl<WtqQuestion>(englishFile);
  const translated = args.value('--questions');
  let questions = english;
  if (translated) {
    const byId = new Map(english.map((q) => [q.id, q]));
    questions = readJsonl<Partial<WtqQuestion> & { id: string; question: string }>(translated).map((q) => {
      const base = byId.get(q.id);
      if (!base && (!q.table || !q.targets))
        throw new Error(`${q.id}: not in ${englishFile} and no table/targets`);
      return { ...base, ...q } as WtqQuestion;
    });
  }
  const offset = args.number('--offset', 0);
  const limit = args.number('--limit', questions.length);
  return questions.slice(offset, offset + limit);
}

/** Kinds come from the English wording when the id is known there, so both languages group alike. */
function kindsById(): Map<string, Kind> {
  const english = readJsonl<WtqQuestion>(path.join(dir, 'questions.jsonl'));
  return new Map(english.map((q) => [q.id, questionKind(q.question)]));
}

class Client {
  constructor(
    private readonly app: FastifyInstance,
    private readonly services: Services,
  ) {}

  async run(q: WtqQuestion, kind: Kind): Promise<Outcome> {
    const outcome: Outcome = {
      id: q.id,
      kind,
      outcome: 'refused',
      question: q.question,
      table: q.table,
      targets: q.targets,
      sql: null,
      answer: null,
      columns: [],
      rows: [],
      row_count: 0,
      ms: {},
    };
    const created = await this.app.inject({ method: 'POST', url: '/api/sessions' });
    if (created.statusCode !== 201)
      throw new Error(`POST /api/sessions → ${created.statusCode} ${created.body}`);
    const id: string = created.json().session.session_id;
    const headers = { 'x-session-id': id, 'accept-language': lang === 'pt' ? 'pt-BR' : 'en' };
    try {
      let t0 = performance.now();
      const uploaded = await this.app.inject({
        method: 'POST',
        url: '/api/session/uploads',
        headers: { ...headers, 'content-type': MULTIPART_TYPE },
        payload: multipart({ name: q.table, content: fs.readFileSync(path.join(dir, 'tables', q.table)) }),
      });
      outcome.ms.upload = performance.now() - t0;
      if (uploaded.statusCode !== 201) {
        outcome.cause = 'error: upload failed';
        outcome.error = `upload ${uploaded.statusCode}: ${uploaded.body.slice(0, 200)}`;
        return outcome;
      }
      t0 = performance.now();
      const asked = await this.app.inject({
        method: 'POST',
        url: '/api/session/queries?wait=true',
        headers,
        payload: { question: q.question, model: 'builtin' },
      });
      outcome.ms.ask = performance.now() - t0;
      if (asked.statusCode !== 200) {
        outcome.cause = `error: ${asked.statusCode}`;
        outcome.error = asked.body.slice(0, 200);
        return outcome;
      }
      const result = asked.json() as QueryResult;
      if (result.timings.total_ms !== undefined) outcome.ms.total = result.timings.total_ms;
      if (result.timings.generate_sql_ms !== undefined) outcome.ms.generate = result.timings.generate_sql_ms;
      this.timeInterpret(id, q.question, outcome);
      outcome.answer = result.answer;
      if (result.status !== 'done') {
        outcome.cause = `error: ${result.error?.code ?? result.status}`;
        outcome.error = result.error?.message ?? result.status;
        return outcome;
      }
      if (result.unsupported || !result.sql) {
        outcome.cause = refusalCause(result.answer ?? '');
        outcome.words = refusalWords(result.answer ?? '');
        return outcome;
      }
      outcome.sql = result.sql;
      outcome.columns = result.columns;
      outcome.rows = result.rows.slice(0, SHOWN_ROWS);
      outcome.row_count = result.row_count;
      const column = matchingColumn(q, result.rows);
      outcome.outcome = column >= 0 ? 'correct' : 'wrong';
      if (column >= 0) outcome.column = column;
      return outcome;
    } finally {
      await this.app.inject({ method: 'DELETE', url: '/api/session', headers: { 'x-session-id': id } });
    }
  }

  /**
   * interpret() alone on the session's catalog, as generate_sql calls it: cold (a freshly read catalog object,
   * as for a session's first question) and warm (the same object again: its indexes are memoized).
   */
  private timeInterpret(sessionId: string, question: string, outcome: Outcome): void {
    const catalog = readCatalog(this.services.paths.dbPath(sessionId)).filter(
      (t) => !t.name.startsWith(INTERNAL_PREFIX),
    );
    let t0 = performance.now();
    interpret(question, catalog);
    outcome.ms.interpret_cold = performance.now() - t0;
    t0 = performance.now();
    interpret(question, catalog);
    outcome.ms.interpret_warm = performance.now() - t0;
  }
}

// ---- report

interface Tally {
  n: number;
  answered: number;
  correct: number;
}

function tally(outcomes: Outcome[]): Tally {
  const answered = outcomes.filter((o) => o.outcome !== 'refused').length;
  const correct = outcomes.filter((o) => o.outcome === 'correct').length;
  return { n: outcomes.length, answered, correct };
}

function row(label: string, t: Tally): string {
  return [
    label.padEnd(14),
    String(t.n).padStart(5),
    `${percent(t.answered, t.n)} (${t.answered})`.padStart(14),
    `${percent(t.correct, t.n)} (${t.correct})`.padStart(14),
    percent(t.correct, t.answered).padStart(10),
  ].join('  ');
}

const compact = (v: unknown) => JSON.stringify(v).slice(0, 300);

function report(outcomes: Outcome[], seconds: number): void {
  const all = tally(outcomes);
  console.log(
    `\n== wtq-dev (${lang}), ${outcomes.length} questions, built-in engine over HTTP: ${seconds.toFixed(0)} s`,
  );
  console.log(
    `${'kind'.padEnd(14)}  ${'n'.padStart(5)}  ${'answered'.padStart(14)}  ${'correct'.padStart(14)}  precision`,
  );
  for (const kind of KINDS) {
    const mine = outcomes.filter((o) => o.kind === kind);
    if (mine.length) console.log(row(kind, tally(mine)));
  }
  console.log(row('ALL', all));

  const refused = outcomes.filter((o) => o.outcome === 'refused');
  const causes = new Map<string, Outcome[]>();
  for (const o of refused) causes.set(o.cause ?? 'other', [...(causes.get(o.cause ?? 'other') ?? []), o]);
  console.log(`\n== refusals by the engine's reason (${refused.length})`);
  for (const [cause, list] of [...causes].sort((a, b) => b[1].length - a[1].length)) {
    const words = new Map<string, number>();
    for (const o of list) for (const w of o.words ?? []) words.set(w, (words.get(w) ?? 0) + 1);
    const top = [...words]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([w, n]) => (n > 1 ? `${w} ×${n}` : w))
      .join(', ');
    console.log(
      `${String(list.length).padStart(5)} ${percent(list.length, refused.length).padStart(6)}  ${cause}${top ? `: ${top}` : ''}`,
    );
  }

  if (verbose) {
    console.log('\n== wrong answers');
    for (const o of outcomes.filter((x) => x.outcome === 'wrong')) {
      console.log(
        `✗ ${o.id} [${o.kind}] ${o.question}\n    sql:     ${o.sql}\n    got:     ${compact(o.rows)}${o.row_count > o.rows.length ? ` (${o.row_count} rows)` : ''}\n    targets: ${compact(o.targets)}`,
      );
    }
  }
  if (args.has('--refused')) {
    console.log('\n== refusals');
    for (const o of refused) {
      console.log(`– ${o.id} [${o.kind}] ${o.question}\n    ${o.cause}: ${o.error ?? o.answer}`);
    }
  }

  const ms = (key: string) => outcomes.map((o) => o.ms[key]).filter((v): v is number => v !== undefined);
  const line = (label: string, key: string) => {
    const v = ms(key);
    if (v.length)
      console.log(
        `${label.padEnd(44)} p50 ${quantile(v, 0.5).toFixed(3)} ms, p95 ${quantile(v, 0.95).toFixed(3)} ms, max ${quantile(v, 1).toFixed(3)} ms`,
      );
  };
  console.log('\n== timings per question');
  line('upload request (import + catalog)', 'upload');
  line('question request (POST …/queries?wait=true)', 'ask');
  line('answerer total_ms (graph incl. sandbox)', 'total');
  line('generate_sql step (interpret in the graph)', 'generate');
  line('interpret() alone, cold catalog object', 'interpret_cold');
  line('interpret() alone, warm catalog object', 'interpret_warm');

  console.log(
    `\nSUMMARY wtq lang=${lang} n=${all.n} answered=${percent(all.answered, all.n)} correct=${percent(all.correct, all.n)} precision=${percent(all.correct, all.answered)} wrong=${all.answered - all.correct} refused=${all.n - all.answered} seconds=${seconds.toFixed(0)}`,
  );
}

function writeJson(file: string, outcomes: Outcome[]): void {
  const round = (o: Outcome) => ({
    ...o,
    ms: Object.fromEntries(Object.entries(o.ms).map(([k, v]) => [k, Math.round(v * 1000) / 1000])),
  });
  const lines = outcomes.map((o) => JSON.stringify(round(o)));
  fs.writeFileSync(file, `[\n${lines.join(',\n')}\n]\n`);
  console.log(`\nper-question outcomes written to ${file}`);
}

function diff(file: string, outcomes: Outcome[]): void {
  const before = new Map((JSON.parse(fs.readFileSync(file, 'utf8')) as Outcome[]).map((o) => [o.id, o]));
  const changes = new Map<string, Outcome[]>();
  for (const o of outcomes) {
    const was = before.get(o.id);
    if (!was) continue;
    const sameSql = was.sql === o.sql;
    if (was.outcome === o.outcome && sameSql) continue;
    const key = was.outcome === o.outcome ? `${o.outcome}, other SQL` : `${was.outcome} → ${o.outcome}`;
    changes.set(key, [...(changes.get(key) ?? []), o]);
  }
  console.log(`\n== changes against ${file}`);
  if (changes.size === 0) console.log('none');
  for (const [key, list] of [...changes].sort((a, b) => b[1].length - a[1].length)) {
    console.log(`${String(list.length).padStart(5)}  ${key}: ${list.map((o) => o.id).join(' ')}`);
  }
}

async function main(): Promise<void> {
  const questions = loadQuestions();
  const kinds = kindsById();
  const concurrency = Math.max(1, args.number('--concurrency', 1));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'eval-wtq-'));
  // A clean environment: the built-in model whatever keys this shell has, room for the sessions in flight.
  const config = loadConfig({
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    DEFAULT_MODEL: 'builtin',
    MAX_SESSIONS_PER_IP: String(concurrency + 5),
    WORKER_CONCURRENCY: String(concurrency),
  });
  const services = createServices(config, pino({ level: 'silent' }));
  const app = await buildApp(services);
  const client = new Client(app, services);
  const outcomes: Outcome[] = new Array(questions.length);
  const started = performance.now();
  try {
    let next = 0;
    let done = 0;
    const lane = async () => {
      while (next < questions.length) {
        const i = next++;
        const q = questions[i]!;
        outcomes[i] = await client.run(q, kinds.get(q.id) ?? questionKind(q.question));
        done++;
        if (process.stderr.isTTY && done % 50 === 0) process.stderr.write(`\r${done}/${questions.length}`);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, lane));
    if (process.stderr.isTTY) process.stderr.write('\r');
  } finally {
    await app.close();
    await services.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  report(outcomes, (performance.now() - started) / 1000);
  const jsonFile = args.value('--json');
  if (jsonFile) writeJson(jsonFile, outcomes);
  const diffFile = args.value('--diff');
  if (diffFile) diff(diffFile, outcomes);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
