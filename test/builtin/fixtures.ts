/**
 * Test fixtures for the built-in engine: small generated tables written to a real SQLite file in a temp dir, and a
 * Catalog computed from the stored data the way the importer describes it (null counts, distinct counts, min/max,
 * top values of low-cardinality text columns). Independent of src/data so these tests run on their own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Catalog, ColumnCatalog, ColumnType, TableCatalog } from '../../src/data/catalog-types.js';

export interface ColumnSpec {
  name: string;
  label?: string;
  type: ColumnType;
  /** The unit the importer recorded for a number column ("km"). */
  unit?: string;
}

export interface TableSpec {
  name: string;
  label?: string;
  columns: ColumnSpec[];
  rows: (string | number | null)[][];
}

/** Low-cardinality threshold and list length for top_values (kept generous, like a real importer's catalog). */
const TOP_DISTINCT_LIMIT = 50;
const TOP_VALUES = 50;

export function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function catalogFor(
  db: Database.Database,
  spec: { name: string; label?: string; columns: ColumnSpec[] },
): TableCatalog {
  const t = quote(spec.name);
  const rows = (db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n;
  const columns: ColumnCatalog[] = spec.columns.map((c) => {
    const q = quote(c.name);
    const stats = db
      .prepare(
        `SELECT SUM(${q} IS NULL) AS nulls, COUNT(DISTINCT ${q}) AS d, MIN(${q}) AS mn, MAX(${q}) AS mx FROM ${t}`,
      )
      .get() as { nulls: number | null; d: number; mn: number | string | null; mx: number | string | null };
    let top: { value: string; count: number }[] = [];
    if (c.type === 'text' && stats.d <= TOP_DISTINCT_LIMIT) {
      top = (
        db
          .prepare(
            `SELECT ${q} AS value, COUNT(*) AS count FROM ${t} WHERE ${q} IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${TOP_VALUES}`,
          )
          .all() as { value: string; count: number }[]
      ).map((r) => ({ value: String(r.value), count: r.count }));
    }
    return {
      name: c.name,
      label: c.label ?? c.name,
      type: c.type,
      null_count: stats.nulls ?? 0,
      distinct_estimate: stats.d,
      min: stats.mn,
      max: stats.mx,
      top_values: top,
      ...(c.unit ? { unit: c.unit } : {}),
    };
  });
  return { name: spec.name, label: spec.label ?? `${spec.name}.csv`, rows, columns };
}

const SQL_TYPE: Record<ColumnType, string> = {
  integer: 'INTEGER',
  real: 'REAL',
  text: 'TEXT',
  date: 'TEXT',
  datetime: 'TEXT',
  boolean: 'INTEGER',
};

export function writeTable(db: Database.Database, spec: TableSpec): TableCatalog {
  const cols = spec.columns.map((c) => `${quote(c.name)} ${SQL_TYPE[c.type]}`).join(', ');
  db.exec(`CREATE TABLE ${quote(spec.name)} (${cols})`);
  const insert = db.prepare(
    `INSERT INTO ${quote(spec.name)} VALUES (${spec.columns.map(() => '?').join(', ')})`,
  );
  db.transaction(() => {
    for (const r of spec.rows) insert.run(...r);
  })();
  return catalogFor(db, spec);
}

export interface Fixture {
  db: Database.Database;
  catalog: Catalog;
  dir: string;
  close: () => void;
}

/** A real SQLite file in a fresh temp dir (never :memory:), holding the given tables. */
export function createFixture(tables: TableSpec[]): Fixture {
  const dir = mkdtempSync(join(tmpdir(), 'builtin-test-'));
  const db = new Database(join(dir, 'db.db'));
  const catalog = tables.map((t) => writeTable(db, t));
  return {
    db,
    catalog,
    dir,
    close: () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Deterministic pseudo-random numbers (tests must not depend on Math.random). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const sameValue = (a: unknown, b: unknown): boolean => {
  if (typeof a === 'number' && typeof b === 'number')
    return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a));
  return a === b;
};

/**
 * Execution match: every column of `gold` must appear (in some column of `got`), rows compared by value; row order
 * only matters when `ordered`. Extra columns in `got` are fine (the engine may show the measure beside a ranking).
 */
export function sameRows(gold: unknown[][], got: unknown[][], ordered: boolean): boolean {
  if (gold.length !== got.length) return false;
  if (gold.length === 0) return true;
  const width = gold[0]!.length;
  const gotWidth = got[0]!.length;
  const tryMapping = (mapping: number[]): boolean => {
    const projected = got.map((r) => mapping.map((j) => r[j]));
    if (ordered) return gold.every((r, i) => r.every((v, k) => sameValue(v, projected[i]![k])));
    const left = [...projected];
    return gold.every((r) => {
      const i = left.findIndex((x) => r.every((v, k) => sameValue(v, x[k])));
      if (i < 0) return false;
      left.splice(i, 1);
      return true;
    });
  };
  const pick = (k: number, used: number[]): boolean => {
    if (k === width) return tryMapping(used);
    for (let j = 0; j < gotWidth; j++) if (!used.includes(j) && pick(k + 1, [...used, j])) return true;
    return false;
  };
  return pick(0, []);
}
