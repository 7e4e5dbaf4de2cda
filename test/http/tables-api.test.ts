import { readdirSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { PAGE_SIZE } from '../../src/data/db.js';
import { buildApp } from '../../src/http/app.js';
import { BOUNDARY, multipart } from '../helpers/multipart.js';
import { makeServices, sleep, type TestServices } from '../helpers/services.js';
import { openUpload } from '../reliability/attacks.js';

/** A Brazilian spreadsheet export: Windows-1252 (Latin-1 for these characters), `;`, CRLF, dd/mm/yyyy, 1.234,56. */
function latin1Csv(rows = 50): Buffer {
  const lines = ['Data do Pedido;Região;Preço Unitário;Quantidade'];
  const regions = ['Sul', 'Sudeste', 'Nordeste'];
  for (let i = 0; i < rows; i++) {
    lines.push(
      `${String((i % 28) + 1).padStart(2, '0')}/03/2023;${regions[i % 3]};1.${String(100 + i)},50;${i + 1}`,
    );
  }
  return Buffer.from(`${lines.join('\r\n')}\r\n`, 'latin1');
}

describe('tables HTTP API', () => {
  let services: TestServices;
  let app: FastifyInstance;

  async function start(env: Record<string, string> = {}) {
    services = makeServices('local', env);
    app = await buildApp(services);
    const created = await app.inject({ method: 'POST', url: '/api/sessions' });
    return created.json().session.session_id as string;
  }

  function upload(id: string, body: Buffer, query = '', lang = 'en') {
    return app.inject({
      method: 'POST',
      url: `/api/session/uploads${query}`,
      headers: {
        'x-session-id': id,
        'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
        'accept-language': lang,
      },
      payload: body,
    });
  }

  afterEach(async () => {
    await app.close();
    await services.dispose();
  });

  it('imports a Latin-1 `;` CSV into a typed table; lists, previews and drops it; the session follows', async () => {
    const id = await start();
    const response = await upload(id, multipart({ name: 'Vendas Março.csv', content: latin1Csv() }));
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body.table).toEqual({
      name: 'vendas_marco',
      label: 'Vendas Março.csv',
      rows: 50,
      columns: [
        { name: 'data_do_pedido', label: 'Data do Pedido', type: 'date' },
        { name: 'regiao', label: 'Região', type: 'text' },
        { name: 'preco_unitario', label: 'Preço Unitário', type: 'real' },
        { name: 'quantidade', label: 'Quantidade', type: 'integer' },
      ],
    });
    expect(body.warnings).toEqual([]);
    expect(body.source).toMatchObject({ format: 'csv', delimiter: ';', original_kept: true });
    expect(body.timings.total_ms).toBeGreaterThan(0);
    expect(body.session.tables).toEqual(['vendas_marco']);
    expect(body.session.version).toBe(2);

    const headers = { 'x-session-id': id };
    const listed = (await app.inject({ method: 'GET', url: '/api/session/tables', headers })).json();
    expect(listed.tables.map((t: { name: string }) => t.name)).toEqual(['vendas_marco']);
    expect(listed.tables[0].columns[1].top_values.map((v: { value: string }) => v.value).sort()).toEqual([
      'Nordeste',
      'Sudeste',
      'Sul',
    ]);

    const preview = await app.inject({
      method: 'GET',
      url: '/api/session/tables/vendas_marco?limit=2',
      headers,
    });
    expect(preview.json().rows).toEqual([
      ['2023-03-01', 'Sul', 1100.5, 1],
      ['2023-03-02', 'Sudeste', 1101.5, 2],
    ]);
    expect(preview.json().total).toBe(50);

    const session = (await app.inject({ method: 'GET', url: '/api/session', headers })).json().session;
    expect(session.size_bytes).toBeGreaterThan(latin1Csv().length); // original kept + database
    expect(readdirSync(services.paths.subdir(id, 'uploads'))).toHaveLength(1);

    const dropped = await app.inject({ method: 'DELETE', url: '/api/session/tables/vendas_marco', headers });
    expect(dropped.statusCode).toBe(204);
    const after = (await app.inject({ method: 'GET', url: '/api/session', headers })).json().session;
    expect(after.tables).toEqual([]);
    expect(after.version).toBe(3);
    const missing = await app.inject({ method: 'GET', url: '/api/session/tables/vendas_marco', headers });
    expect(missing.statusCode).toBe(404);
    expect(
      (await app.inject({ method: 'DELETE', url: '/api/session/tables/nope', headers })).statusCode,
    ).toBe(404);
  });

  it('the same file twice gets `_2`; a chosen table name is used', async () => {
    const id = await start();
    const file = { name: 'dados.csv', content: Buffer.from('a,b\n1,2\n') };
    expect((await upload(id, multipart(file))).json().table.name).toBe('dados');
    expect((await upload(id, multipart(file))).json().table.name).toBe('dados_2');
    expect((await upload(id, multipart(file, { table: 'minha_tabela' }))).json().table.name).toBe(
      'minha_tabela',
    );
    expect((await upload(id, multipart(file), '?table=outra')).json().table.name).toBe('outra');
  });

  it('bad uploads get a clear code and leave the session unchanged', async () => {
    const id = await start({ MAX_SESSION_SIZE_MB: '1' });
    const headers = { 'x-session-id': id };
    const before = (await app.inject({ method: 'GET', url: '/api/session', headers })).json().session;
    const big = Buffer.from(`a,b\n${'123456789,abcdefghij\n'.repeat(80_000)}`); // ~1.7 MB
    const cases: { body: Buffer; query?: string; status: number; code: string }[] = [
      { body: multipart({ name: 'big.csv', content: big }), status: 413, code: 'quota_exceeded' },
      {
        body: multipart({ name: 'empty.csv', content: Buffer.alloc(0) }),
        status: 422,
        code: 'unprocessable_file',
      },
      {
        body: multipart({ name: 'x.csv', content: Buffer.from('a,b\n"1,2\n') }),
        status: 422,
        code: 'unprocessable_file',
      },
      {
        body: multipart({ name: 'x.csv', content: Buffer.from('a,b\n1,2\n') }, { table: '../../x' }),
        status: 400,
        code: 'bad_input',
      },
      {
        body: multipart({ name: 'x.csv', content: Buffer.from('a,b\n1,2\n') }, { table: 'sqlite_master' }),
        status: 400,
        code: 'bad_input',
      },
      {
        body: multipart({ name: 'x.csv', content: Buffer.from('a,b\n1,2\n') }),
        query: '?bogus=1',
        status: 400,
        code: 'bad_input',
      },
    ];
    for (const { body, query, status, code } of cases) {
      const en = await upload(id, body, query);
      expect([en.statusCode, en.json().error.code]).toEqual([status, code]);
      const pt = await upload(id, body, query, 'pt-BR');
      expect(pt.json().error.code).toBe(code);
      expect(pt.json().error.message).not.toBe(en.json().error.message);
    }
    const notMultipart = await app.inject({
      method: 'POST',
      url: '/api/session/uploads',
      headers: { ...headers, 'content-type': 'application/json' },
      payload: '{}',
    });
    expect([notMultipart.statusCode, notMultipart.json().error.code]).toEqual([
      415,
      'unsupported_media_type',
    ]);
    const noFile = await app.inject({
      method: 'POST',
      url: '/api/session/uploads',
      headers: { ...headers, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
      payload: Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="table"\r\n\r\nx\r\n--${BOUNDARY}--\r\n`,
      ),
    });
    expect([noFile.statusCode, noFile.json().error.code]).toEqual([400, 'bad_input']);

    const after = (await app.inject({ method: 'GET', url: '/api/session', headers })).json().session;
    expect(after.tables).toEqual([]);
    expect(after.version).toBe(before.version);
    // The document stays true to the disk; at most SQLite's one-page header of the once-empty db.db was written.
    expect(after.size_bytes).toBe(await services.paths.measure(id));
    expect(after.size_bytes - before.size_bytes).toBeLessThanOrEqual(PAGE_SIZE);
    expect(readdirSync(services.paths.subdir(id, 'uploads'))).toEqual([]);
    expect(readdirSync(services.paths.subdir(id, 'temp'))).toEqual([]);
  });

  it('two uploads into one session at once both land whole (imports take turns)', async () => {
    const id = await start();
    const big = (n: number) => `a,b\n${Array.from({ length: n }, (_, i) => `${i},x${i % 7}`).join('\n')}\n`;
    const [first, second] = await Promise.all([
      upload(id, multipart({ name: 'um.csv', content: big(30_000) })),
      upload(id, multipart({ name: 'dois.csv', content: big(20_000) })),
    ]);
    expect([first.statusCode, second.statusCode]).toEqual([201, 201]);
    expect([first.json().table.rows, second.json().table.rows]).toEqual([30_000, 20_000]);
    const session = (
      await app.inject({ method: 'GET', url: '/api/session', headers: { 'x-session-id': id } })
    ).json().session;
    expect(session.tables).toEqual(['dois', 'um']);
    expect(session.size_bytes).toBe(await services.paths.measure(id));
  });

  it('an upload to an expired session is refused', async () => {
    const id = await start({ SESSION_TTL: '1' });
    await sleep(1100);
    const response = await upload(id, multipart({ name: 'x.csv', content: Buffer.from('a\n1\n') }));
    expect([response.statusCode, response.json().error.code]).toEqual([404, 'session_expired']);
  });

  it('a client that disconnects mid-upload leaves the session as it was', async () => {
    const id = await start();
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const uploads = services.paths.subdir(id, 'uploads');
    const temp = services.paths.subdir(id, 'temp');
    let started = false;
    await new Promise<void>((resolve) => {
      const req = openUpload(port, id, 'slow.csv', 50_000_000);
      req.on('error', () => undefined);
      req.write('a,b\n');
      // Keep sending until the upload is surely under way (its spooled copy exists in temp/), then vanish.
      const timer = setInterval(() => {
        req.write('1,2\n'.repeat(5000));
        started ||= readdirSync(temp).length > 0;
        if (started) {
          clearInterval(timer);
          req.destroy();
          resolve();
        }
      }, 10);
    });
    expect(started).toBe(true);
    const leftovers = () => [...readdirSync(temp), ...readdirSync(uploads)];
    const deadline = Date.now() + 15_000;
    while (leftovers().length > 0 && Date.now() < deadline) await sleep(50);
    const headers = { 'x-session-id': id };
    const session = (await app.inject({ method: 'GET', url: '/api/session', headers })).json().session;
    expect(session.tables).toEqual([]);
    expect((await app.inject({ method: 'GET', url: '/api/session/tables', headers })).json().tables).toEqual(
      [],
    );
    expect(readdirSync(services.paths.subdir(id, 'temp'))).toEqual([]);
    expect(readdirSync(services.paths.subdir(id, 'uploads'))).toEqual([]);
  });
});
