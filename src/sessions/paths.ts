/**
 * SessionPaths: the on-disk layout of sessions and the only place that turns a session id into a path.
 *
 *   DATA_DIR/sessions/{id}/db.db      the session's SQLite (an empty file is a valid empty database)
 *                         /uploads/   original files
 *                         /temp/      in-flight work (cleaned on open)
 *                         /cache/     derived data (conversation memory, results)
 *
 * Ids are checked against the UUID v4 pattern before any file-system use, and every join is verified to stay
 * inside the session's folder, so neither `../x` nor an encoded variant can reach another path.
 */
import { randomBytes } from 'node:crypto';
import { type Dirent, readdirSync, statSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { AppError } from '../errors.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** A single path segment: no separators, no NUL, not `.` or `..`, within common file-system limits. */
function isPlainName(name: string): boolean {
  return name.length > 0 && name.length <= 255 && !/[/\\\0]/.test(name) && name !== '.' && name !== '..';
}

const SUBDIRS = ['uploads', 'temp', 'cache'] as const;
export type SessionSubdir = (typeof SUBDIRS)[number];

export interface PathReport {
  session_id: string;
  valid_id: boolean;
  dir: string | null;
  inside_data_dir: boolean;
  exists: boolean;
  missing: string[];
  unexpected: string[];
  size_bytes: number;
}

export class SessionPaths {
  readonly dataDir: string;
  readonly root: string;
  private readonly trash: string;
  private purging: Promise<number> | null = null;

  constructor(dataDir: string) {
    this.dataDir = resolve(dataDir);
    this.root = join(this.dataDir, 'sessions');
    this.trash = join(this.dataDir, 'trash');
  }

  static isValidId(id: unknown): id is string {
    return typeof id === 'string' && UUID_V4.test(id);
  }

  /** The session's folder; throws bad_session_id for anything that is not a UUID v4. */
  dir(id: string): string {
    if (!SessionPaths.isValidId(id)) throw new AppError('bad_session_id');
    return join(this.root, id);
  }

  dbPath(id: string): string {
    return join(this.dir(id), 'db.db');
  }

  subdir(id: string, name: SessionSubdir): string {
    return join(this.dir(id), name);
  }

  /** `db_uri` as stored in the session document: relative to DATA_DIR (see SessionDoc.db_uri). */
  dbUri(id: string): string {
    return `sqlite:sessions/${id}/db.db`;
  }

  /**
   * A path inside one of the session's folders from untrusted name segments (e.g. an uploaded file name).
   * Rejects separators, `..`, NUL and anything that would resolve outside the session's folder.
   */
  safeJoin(id: string, subdir: SessionSubdir, name: string): string {
    const base = this.subdir(id, subdir);
    if (!isPlainName(name)) {
      throw new AppError('bad_input', { detail: `unsafe file name ${JSON.stringify(name.slice(0, 80))}` });
    }
    const target = resolve(base, name);
    const rel = relative(base, target);
    if (!rel || rel.startsWith('..') || isAbsolute(rel) || rel.includes(sep)) {
      throw new AppError('bad_input', { detail: `unsafe file name ${JSON.stringify(name.slice(0, 80))}` });
    }
    return target;
  }

  /** Creates the folder, its subfolders and an empty db.db. */
  async createLayout(id: string): Promise<void> {
    const dir = this.dir(id);
    await mkdir(dir, { recursive: true });
    // Side by side: on a disk where each creation takes up to a millisecond, four in a row would show.
    await Promise.all([
      ...SUBDIRS.map((name) => mkdir(join(dir, name), { recursive: true })),
      writeFile(join(dir, 'db.db'), '', { flag: 'a' }),
    ]);
  }

  /**
   * Removes the session's folder from sight at once: one rename into DATA_DIR/trash (same file system, atomic),
   * so the folder is gone for every reader immediately; purgeTrash() deletes the contents later. Removing a
   * folder tree file by file costs ~0.3 ms a session here, which would make ending sessions in bulk slow.
   */
  async remove(id: string): Promise<void> {
    const dir = this.dir(id);
    await mkdir(this.trash, { recursive: true });
    try {
      await rename(dir, join(this.trash, `${id}.${randomBytes(4).toString('hex')}`));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      // Not renameable (e.g. a file held open on Windows): fall back to removing it in place.
      await rm(dir, { recursive: true, force: true, maxRetries: 3 });
    }
  }

  /**
   * Deletes what remove() moved aside (and leftovers of a crash). Single-flight: callers share the purge in
   * progress, which keeps going until the trash is empty, so nothing moved aside meanwhile is left behind.
   */
  purgeTrash(): Promise<number> {
    this.purging ??= (async () => {
      let purged = 0;
      for (;;) {
        let names: string[];
        try {
          names = await readdir(this.trash);
        } catch {
          return purged;
        }
        if (names.length === 0) return purged;
        await Promise.all(
          names.map((name) => rm(join(this.trash, name), { recursive: true, force: true, maxRetries: 3 })),
        );
        purged += names.length;
      }
    })().finally(() => {
      this.purging = null;
    });
    return this.purging;
  }

  /** Removes a folder under sessions/ by its raw name (orphans may have names that are not valid ids). */
  async removeEntry(name: string): Promise<void> {
    if (!isPlainName(name)) return;
    await rm(join(this.root, name), { recursive: true, force: true, maxRetries: 3 });
  }

  /**
   * Bytes on disk under the session's folder. A walk of a handful of files: called after writes (upload, import,
   * drop) and by an import as it starts, never per request; the result is kept in the session document.
   */
  measureSync(id: string): number {
    return walkSize(this.dir(id));
  }

  async measure(id: string): Promise<number> {
    return this.measureSync(id);
  }

  /** Names of the entries under sessions/ (a plain readdir: no stat per entry). */
  async listSessionDirs(): Promise<string[]> {
    try {
      return await readdir(this.root);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  /** Last modification time (epoch ms) of an entry under sessions/, or null when it is gone. */
  async entryMtimeMs(name: string): Promise<number | null> {
    if (!isPlainName(name)) return null;
    try {
      return (await stat(join(this.root, name))).mtimeMs;
    } catch {
      return null;
    }
  }

  /** For troubleshooting: what is (and is not) where it should be for this id. */
  async validateSessionPaths(id: string): Promise<PathReport> {
    const report: PathReport = {
      session_id: id,
      valid_id: SessionPaths.isValidId(id),
      dir: null,
      inside_data_dir: false,
      exists: false,
      missing: [],
      unexpected: [],
      size_bytes: 0,
    };
    if (!report.valid_id) return report;
    const dir = this.dir(id);
    report.dir = dir;
    report.inside_data_dir = !relative(this.dataDir, dir).startsWith('..');
    let present: string[];
    try {
      present = await readdir(dir);
    } catch {
      report.missing = ['db.db', ...SUBDIRS];
      return report;
    }
    report.exists = true;
    const expected = ['db.db', ...SUBDIRS];
    report.missing = expected.filter((name) => !present.includes(name));
    report.unexpected = present.filter((name) => !expected.includes(name) && !name.startsWith('db.db-'));
    report.size_bytes = await this.measure(id);
    return report;
  }
}

function walkSize(path: string): number {
  let entries: Dirent[];
  try {
    entries = readdirSync(path, { withFileTypes: true });
  } catch {
    return 0;
  }
  let total = 0;
  for (const entry of entries) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) total += walkSize(child);
    else {
      try {
        total += statSync(child).size;
      } catch {
        // removed meanwhile
      }
    }
  }
  return total;
}
