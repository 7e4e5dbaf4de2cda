import { existsSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import type { RedisSessionEvents, SessionEndedEvent } from '../../src/sessions/events.js';
import { makeServices, randomPrefix, shouldRunRedis, sleep, type TestServices } from '../helpers/services.js';

const modes: ('local' | 'redis')[] = ['local'];
if (await shouldRunRedis('SessionManager and CleanupService on Redis')) modes.push('redis');

async function expectCode(work: Promise<unknown>, code: string): Promise<void> {
  await expect(work).rejects.toSatisfy((error) => error instanceof AppError && error.code === code);
}

for (const mode of modes) {
  describe(`SessionManager (${mode})`, () => {
    let services: TestServices;
    afterEach(async () => services.dispose());

    it('creates the folder layout with an empty, valid SQLite db.db', async () => {
      services = makeServices(mode);
      const doc = await services.sessions.create('10.0.0.1');
      const dir = services.paths.dir(doc.session_id);
      expect(readdirSync(dir).sort()).toEqual(['cache', 'db.db', 'temp', 'uploads']);
      const db = new Database(join(dir, 'db.db'), { readonly: true, fileMustExist: true });
      expect(db.prepare('SELECT count(*) AS n FROM sqlite_master').get()).toEqual({ n: 0 });
      db.close();
      expect(doc.db_uri).toBe(`sqlite:sessions/${doc.session_id}/db.db`);
      expect(doc.selected_model).toBe('builtin');
      expect(doc.version).toBe(1);
      expect(await services.paths.validateSessionPaths(doc.session_id)).toMatchObject({
        valid_id: true,
        exists: true,
        inside_data_dir: true,
        missing: [],
        unexpected: [],
      });
    });

    it('refuses the sixth session of an IP with session_limit and creates no folder for it', async () => {
      services = makeServices(mode);
      for (let i = 0; i < 5; i++) await services.sessions.create('10.0.0.2');
      await expectCode(services.sessions.create('10.0.0.2'), 'session_limit');
      expect(readdirSync(services.paths.root)).toHaveLength(5);
    });

    it('100 concurrent creates from one IP give exactly 5 sessions and 5 folders', async () => {
      services = makeServices(mode);
      const results = await Promise.allSettled(
        Array.from({ length: 100 }, () => services.sessions.create('10.0.0.3')),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
      const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(rejected.every((r) => (r.reason as AppError).code === 'session_limit')).toBe(true);
      expect(readdirSync(services.paths.root)).toHaveLength(5);
    });

    it('validates ids before touching anything', async () => {
      services = makeServices(mode);
      for (const bad of ['../x', '%2e%2e%2f', '', 'not-a-uuid', '00000000-0000-0000-0000-000000000000']) {
        await expectCode(services.sessions.get(bad), 'bad_session_id');
        await expectCode(services.sessions.delete(bad), 'bad_session_id');
      }
      await expectCode(services.sessions.get('5f0c5a4e-1111-4111-8111-111111111111'), 'session_expired');
    });

    it('update validates known fields and normalises the table list', async () => {
      services = makeServices(mode);
      const { session_id } = await services.sessions.create('10.0.0.4');
      const updated = await services.sessions.update(session_id, {
        include_tables_key: 'zeta, alpha,zeta',
        top_k: 3,
      });
      expect(updated.include_tables_key).toBe('alpha,zeta');
      expect(updated.version).toBe(2);
      for (const bad of [
        { nope: 1 },
        { top_k: 'x' },
        { top_k: 0 },
        { include_tables_key: 'a;drop' },
        { language: 'fr' },
      ]) {
        await expectCode(services.sessions.update(session_id, bad), 'bad_input');
      }
      expect((await services.sessions.get(session_id)).version).toBe(2);
    });

    it('concurrent PATCH-style updates lose nothing', async () => {
      services = makeServices(mode, { OPENAI_API_KEY: 'sk-test', DEFAULT_MODEL: 'builtin' });
      const { session_id } = await services.sessions.create('10.0.0.5');
      await Promise.all([
        services.sessions.update(session_id, { top_k: 9 }),
        services.sessions.update(session_id, { advanced_mode: true }),
        services.sessions.update(session_id, { language: 'pt' }),
        services.sessions.update(session_id, { selected_model: 'gpt-4o' }),
        ...Array.from({ length: 20 }, () => services.sessions.apply(session_id, {}, { total_queries: 1 })),
      ]);
      const doc = await services.sessions.get(session_id);
      expect(doc).toMatchObject({
        top_k: 9,
        advanced_mode: true,
        language: 'pt',
        selected_model: 'gpt-4o',
        total_queries: 20,
        version: 3,
      });
    });

    it('delete removes entry, IP slot, folder and live objects, and publishes session-ended', async () => {
      services = makeServices(mode);
      const events: SessionEndedEvent[] = [];
      services.events.onEnded((event) => events.push(event));
      const sessions = [];
      for (let i = 0; i < 5; i++) sessions.push(await services.sessions.create('10.0.0.6'));
      const victim = sessions[0]!;
      let disposed = 0;
      services.objects.set(victim.session_id, 'db', { open: true }, () => {
        disposed += 1;
      });
      expect(await services.sessions.delete(victim.session_id)).toBe(true);
      expect(existsSync(services.paths.dir(victim.session_id))).toBe(false);
      expect(disposed).toBe(1);
      await expectCode(services.sessions.get(victim.session_id), 'session_expired');
      await services.sessions.create('10.0.0.6'); // the slot is free again
      await waitFor(() =>
        events.some((e) => e.session_ids.includes(victim.session_id) && e.reason === 'deleted'),
      );
    });

    it('refreshSize measures the folder and keeps the figure in the document', async () => {
      services = makeServices(mode);
      const { session_id } = await services.sessions.create('10.0.0.7');
      writeFileSync(join(services.paths.subdir(session_id, 'uploads'), 'a.csv'), 'x'.repeat(3000));
      const doc = await services.sessions.refreshSize(session_id);
      expect(doc.size_bytes).toBe(3000);
      expect(doc.session_size_mb).toBeCloseTo(3000 / 1024 / 1024, 3);
      expect((await services.sessions.stats()).total_size_bytes).toBe(3000);
    });
  });

  describe(`CleanupService (${mode})`, () => {
    let services: TestServices;
    afterEach(async () => services.dispose());

    it('removes expired sessions and orphan folders, leaves live ones and young folders', async () => {
      services = makeServices(mode, { SESSION_TTL: '1' }, { orphanGraceMs: 60_000 });
      const ended: string[] = [];
      services.events.onEnded((event) => ended.push(...event.session_ids));
      const expiring = await services.sessions.create('10.1.0.1');
      let disposed = false;
      services.objects.set(expiring.session_id, 'agent', {}, () => {
        disposed = true;
      });
      await sleep(1100);
      // created after the first expired, with a longer TTL through renewals (SESSION_TTL is 1 s: the run below
      // must not race its expiry on a loaded machine)
      const live = await services.sessions.create('10.1.0.2');
      expect(await services.store.touch(live.session_id, 60)).not.toBeNull();
      const oldOrphan = '3d5b0a4e-2222-4222-8222-222222222222';
      const youngOrphan = '3d5b0a4e-3333-4333-8333-333333333333';
      for (const name of [oldOrphan, youngOrphan, 'junk'])
        mkdirSync(join(services.paths.root, name), { recursive: true });
      const old = new Date(Date.now() - 3_600_000);
      utimesSync(join(services.paths.root, oldOrphan), old, old);
      utimesSync(join(services.paths.root, 'junk'), old, old);

      const report = await services.cleanup.run();
      expect(report).toMatchObject({ skipped: false, expired_removed: 1, orphans_removed: 2, errors: [] });
      const left = readdirSync(services.paths.root).sort();
      expect(left).toEqual([live.session_id, youngOrphan].sort());
      expect(disposed).toBe(true);
      expect(await services.sessions.peek(live.session_id)).not.toBeNull();
      await waitFor(() => ended.includes(expiring.session_id));
      const stats = await services.cleanup.stats();
      expect(stats.runs).toBe(1);
      expect(stats.total_expired_removed).toBe(1);
      expect(stats.last_run?.orphans_removed).toBe(2);
      expect((await services.sessions.stats()).active_sessions).toBe(1);
    });

    it('never runs twice at once, also across processes sharing the store', async () => {
      services = makeServices(mode);
      const token = await services.store.acquireLock('cleanup', 60_000); // another process is cleaning
      expect(token).toBeTruthy();
      const skipped = await services.cleanup.run();
      expect(skipped.skipped).toBe(true);
      await services.store.releaseLock('cleanup', token!);
      const [a, b] = await Promise.all([services.cleanup.run(), services.cleanup.run()]);
      expect(a).toBe(b); // same in-process run shared
      expect(a.skipped).toBe(false);
    });

    it('a session created during cleanup is never removed', async () => {
      // The session created during the run has the normal TTL: one of 1 s could expire while a slow run is still
      // going (and then rightly be removed). The three others are renewed for 1 s only, so they expire.
      services = makeServices(mode, {}, { orphanGraceMs: 0 });
      for (let i = 0; i < 3; i++) {
        const doc = await services.sessions.create(`10.2.0.${i}`);
        expect(await services.store.touch(doc.session_id, 1)).not.toBeNull();
      }
      await sleep(1100);
      const [report, fresh] = await Promise.all([
        services.cleanup.run(),
        services.sessions.create('10.2.1.1'),
      ]);
      expect(report.expired_removed).toBe(3);
      expect(statSync(services.paths.dir(fresh.session_id)).isDirectory()).toBe(true);
      expect(await services.sessions.peek(fresh.session_id)).not.toBeNull();
    });
  });
}

describe.runIf(modes.includes('redis'))('session-ended across processes (Redis pub/sub)', () => {
  it('a session deleted or expired in one process is dropped from every other process cache', async () => {
    const prefix = randomPrefix();
    const a = makeServices('redis', { SESSION_TTL: '1' }, { keyPrefix: prefix });
    const b = makeServices('redis', {}, { keyPrefix: prefix });
    try {
      await (b.events as RedisSessionEvents).ready();
      const deleted = await a.sessions.create('10.3.0.1');
      const expiring = await a.sessions.create('10.3.0.2');
      const disposed: string[] = [];
      for (const doc of [deleted, expiring]) {
        b.objects.set(doc.session_id, 'db', doc.session_id, (id) => void disposed.push(id));
      }
      await a.sessions.delete(deleted.session_id);
      await waitFor(() => disposed.includes(deleted.session_id));
      expect(b.objects.keysOf(deleted.session_id)).toEqual([]);
      expect(b.objects.keysOf(expiring.session_id)).toEqual(['db']);
      await sleep(1100);
      expect((await a.cleanup.run()).expired_removed).toBe(1);
      await waitFor(() => disposed.includes(expiring.session_id));
      expect(b.objects.stats().objects).toBe(0);
    } finally {
      await a.dispose();
      await b.dispose();
    }
  });
});

async function waitFor(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}
