/**
 * Issue 12, finding 4: one session asking "list all notes" on 1,000 rows × 24 KB appended 49 MB per answer to
 * cache/results.log and reached 5 GB against a 200 MB quota. Here (300 such rows: the sandbox now refuses results over
 * 8 MiB), over HTTP in embedded mode with a 40 MB quota:
 * each answer keeps at most one capped result, the session stays within its quota, a full session is refused with
 * 413 quota_exceeded saying what to do, and DELETE /api/session/history gives the space back.
 */
import { describe, expect, it } from 'vitest';
import { keptResultCap } from '../../src/engine/kept-result.js';
import { buildApp } from '../../src/http/app.js';
import { sessionWithUpload } from '../helpers/http.js';
import { notesCsv } from '../helpers/multipart.js';
import { cacheBytes, makeServices } from '../helpers/services.js';

const QUOTA_BYTES = 40 * 1024 * 1024;
/** 300 rows × 24 KB: a 7 MB result, under the sandbox's 8 MiB cap (1,000 such rows are refused as result_too_large). */
const ROWS = 300;
/** A history line: the question, the SQL, the answer clipped to 4 KB, JSON around them. */
const HISTORY_LINE_BYTES = 8 * 1024;

describe('the quota covers what answers store', () => {
  it('keeps one capped result per answer, stays within the quota, refuses a full session, and frees it on DELETE /api/session/history', async () => {
    const services = makeServices('local', { MAX_SESSION_SIZE_MB: String(QUOTA_BYTES / 1024 / 1024) });
    const app = await buildApp(services);
    try {
      const headers = await sessionWithUpload(app, { name: 'notes.csv', content: notesCsv(ROWS, 24 * 1024) });
      const id = headers['x-session-id']!;
      const ask = (lang = 'en') =>
        app.inject({
          method: 'POST',
          url: '/api/session/queries?wait=true',
          headers: { ...headers, 'accept-language': lang },
          payload: { question: 'list all notes' },
        });
      const get = async (url: string) => (await app.inject({ method: 'GET', url, headers })).json();
      const sizeBytes = async (): Promise<number> => (await get('/api/session')).session.size_bytes;

      const cache = services.paths.subdir(id, 'cache');
      const cap = keptResultCap(QUOTA_BYTES);
      let answered = 0;
      let refused = null;
      for (let i = 0; i < 40 && !refused; i++) {
        const before = cacheBytes(cache);
        const response = await ask();
        if (response.statusCode === 413) {
          refused = response.json();
          continue;
        }
        expect(response.statusCode).toBe(200);
        const live = response.json();
        // The asker gets every row of this answer, once.
        expect(live).toMatchObject({ status: 'done', row_count: ROWS });
        expect(live.rows).toHaveLength(ROWS);
        // What is kept says it was cut.
        const kept = await get(`/api/session/queries/${live.query_id}`);
        expect(kept).toMatchObject({
          status: 'done',
          row_count: ROWS,
          truncated: true,
          stored_truncated: true,
        });
        expect(kept.rows.length).toBeLessThan(ROWS);
        expect(cacheBytes(cache) - before).toBeLessThanOrEqual(cap + HISTORY_LINE_BYTES);
        // The session's size counts cache/ and never passes the quota.
        const size = await sizeBytes();
        expect(size).toBe(services.paths.measureSync(id));
        expect(size).toBeLessThanOrEqual(QUOTA_BYTES);
        answered += 1;
      }
      expect(answered).toBeGreaterThan(0);
      expect(refused?.error.code).toBe('quota_exceeded');
      expect(refused.error.message).toMatch(/deleting a table or clearing the question history/);
      const pt = await ask('pt-BR');
      expect([pt.statusCode, pt.json().error.code]).toEqual([413, 'quota_exceeded']);
      expect(pt.json().error.message).toMatch(/excluindo uma tabela ou limpando o histórico/);
      const full = await sizeBytes();
      expect(full).toBeLessThanOrEqual(QUOTA_BYTES);

      const cleared = await app.inject({ method: 'DELETE', url: '/api/session/history', headers });
      expect(cleared.statusCode).toBe(204);
      const after = await sizeBytes();
      expect(full - after).toBeGreaterThanOrEqual(answered * (cap / 2));
      expect(after).toBe(services.paths.measureSync(id));
      expect(cacheBytes(cache)).toBe(0);
      expect((await get('/api/session/history')).history).toEqual([]);
      // Room again: the next question is answered (and becomes the only history entry).
      const again = await ask();
      expect([again.statusCode, again.json().status]).toEqual([200, 'done']);
      const history = (await get('/api/session/history')).history as { query_id: string }[];
      expect(history.map((h) => h.query_id)).toEqual([again.json().query_id]);
    } finally {
      await app.close();
      await services.dispose();
    }
  }, 180_000);
});
