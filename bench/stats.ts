/** Small helpers shared by the benchmarks: timing loops, percentiles, a Markdown table, the entry point. */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface Row {
  name: string;
  p50: number;
  p99: number;
  n: number;
  note?: string;
}

/** Runs `work` n times sequentially (after a short warm-up) and returns each duration in ms. */
export async function time(
  n: number,
  work: (i: number) => Promise<unknown>,
  warmup = Math.min(100, n),
): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await work(n + i);
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await work(i);
    samples.push(performance.now() - start);
  }
  return samples;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export function percentiles(samples: number[]): { p50: number; p99: number; n: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), n: samples.length };
}

const fmt = (ms: number) => (Number.isNaN(ms) ? '–' : ms < 1 ? ms.toFixed(3) : ms.toFixed(1));

export function formatTable(rows: Row[]): string {
  const lines = ['| measurement | p50 ms | p99 ms | n |', '|---|---:|---:|---:|'];
  for (const row of rows) lines.push(`| ${row.name} | ${fmt(row.p50)} | ${fmt(row.p99)} | ${row.n} |`);
  return lines.join('\n');
}

/** Runs a benchmark's main() when its file is executed directly (`npx tsx bench/x.ts`), not when imported. */
export function runIfMain(moduleUrl: string, main: () => Promise<void>): void {
  const entry = process.argv[1];
  if (!entry || moduleUrl !== pathToFileURL(resolve(entry)).href) return;
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
