/**
 * ObjectManager: the per-session registry of live objects that cannot be stored (open better-sqlite3 handles,
 * agents). Bounded overall by an LRU so a worker holding thousands of sessions keeps its memory and file
 * descriptors in check; everything of a session is disposed when it ends (evictSession, wired to `session-ended`).
 */

export type Disposer<T> = (value: T) => void | Promise<void>;

interface Entry {
  sessionId: string;
  key: string;
  value: unknown;
  dispose: Disposer<unknown> | undefined;
}

export interface ObjectStats {
  sessions: number;
  objects: number;
  max_objects: number;
  hits: number;
  misses: number;
  evictions: number;
  per_session: Record<string, number>;
}

export class ObjectManager {
  /** Insertion order of a Map is the LRU order: a hit re-inserts the entry at the end. */
  private readonly entries = new Map<string, Entry>();
  private readonly bySession = new Map<string, Set<string>>();
  private hits = 0;
  private misses = 0;
  private evictions = 0;

  constructor(
    private readonly maxObjects = 1000,
    private readonly onDisposeError: (
      error: unknown,
      entry: { sessionId: string; key: string },
    ) => void = () => {},
  ) {}

  private static id(sessionId: string, key: string): string {
    return `${sessionId}\u0000${key}`;
  }

  get<T>(sessionId: string, key: string): T | undefined {
    const id = ObjectManager.id(sessionId, key);
    const entry = this.entries.get(id);
    if (!entry) {
      this.misses += 1;
      return undefined;
    }
    this.hits += 1;
    this.entries.delete(id);
    this.entries.set(id, entry);
    return entry.value as T;
  }

  set<T>(sessionId: string, key: string, value: T, dispose?: Disposer<T>): void {
    const id = ObjectManager.id(sessionId, key);
    const previous = this.entries.get(id);
    if (previous && previous.value !== value) this.disposeEntry(previous);
    this.entries.delete(id);
    this.entries.set(id, { sessionId, key, value, dispose: dispose as Disposer<unknown> | undefined });
    const keys = this.bySession.get(sessionId) ?? new Set<string>();
    this.bySession.set(sessionId, keys);
    keys.add(key);
    while (this.entries.size > this.maxObjects) {
      const oldest = this.entries.values().next().value as Entry;
      this.remove(oldest);
      this.evictions += 1;
    }
  }

  getOrCreate<T>(sessionId: string, key: string, create: () => T, dispose?: Disposer<T>): T {
    const found = this.get<T>(sessionId, key);
    if (found !== undefined) return found;
    const value = create();
    this.set(sessionId, key, value, dispose);
    return value;
  }

  /** Removes one object (e.g. a cache entry whose key went stale). */
  delete(sessionId: string, key: string): boolean {
    const entry = this.entries.get(ObjectManager.id(sessionId, key));
    if (!entry) return false;
    this.remove(entry);
    return true;
  }

  /** Disposes everything the session holds; returns how many objects went. */
  evictSession(sessionId: string): number {
    const keys = this.bySession.get(sessionId);
    if (!keys) return 0;
    let count = 0;
    for (const key of [...keys]) {
      const entry = this.entries.get(ObjectManager.id(sessionId, key));
      if (entry) {
        this.remove(entry);
        count += 1;
      }
    }
    this.bySession.delete(sessionId);
    return count;
  }

  keysOf(sessionId: string): string[] {
    return [...(this.bySession.get(sessionId) ?? [])];
  }

  stats(): ObjectStats {
    const per_session: Record<string, number> = {};
    for (const [sessionId, keys] of this.bySession) per_session[sessionId] = keys.size;
    return {
      sessions: this.bySession.size,
      objects: this.entries.size,
      max_objects: this.maxObjects,
      hits: this.hits,
      misses: this.misses,
      evictions: this.evictions,
      per_session,
    };
  }

  /** Disposes everything (process shutdown). */
  clear(): void {
    for (const entry of [...this.entries.values()]) this.remove(entry);
  }

  private remove(entry: Entry): void {
    this.entries.delete(ObjectManager.id(entry.sessionId, entry.key));
    const keys = this.bySession.get(entry.sessionId);
    keys?.delete(entry.key);
    if (keys && keys.size === 0) this.bySession.delete(entry.sessionId);
    this.disposeEntry(entry);
  }

  private disposeEntry(entry: Entry): void {
    if (!entry.dispose) return;
    try {
      const result = entry.dispose(entry.value);
      if (result instanceof Promise) {
        result.catch((error) => this.onDisposeError(error, entry));
      }
    } catch (error) {
      this.onDisposeError(error, entry);
    }
  }
}
