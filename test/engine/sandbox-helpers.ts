/** Real SQLite session files for the sandbox tests (never :memory:: the sandbox opens files by path). */
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export interface SessionDb {
  id: string;
  dir: string;
  dbPath: string;
}

/** Creates DATA_DIR/sessions/{id}/db.db with t(id, city, amount): `rows` rows, cities cycling through `cities`. */
export function makeSessionDb(dataDir: string, rows: number, cities: string[]): SessionDb {
  const id = randomUUID();
  const dir = join(dataDir, 'sessions', id);
  mkdirSync(dir, { recursive: true });
  const dbPath = join(dir, 'db.db');
  const db = new Database(dbPath);
  db.exec(`
    CREATE TABLE t (id INTEGER, city TEXT, amount REAL);
    CREATE TABLE _agentgraph_catalog (name TEXT, meta TEXT);
    INSERT INTO _agentgraph_catalog VALUES ('t', '{}');
  `);
  const insert = db.prepare('INSERT INTO t VALUES (?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run(i + 1, cities[i % cities.length], (i % 97) * 1.5);
  })();
  db.close();
  return { id, dir, dbPath };
}

export function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Hash of the db file plus the directory listing: a stray -journal or a VACUUM INTO target shows up too. */
export function fingerprint(session: SessionDb): string {
  return `${sha256(session.dbPath)} ${readdirSync(session.dir).sort().join(',')}`;
}

/** utime + stime (clock ticks) of a live process, or null when it no longer exists. */
export function cpuTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

/** Whether a process exists and is not a zombie. */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
