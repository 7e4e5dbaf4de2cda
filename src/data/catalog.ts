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

/** Initial size of ValueStats' hash table (a power of two; it doubles while at most half full). */
const TABLE_START = 64;

/**
 * Streaming distinct count (exact while small) and value frequencies for low-cardinality columns.
 *
 * The exact counts are an open-addressing hash table keyed by hash32 (linear probing, hashes kept beside the keys):
 * measured ~2× cheaper per value than a `Map` on freshly sliced strings, and its hashes are the ones the
 * HyperLogLog sketch needs when the column outgrows it.
 */
export class ValueStats {
  /** Keys by table position (null: free) while the column has at most EXACT_DISTINCT distinct values; then null. */
  private keys: (string | null)[] | null = new Array<string | null>(TABLE_START).fill(null);
  private hashes = new Int32Array(TABLE_START);
  private counts = new Float64Array(TABLE_START);
  private size = 0;
  private registers: Uint8Array | null = null;

  add(value: string): void {
    const h = hash32(value);
    const keys = this.keys;
    if (keys !== null) {
      const mask = keys.length - 1;
      const hs = this.hashes;
      const h32 = h | 0;
      let i = h32 & mask;
      for (;;) {
        const k = keys[i];
        if (k === null) break;
        if (hs[i] === h32 && k === value) {
          this.counts[i]!++;
          return;
        }
        i = (i + 1) & mask;
      }
      if (this.size < EXACT_DISTINCT) {
        keys[i] = value;
        hs[i] = h32;
        this.counts[i] = 1;
        if (++this.size * 2 > keys.length) this.grow();
        return;
      }
      // Too many distinct values for exact counts: a HyperLogLog sketch from now on.
      this.registers = new Uint8Array(HLL_M);
      for (let j = 0; j < keys.length; j++) if (keys[j] !== null) this.addHll(hs[j]! >>> 0);
      this.keys = null;
      this.counts = new Float64Array(0);
      this.hashes = new Int32Array(0);
    }
    this.addHll(h);
  }

  private grow(): void {
    const keys = this.keys!;
    const hs = this.hashes;
    const counts = this.counts;
    const size = keys.length * 2;
    const mask = size - 1;
    const nk = new Array<string | null>(size).fill(null);
    const nh = new Int32Array(size);
    const nc = new Float64Array(size);
    for (let j = 0; j < keys.length; j++) {
      const k = keys[j];
      if (k === null || k === undefined) continue;
      let i = hs[j]! & mask;
      while (nk[i] !== null) i = (i + 1) & mask;
      nk[i] = k;
      nh[i] = hs[j]!;
      nc[i] = counts[j]!;
    }
    this.keys = nk;
    this.hashes = nh;
    this.counts = nc;
  }

  private addHll(h: number): void {
    const idx = h >>> (32 - HLL_BITS);
    const rest = (h << HLL_BITS) | (1 << (HLL_BITS - 1));
    const rank = Math.clz32(rest) + 1;
    const regs = this.registers!;
    if (rank > regs[idx]!) regs[idx] = rank;
  }

  distinct(): number {
    if (this.keys !== null) return this.size;
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
    const keys = this.keys;
    if (keys === null || this.size > LOW_CARDINALITY) return [];
    const values: TopValue[] = [];
    for (let j = 0; j < keys.length; j++) {
      const value = keys[j];
      if (value !== null && value !== undefined) values.push({ value, count: this.counts[j]! });
    }
    return values.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1)).slice(0, limit);
  }
}

export function ensureCatalogTable(db: Database.Database): void {
  db.exec(`CREATE TABLE IF NOT EXISTS ${CATALOG_TABLE} (
    name TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    rows INTEGER NOT NULL,
    size_bytes INTEGER NOT NULL,
    created_at REAL NOT NULL,
    columns TEXT NOT NULL,
    source_file TEXT,
    summary_rows TEXT
  )`);
  // A session database written before these columns existed (sessions outlive a server upgrade by up to their TTL).
  const columns = db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(CATALOG_TABLE) as string[];
  for (const added of ['source_file', 'summary_rows']) {
    if (!columns.includes(added)) db.exec(`ALTER TABLE ${CATALOG_TABLE} ADD COLUMN ${added} TEXT`);
  }
}

export function writeCatalogEntry(db: Database.Database, entry: TableCatalog): void {
  ensureCatalogTable(db);
  db.prepare(
    `INSERT OR REPLACE INTO ${CATALOG_TABLE} (name, label, rows, size_bytes, created_at, columns, source_file,
       summary_rows)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    entry.name,
    entry.label,
    entry.rows,
    entry.size_bytes ?? 0,
    entry.created_at ?? Date.now() / 1000,
    JSON.stringify(entry.columns),
    entry.source_file ?? null,
    entry.summary_rows && entry.summary_rows.length > 0 ? JSON.stringify(entry.summary_rows) : null,
  );
}

interface CatalogRow {
  name: string;
  label: string;
  rows: number;
  size_bytes: number;
  created_at: number;
  columns: string;
  source_file?: string | null;
  /** JSON array of rowids; absent in databases written before summary rows were detected. */
  summary_rows?: string | null;
}

export function hasCatalogTable(db: Database.Database): boolean {
  return (
    db.prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?`).get(CATALOG_TABLE) !==
    undefined
  );
}

export function readCatalogFrom(db: Database.Database): TableCatalog[] {
  if (!hasCatalogTable(db)) return [];
  const rows = db.prepare(`SELECT * FROM ${CATALOG_TABLE} ORDER BY rowid`).all() as CatalogRow[];
  return rows.map((r) => ({
    name: r.name,
    label: r.label,
    rows: r.rows,
    size_bytes: r.size_bytes,
    created_at: r.created_at,
    columns: JSON.parse(r.columns) as ColumnCatalog[],
    ...(r.source_file ? { source_file: r.source_file } : {}),
    ...(r.summary_rows ? { summary_rows: JSON.parse(r.summary_rows) as number[] } : {}),
  }));
}

export function deleteCatalogEntry(db: Database.Database, name: string): boolean {
  if (!hasCatalogTable(db)) return false;
  return db.prepare(`DELETE FROM ${CATALOG_TABLE} WHERE name = ?`).run(name).changes > 0;
}
