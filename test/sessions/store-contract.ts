/**
 * The SessionStore contract: one suite, run against every implementation (local-store.test.ts,
 * redis-store.test.ts), so embedded and scaled mode cannot drift apart.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newSessionDoc, type SessionDoc } from '../../src/sessions/session.js';
import type { SessionStore } from '../../src/sessions/store.js';
import { sleep } from '../helpers/services.js';

export interface StoreHarness {
  store: SessionStore;
  dispose(): Promise<void>;
}

const TTL = 60;

function doc(ip = '10.0.0.1', id = randomUUID()): SessionDoc {
  return newSessionDoc({
    session_id: id,
    client_ip: ip,
    selected_model: 'builtin',
    db_uri: `sqlite:sessions/${id}/db.db`,
  });
}

async function createOk(
  store: SessionStore,
  d: SessionDoc,
  ttlSeconds = TTL,
  maxPerIp = 5,
): Promise<SessionDoc> {
  const created = await store.create(d, { ttlSeconds, maxPerIp });
  if (created === 'limit') throw new Error('unexpected limit');
  return created;
}

export function storeContract(name: string, make: () => Promise<StoreHarness>): void {
  describe(`SessionStore contract: ${name}`, () => {
    let harness: StoreHarness;
    let store: SessionStore;

    beforeEach(async () => {
      harness = await make();
      store = harness.store;
    });
    afterEach(async () => {
      await harness.dispose();
    });

    it('creates a session with the seed fields and clock fields from the store', async () => {
      const before = Date.now() / 1000;
      const created = await createOk(store, doc());
      expect(created.created_at).toBeGreaterThanOrEqual(before - 1);
      expect(created.last_seen).toBe(created.created_at);
      expect(created.expires_at).toBeCloseTo(created.created_at + TTL, 3);
      const read = await store.peek(created.session_id);
      expect(read).toEqual(created);
      expect(Object.keys(read!).sort()).toEqual(Object.keys(doc()).sort());
    });

    it('keeps types of every field through a round trip', async () => {
      const created = await createOk(store, doc());
      const read = (await store.peek(created.session_id))!;
      expect(typeof read.version).toBe('number');
      expect(typeof read.advanced_mode).toBe('boolean');
      expect(read.processing_model).toBeNull();
      expect(read.tables).toEqual([]);
      expect(read.last_query).toBeNull();
    });

    it('touch renews the TTL; peek does not', async () => {
      const created = await createOk(store, doc(), 2);
      await sleep(300);
      const peeked = (await store.peek(created.session_id))!;
      expect(peeked.expires_at).toBeCloseTo(created.expires_at, 3);
      const touched = (await store.touch(created.session_id, 2))!;
      expect(touched.last_seen).toBeGreaterThan(created.last_seen);
      expect(touched.expires_at).toBeGreaterThan(created.expires_at);
    });

    it('an expired session is gone for every caller before any cleanup', async () => {
      const created = await createOk(store, doc(), 1);
      await sleep(1200);
      expect(await store.peek(created.session_id)).toBeNull();
      expect(await store.touch(created.session_id, 60)).toBeNull();
      expect(await store.update(created.session_id, { set: { top_k: 3 } })).toBeNull();
      expect((await store.stats()).active_sessions).toBe(0);
    });

    it('a sliding TTL keeps a used session alive past its first expiry', async () => {
      // TTL 2 s, used every 400 ms: 1.6 s of slack per renewal for a loaded machine (1 s TTL left only 600 ms).
      const created = await createOk(store, doc(), 2);
      const started = Date.now();
      while (Date.now() - started < 3000) {
        await sleep(400);
        expect(await store.touch(created.session_id, 2)).not.toBeNull();
      }
      expect(await store.peek(created.session_id)).not.toBeNull();
    });

    it('limits live sessions per IP, and an expired or deleted session frees its slot at once', async () => {
      const ip = '10.1.1.1';
      const first = await createOk(store, doc(ip), 1, 2);
      const second = await createOk(store, doc(ip), 60, 2);
      expect(await store.create(doc(ip), { ttlSeconds: 60, maxPerIp: 2 })).toBe('limit');
      expect(await store.create(doc('10.1.1.2'), { ttlSeconds: 60, maxPerIp: 2 })).not.toBe('limit');
      await store.delete(second.session_id);
      const third = await createOk(store, doc(ip), 60, 2);
      expect(await store.create(doc(ip), { ttlSeconds: 60, maxPerIp: 2 })).toBe('limit');
      await sleep(1200); // `first` expires: its slot frees without any cleanup run
      await createOk(store, doc(ip), 60, 2);
      expect(first.session_id).not.toBe(third.session_id);
    });

    it('100 concurrent creates from one IP give exactly the limit', async () => {
      const results = await Promise.all(
        Array.from({ length: 100 }, () => store.create(doc('10.2.2.2'), { ttlSeconds: 60, maxPerIp: 5 })),
      );
      expect(results.filter((r) => r !== 'limit')).toHaveLength(5);
      expect((await store.stats()).per_ip['10.2.2.2']).toBe(5);
    });

    it('update bumps version only when an answer-changing field changes value', async () => {
      const created = await createOk(store, doc());
      const id = created.session_id;
      const a = (await store.update(id, { set: { top_k: 5 } }))!;
      expect(a.top_k).toBe(5);
      expect(a.version).toBe(created.version + 1);
      const same = (await store.update(id, { set: { top_k: 5 } }))!;
      expect(same.version).toBe(a.version);
      const notVersioned = (await store.update(id, { set: { advanced_mode: true, language: 'pt' } }))!;
      expect(notVersioned.version).toBe(a.version);
      expect(notVersioned.advanced_mode).toBe(true);
      expect(notVersioned.language).toBe('pt');
      const tables = (await store.update(id, { set: { tables: ['a', 'b'], include_tables_key: 'a' } }))!;
      expect(tables.version).toBe(a.version + 1); // two versioned fields in one update: one bump
      expect(tables.tables).toEqual(['a', 'b']);
      const sameTables = (await store.update(id, { set: { tables: ['a', 'b'] } }))!;
      expect(sameTables.version).toBe(tables.version);
    });

    it('concurrent updates lose nothing', async () => {
      const created = await createOk(store, doc());
      const id = created.session_id;
      await Promise.all([
        ...Array.from({ length: 50 }, () => store.update(id, { increment: { total_queries: 1 } })),
        store.update(id, { set: { top_k: 7 } }),
        store.update(id, { set: { advanced_mode: true } }),
        store.update(id, { set: { language: 'en' } }),
      ]);
      const read = (await store.peek(id))!;
      expect(read.total_queries).toBe(50);
      expect(read.top_k).toBe(7);
      expect(read.advanced_mode).toBe(true);
      expect(read.language).toBe('en');
      expect(read.version).toBe(created.version + 1);
    });

    it('delete removes the entry and reports what it removed, once', async () => {
      const created = await createOk(store, doc('10.3.3.3'));
      expect(await store.delete(created.session_id)).toEqual({
        session_id: created.session_id,
        client_ip: '10.3.3.3',
      });
      expect(await store.peek(created.session_id)).toBeNull();
      expect(await store.delete(created.session_id)).toBeNull();
      expect((await store.existing([created.session_id])).size).toBe(0);
    });

    it('claimExpired takes only expired sessions, each once', async () => {
      const live = await createOk(store, doc('10.4.4.4'), 60);
      const dying = await Promise.all([1, 2, 3].map(() => createOk(store, doc('10.4.4.5'), 1)));
      await sleep(1200);
      const [a, b] = await Promise.all([store.claimExpired(2), store.claimExpired(2)]);
      const claimed = [...a, ...b].map((s) => s.session_id).sort();
      expect(claimed).toEqual(dying.map((d) => d.session_id).sort());
      expect([...a, ...b].every((s) => s.client_ip === '10.4.4.5')).toBe(true);
      expect(await store.claimExpired(10)).toEqual([]);
      expect(await store.peek(live.session_id)).not.toBeNull();
      expect([...(await store.existing([live.session_id, dying[0]!.session_id]))]).toEqual([live.session_id]);
    });

    it('stats count live sessions, sizes and per-IP use', async () => {
      const a = await createOk(store, doc('10.5.5.1'));
      await createOk(store, doc('10.5.5.1'));
      await createOk(store, doc('10.5.5.2'));
      await store.update(a.session_id, { set: { size_bytes: 1000 } });
      await store.update(a.session_id, { set: { size_bytes: 1500 } });
      let stats = await store.stats();
      expect(stats.active_sessions).toBe(3);
      expect(stats.total_size_bytes).toBe(1500);
      expect(stats.per_ip).toEqual({ '10.5.5.1': 2, '10.5.5.2': 1 });
      await store.delete(a.session_id);
      stats = await store.stats();
      expect(stats.active_sessions).toBe(2);
      expect(stats.total_size_bytes).toBe(0);
      expect(stats.per_ip).toEqual({ '10.5.5.1': 1, '10.5.5.2': 1 });
    });

    it('incrementing size_bytes keeps session_size_mb and the total in step', async () => {
      const created = await createOk(store, doc('10.6.6.6'));
      await store.update(created.session_id, { set: { size_bytes: 1_000_000 } });
      await Promise.all(
        Array.from({ length: 10 }, () =>
          store.update(created.session_id, { increment: { size_bytes: 100_000 } }),
        ),
      );
      const read = (await store.peek(created.session_id))!;
      expect(read.size_bytes).toBe(2_000_000);
      expect(read.session_size_mb).toBe(1.907);
      expect((await store.stats()).total_size_bytes).toBe(2_000_000);
    });

    it('a lock is held by one owner until released or expired', async () => {
      const token = await store.acquireLock('job', 60_000);
      expect(token).toBeTruthy();
      expect(await store.acquireLock('job', 60_000)).toBeNull();
      await store.releaseLock('job', 'not-the-token');
      expect(await store.acquireLock('job', 60_000)).toBeNull();
      await store.releaseLock('job', token!);
      const short = await store.acquireLock('job', 200);
      expect(short).toBeTruthy();
      await sleep(300);
      expect(await store.acquireLock('job', 60_000)).toBeTruthy();
    });

    it('keeps the last cleanup report', async () => {
      expect(await store.lastCleanupReport()).toBeNull();
      const report = {
        started_at: 1,
        duration_ms: 2,
        purge_ms: 1,
        expired_removed: 3,
        orphans_removed: 4,
        orphan_scan: true,
        errors: [],
        by: 'test',
      };
      await store.saveCleanupReport(report);
      expect(await store.lastCleanupReport()).toEqual(report);
    });

    it('answers ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
