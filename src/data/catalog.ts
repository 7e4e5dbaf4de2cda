/**
 * The catalog lives inside the session's db.db, in `_agentgraph_catalog`, written in the same transaction as the
 * table it describes: a table and its catalog entry appear (or vanish) together, whatever crashes when.
 * Engines hide every table whose name starts with `_agentgraph_`.
 */
import type Database from 'better-sqlite3';
import type { ColumnCatalog, TableCatalog, TopValue } from './catalog-types.js';
import { INTERNAL_PREFIX } from './naming.js';

export const CATALOG_TABLE = `${INTERNAL_PREFIX}catalog`;

/** Text columns with at most this many distinct values list their most frequent values. */
export const LOW_CARDINALITY = 200;
export const TOP_VALUES = 50;
/** Exact value counts are kept per column up to this many distinct values, then a HyperLogLog sketch takes over. */
const EXACT_DISTINCT = 1000;

const HLL_BITS = 11;
const HLL_M = 1 << HLL_BITS;

/** FNV-1a, 32-bit, then a murmur3 finalizer so HyperLogLog's register index and rank bits are well mixed. */
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Streaming distinct count (exact while small) and value frequencies for low-cardinality columns. */
export class ValueStats {
  /** Value → slot in `counts` while the column has at most EXACT_DISTINCT distinct values; then null. */
  private slots: Map<string, number> | null = new Map();
  private counts = new Float64Array(64);
  private registers: Uint8Array | null = null;

  add(value: string): void {
    const slots = this.slots;
    if (slots !== null) {
      const slot = slots.get(value);
      if (slot !== undefined) {
        this.counts[slot] = this.counts[slot]! + 1;
        return;
      }
      const size = slots.size;
      if (size < EXACT_DISTINCT) {
        if (size === this.counts.length) {
          const grown = new Float64Array(size * 2);
          grown.set(this.counts);
          this.counts = grown;
        }
        slots.set(value, size);
        this.counts[size] = 1;
        return;
      }
      // Too many distinct values for exact counts: a HyperLogLog sketch from now on.
      this.registers = new Uint8Array(HLL_M);
      for (const key of slots.keys()) this.addHll(key);
      this.slots = null;
    }
    this.addHll(value);
  }

  private addHll(value: string): void {
    const h = hash32(value);
    const idx = h >>> (32 - HLL_BITS);
    const rest = (h << HLL_BITS) | (1 << (HLL_BITS - 1));
    const rank = Math.clz32(rest) + 1;
    const regs = this.registers!;
    if (rank > regs[idx]!) regs[idx] = rank;
  }

  distinct(): number {
    if (this.slots !== null) return this.slots.size;
    const regs = this.registers!;
    let sum = 0;
    let zeros = 0;
    for (let i = 0; i < HLL_M; i++) {
      sum += 2 ** -regs[i]!;
      if (regs[i] === 0) zeros++;
    }
    const alpha = 0.7213 / (1 + 1.079 / HLL_M);
    let estimate = (alpha * HLL_M * HLL_M) / sum;
    if (estimate <= 2.5 * HLL_M && zeros > 0) estimate = HLL_M * Math.log(HLL_M / zeros);
    return Math.max(EXACT_DISTINCT, Math.round(estimate));
  }

  /** Most frequent values, when the column has few distinct values; empty otherwise. */
  top(limit = TOP_VALUES): TopValue[] {
    if (this.slots === null || this.slots.size > LOW_CARDINALITY) return [];
    const counts = this.counts;
    return [...this.slots]
      .map(([value, slot]) => ({ value, count: counts[slot]! }))
      .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1))
      .slice(0, limit);
  }
}

export function ensureCatalogTable(db: Database.Database): void {
  db.exec(`CREATE TABLE IF NOT EXISTS ${CATALOG_TABLE} (
    name TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    rows INTEGER NOT NULL,
    size_bytes INTEGER NOT NULL,
    created_at REAL NOT NULL,
    columns TEXT NOT NULL
  )`);
}

export function writeCatalogEntry(db: Database.Database, entry: TableCatalog): void {
  ensureCatalogTable(db);
  db.prepare(
    `INSERT OR REPLACE INTO ${CATALOG_TABLE} (name, label, rows, size_bytes, created_at, columns) VALUES (?, ?, ?, ?, ?, ?)`,
  ).run(
    entry.name,
    entry.label,
    entry.rows,
    entry.size_bytes ?? 0,
    entry.created_at ?? Date.now() / 1000,
    JSON.stringify(entry.columns),
  );
}

interface CatalogRow {
  name: string;
  label: string;
  rows: number;
  size_bytes: number;
  created_at: number;
  columns: string;
}

export function hasCatalogTable(db: Database.Database): boolean {
  return (
    db.prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?`).get(CATALOG_TABLE) !==
    undefined
  );
}

export function readCatalogFrom(db: Database.Database): TableCatalog[] {
  if (!hasCatalogTable(db)) return [];
  const rows = db
    .prepare(`SELECT name, label, rows, size_bytes, created_at, columns FROM ${CATALOG_TABLE} ORDER BY rowid`)
    .all() as CatalogRow[];
  return rows.map((r) => ({
    name: r.name,
    label: r.label,
    rows: r.rows,
    size_bytes: r.size_bytes,
    created_at: r.created_at,
    columns: JSON.parse(r.columns) as ColumnCatalog[],
  }));
}

export function deleteCatalogEntry(db: Database.Database, name: string): boolean {
  if (!hasCatalogTable(db)) return false;
  return db.prepare(`DELETE FROM ${CATALOG_TABLE} WHERE name = ?`).run(name).changes > 0;
}
