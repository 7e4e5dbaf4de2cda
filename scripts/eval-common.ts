/** Small helpers shared by the evaluation scripts (eval-builtin.ts, eval-wtq.ts): arguments, JSONL, figures. */
import fs from 'node:fs';

/** `--flag value` and `--flag` arguments of a script. */
export function scriptArgs(argv: string[] = process.argv.slice(2)) {
  return {
    value(flag: string): string | undefined {
      const i = argv.indexOf(flag);
      return i >= 0 ? argv[i + 1] : undefined;
    },
    number(flag: string, fallback: number): number {
      const i = argv.indexOf(flag);
      if (i < 0) return fallback;
      const n = Number(argv[i + 1]);
      if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} takes a whole number (got ${argv[i + 1]})`);
      return n;
    },
    has(...flags: string[]): boolean {
      return flags.some((f) => argv.includes(f));
    },
  };
}

/** One JSON object per non-empty line. */
export function readJsonl<T>(file: string): T[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}

/** The p-quantile (0..1) of numbers, sorted here; NaN for none. */
export function quantile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

/** `12.3%` of part in whole (one decimal); `–` for an empty whole. */
export function percent(part: number, whole: number): string {
  return whole === 0 ? '–' : `${((100 * part) / whole).toFixed(1)}%`;
}
