/**
 * Measures the built-in engine (issue 4): imports ../shared/eval/data/* through the real import path (src/data),
 * asks every dev question, runs the SQL on the real SQLite file and scores by execution match as
 * ../shared/eval/README.md explains; then asks out-of-scope questions that must be refused, and times interpret().
 *
 *   npx tsx scripts/eval-builtin.ts                       (npm run eval:builtin)
 *   npx tsx scripts/eval-builtin.ts --questions FILE.jsonl --data DIR   (another question set, same format)
 *   npx tsx scripts/eval-builtin.ts --combined            (also: all files in ONE session, so the table must be picked)
 *
 * Not a test: it needs ../shared/eval, which a fresh clone does not have.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describeResult, interpret } from '../src/builtin/index.js';
import type { Catalog } from '../src/data/catalog-types.js';
import { importFile, readCatalog } from '../src/data/index.js';
import { quantile, readJsonl, scriptArgs } from './eval-common.js';

interface Question {
  id: string;
  table?: string;
  file: string;
  lang: 'pt' | 'en';
  question: string;
  gold_sql?: string;
  /** When absent (a question set of your own), computed by running gold_sql on the same import. */
  expected?: unknown[][];
}

const here = path.dirname(fileURLToPath(import.meta.url));
const args = scriptArgs();
const evalDir = path.resolve(here, '../../shared/eval');
const questionsPath = args.value('--questions') ?? path.join(evalDir, 'questions_dev.jsonl');
const dataDir = args.value('--data') ?? path.join(evalDir, 'data');
const verbose = args.has('--verbose');

async function importInto(dbPath: string, tempDir: string, files: string[]): Promise<Catalog> {
  for (const file of files) {
    await importFile({
      dbPath,
      tempDir,
      source: fs.createReadStream(path.join(dataDir, file)),
      fileName: file,
      quota: { limitBytes: 1024 * 1024 * 1024, usedBytes: () => 0 },
    });
  }
  return readCatalog(dbPath);
}

// ---- execution-match scoring (README: values only, extra columns ignored, 1e-6 relative, order only for rankings)

function same(a: unknown, b: unknown): boolean {
  if (a === null || b === null || a === undefined || b === undefined) return (a ?? null) === (b ?? null);
  if (typeof a === 'number' || typeof b === 'number') {
    const x = Number(a);
    const y = Number(b);
    if (Number.isNaN(x) || Number.isNaN(y)) return String(a) === String(b);
    return Math.abs(x - y) <= 1e-6 * Math.max(1, Math.abs(x), Math.abs(y));
  }
  const s = String(a);
  const t = String(b);
  // A date-part label "01" is accepted for "2023-01" (and the other way round).
  return s === t || (/^\d{2}$/.test(s) && t.endsWith(`-${s}`)) || (/^\d{2}$/.test(t) && s.endsWith(`-${t}`));
}

const key = (v: unknown) => (typeof v === 'number' ? v.toPrecision(10) : String(v));

function rowsMatch(expected: unknown[][], got: unknown[][], ordered: boolean, mapping: number[]): boolean {
  if (expected.length !== got.length) return false;
  const project = (r: unknown[]) => mapping.map((j) => r[j]);
  const g = got.map(project);
  if (ordered) return expected.every((r, i) => r.every((v, k) => same(v, g[i]![k])));
  const sortKey = (r: unknown[]) => r.map(key).join('\u0001');
  const e2 = [...expected].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1));
  const g2 = [...g].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1));
  if (e2.every((r, i) => r.every((v, k) => same(v, g2[i]![k])))) return true;
  // Sorting by rounded keys can misalign nearly-equal floats: fall back to greedy matching.
  const left = [...g];
  return expected.every((r) => {
    const i = left.findIndex((x) => r.every((v, k) => same(v, x[k])));
    if (i < 0) return false;
    left.splice(i, 1);
    return true;
  });
}

/** Tries every way of picking the expected columns out of the result's columns (results have few columns). */
function score(expected: unknown[][], got: unknown[][], ordered: boolean): boolean {
  const width = expected[0]?.length ?? 0;
  const gotWidth = got[0]?.length ?? 0;
  if (expected.length === 0) return got.length === 0;
  if (gotWidth < width) return false;
  const pick = (k: number, used: number[]): boolean => {
    if (k === width) return rowsMatch(expected, got, ordered, used);
    for (let j = 0; j < gotWidth; j++) {
      if (used.includes(j)) continue;
      if (pick(k + 1, [...used, j])) return true;
    }
    return false;
  };
  return pick(0, []);
}

const isRanking = (q: Question) =>
  /\border\s+by\b/i.test(q.gold_sql ?? '') && /\blimit\b/i.test(q.gold_sql ?? '');

// ---- out-of-scope questions (must be refused) ----

const OUT_OF_SCOPE: string[] = [
  'Why did it rain so much in 2015?',
  'Por que o preço da AAPL caiu em 2008?',
  'What is the average price of AAPL on rainy days?',
  'Qual a renda média dos países nos dias de neve?',
  'Which country sells the most notebooks?',
  'What do you think about the weather in Seattle?',
  'Qual é a melhor categoria para investir?',
  'Should I buy MSFT stock?',
  'asdkjh qwpoeiru zxmcnv',
  'lorem ipsum dolor sit amet',
  'What is the average salary of employees?',
  'Quantos funcionários trabalham na empresa?',
  'Qual o lucro total por loja?',
  'How many goals did each team score?',
  'What is the correlation between income and health?',
  'Qual a correlação entre vento e temperatura?',
  'Predict the price of GOOG next year',
  'Qual será a temperatura amanhã?',
  'Who is the president of Brazil?',
  'Tell me a joke',
  'Me conte uma piada',
  'Join the stocks table with the weather table by date',
  'What is the variance of the wind speed?',
  'What is the GDP of Brazil?',
  'Quantos clientes compraram celulares?',
  'Which customer spent the most money?',
  'Explain the difference between drizzle and rain',
  'Qual a variância do preço unitário?',
  'How many hospitals are in each region?',
  'Delete all rows from the table',
  'What is the favourite color of each seller?',
  'Qual a idade média dos vendedores?',
  'Hello, how are you?',
  'Olá, tudo bem?',
  'What is the weather like today?',
  'Which stock should I buy?',
  'Quanto custa um notebook hoje?',
  'Show me a chart of the sales',
  'Summarize the data',
  'Qual a previsão do tempo para amanhã?',
  'What is the price of bitcoin?',
  'Me fale sobre os dados',
  'What time is it?',
  'List all tables',
  'Average price per weather type',
  'Qual o nome do gerente da loja?',
  'How tall is the tallest building?',
  'Qual a cotação do dólar hoje?',
  'Count the number of unicorns',
  'Qual o CPF do vendedor?',
  'Which region has the best health care system?',
  'Quantos gatos existem em cada região?',
];

async function main(): Promise<void> {
  const questions = readJsonl<Question>(questionsPath);
  const files = [...new Set(questions.map((q) => q.file))];
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'eval-builtin-'));
  const times: number[] = [];
  const timed = (q: string, catalog: Catalog, lang?: 'pt' | 'en') => {
    const t0 = performance.now();
    const r = interpret(q, catalog, lang ? { lang } : {});
    times.push(performance.now() - t0);
    return r;
  };

  try {
    // One session per file (as the README describes), plus one session holding every file.
    const sessions = new Map<string, { dbPath: string; catalog: Catalog }>();
    for (const file of files) {
      const dir = fs.mkdtempSync(path.join(work, 's-'));
      const dbPath = path.join(dir, 'db.db');
      const catalog = await importInto(dbPath, dir, [file]);
      sessions.set(file, { dbPath, catalog });
    }
    const combinedDir = fs.mkdtempSync(path.join(work, 'all-'));
    const combined = {
      dbPath: path.join(combinedDir, 'db.db'),
      catalog: await importInto(path.join(combinedDir, 'db.db'), combinedDir, files),
    };

    for (const q of questions) {
      if (q.expected || !q.gold_sql) continue;
      const db = new Database(sessions.get(q.file)!.dbPath, { readonly: true });
      try {
        q.expected = db.prepare(q.gold_sql).raw().all() as unknown[][];
      } finally {
        db.close();
      }
    }

    const run = (label: string, pick: (q: Question) => { dbPath: string; catalog: Catalog }) => {
      let correct = 0;
      let refused = 0;
      const misses: string[] = [];
      for (const q of questions) {
        const s = pick(q);
        const r = timed(q.question, s.catalog);
        if (r.kind !== 'sql') {
          refused++;
          misses.push(
            `✗ ${q.id} [refused] ${q.question}\n    reason: ${r.reason}${r.understood ? `\n    ${r.understood}` : ''}`,
          );
          continue;
        }
        const db = new Database(s.dbPath, { readonly: true });
        let got: unknown[][] = [];
        let error = '';
        try {
          got = db.prepare(r.sql).raw().all() as unknown[][];
        } catch (e) {
          error = (e as Error).message;
        } finally {
          db.close();
        }
        const expected = q.expected ?? [];
        const ok = !error && score(expected, got, isRanking(q));
        if (ok) correct++;
        else
          misses.push(
            `✗ ${q.id} ${q.question}\n    sql:  ${r.sql}\n    gold: ${q.gold_sql}\n    got:  ${error || JSON.stringify(got.slice(0, 5))}\n    want: ${JSON.stringify(expected.slice(0, 5))}`,
          );
        if (verbose && ok) {
          console.log(
            `✓ ${q.id} ${q.question}\n    ${r.sql}\n    → ${describeResult(r, { columns: [], rows: got })}`,
          );
        }
      }
      const pct = ((100 * correct) / questions.length).toFixed(1);
      console.log(
        `\n== ${label}: ${correct}/${questions.length} correct (${pct}%), ${refused} refused, ${questions.length - correct - refused} wrong`,
      );
      for (const m of misses) console.log(m);
      return { correct, total: questions.length };
    };

    const perFile = run('dev set, one session per file', (q) => sessions.get(q.file)!);
    const all = args.has('--combined') ? run('dev set, all files in one session', () => combined) : undefined;

    // Out of scope: asked against the combined session AND each single-file session: every one must be refused.
    let refusedOos = 0;
    let askedOos = 0;
    const answered: string[] = [];
    for (const q of OUT_OF_SCOPE) {
      for (const [name, s] of [
        ['all', combined] as const,
        ...[...sessions].map(([f, s]) => [f, s] as const),
      ]) {
        askedOos++;
        const r = timed(q, s.catalog);
        if (r.kind === 'unsupported') refusedOos++;
        else answered.push(`✗ [${name}] ${q}\n    sql: ${r.sql}`);
      }
    }
    console.log(
      `\n== out of scope: ${refusedOos}/${askedOos} refused (${((100 * refusedOos) / askedOos).toFixed(1)}%) — ${OUT_OF_SCOPE.length} questions × ${sessions.size + 1} sessions`,
    );
    for (const a of answered) console.log(a);

    // Timing: interpret() only (no SQL), over every question asked above, repeated for a stable median.
    for (let rep = 0; rep < 20; rep++) {
      for (const q of questions) timed(q.question, sessions.get(q.file)!.catalog);
    }
    const pctl = (p: number) => quantile(times, p);
    console.log(
      `\n== interpret() time over ${times.length} calls: median ${pctl(0.5).toFixed(3)} ms, p95 ${pctl(0.95).toFixed(3)} ms, max ${pctl(1).toFixed(3)} ms`,
    );
    // Cold: a fresh catalog object per call (as when the catalog is re-read for every question), so the per-table
    // indexes and suggestions memoized on the catalog object are rebuilt each time.
    const cold: number[] = [];
    for (let rep = 0; rep < 3; rep++) {
      for (const q of questions) {
        const fresh = structuredClone(sessions.get(q.file)!.catalog);
        const t0 = performance.now();
        interpret(q.question, fresh);
        cold.push(performance.now() - t0);
      }
    }
    const coldMedian = quantile(cold, 0.5);
    console.log(`== interpret() cold (fresh catalog object each call): median ${coldMedian.toFixed(3)} ms`);
    console.log(
      `\nSUMMARY dev=${perFile.correct}/${perFile.total}${all ? ` combined=${all.correct}/${all.total}` : ''} refusals=${refusedOos}/${askedOos} median_ms=${pctl(0.5).toFixed(3)} cold_median_ms=${coldMedian.toFixed(3)}`,
    );
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
