import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { PAGE_SIZE } from '../../src/data/db.js';
import { cleanLeftovers, dropTable, importFile, readCatalog, readPage } from '../../src/data/index.js';
import {
  bytes,
  chunked,
  cp1252,
  expectFailure,
  gzip,
  load,
  newSession,
  query,
  removeSessions,
  snapshot,
  xlsx,
} from './helpers.js';

afterEach(removeSessions);

const VENDAS =
  'Data do Pedido;Região;Preço Unitário;Quantidade;Desconto (%);Código;Entrega\r\n' +
  '31/12/2023;Sul;R$ 1.467,97;3;12,5%;00501;31/12/2023 18:05\r\n' +
  '01/02/2023;Norte;1.234,56;10;5%;00123;01/02/2023 08:00\r\n' +
  '15/06/2022;Nordeste;12,5;;NULL;00042;15/06/2022 23:59\r\n';

function schemaTypes(s: ReturnType<typeof newSession>, table: string): Record<string, string> {
  const rows = query<{ name: string; type: string }>(s, `SELECT name, type FROM pragma_table_info(?)`, table);
  return Object.fromEntries(rows.map((r) => [r.name, r.type]));
}

describe('CSV import', () => {
  it('imports a Brazilian export: names, labels, types and values', async () => {
    const s = newSession();
    const r = await load(s, 'Vendas 2023.csv', cp1252(VENDAS));
    expect(r.encoding).toBe('windows-1252');
    expect(r.delimiter).toBe(';');
    const t = r.tables[0]!;
    expect(t.name).toBe('vendas_2023');
    expect(t.rows).toBe(3);
    // A fresh session database gets the importer's page size and incremental auto-vacuum.
    expect(query(s, 'SELECT * FROM pragma_page_size, pragma_auto_vacuum')).toEqual([
      { page_size: PAGE_SIZE, auto_vacuum: 2 },
    ]);
    expect(t.columns).toEqual([
      { name: 'data_do_pedido', label: 'Data do Pedido', type: 'date' },
      { name: 'regiao', label: 'Região', type: 'text' },
      { name: 'preco_unitario', label: 'Preço Unitário', type: 'real' },
      { name: 'quantidade', label: 'Quantidade', type: 'integer' },
      { name: 'desconto', label: 'Desconto (%)', type: 'real' },
      { name: 'codigo', label: 'Código', type: 'text' },
      { name: 'entrega', label: 'Entrega', type: 'datetime' },
    ]);
    expect(query(s, 'SELECT * FROM vendas_2023 ORDER BY rowid')).toEqual([
      {
        data_do_pedido: '2023-12-31',
        regiao: 'Sul',
        preco_unitario: 1467.97,
        quantidade: 3,
        desconto: 12.5,
        codigo: '00501',
        entrega: '2023-12-31 18:05:00',
      },
      {
        data_do_pedido: '2023-02-01',
        regiao: 'Norte',
        preco_unitario: 1234.56,
        quantidade: 10,
        desconto: 5,
        codigo: '00123',
        entrega: '2023-02-01 08:00:00',
      },
      {
        data_do_pedido: '2022-06-15',
        regiao: 'Nordeste',
        preco_unitario: 12.5,
        quantidade: null,
        desconto: null,
        codigo: '00042',
        entrega: '2022-06-15 23:59:00',
      },
    ]);
    expect(schemaTypes(s, 'vendas_2023')).toMatchObject({
      data_do_pedido: 'DATE',
      preco_unitario: 'REAL',
      quantidade: 'INTEGER',
      codigo: 'TEXT',
      entrega: 'DATETIME',
    });
    // Stored typed: SQLite's own functions work on them.
    expect(
      query(
        s,
        `SELECT typeof(quantidade) AS q, typeof(preco_unitario) AS p, strftime('%Y', data_do_pedido) AS y FROM vendas_2023 LIMIT 1`,
      ),
    ).toEqual([{ q: 'integer', p: 'real', y: '2023' }]);
  });

  it('reads UTF-8 with and without BOM, and UTF-16 with BOM', async () => {
    const text = 'nome,cidade\nJoão,São Paulo\nAna,Brasília\n';
    const variants: Array<[string, Buffer]> = [
      ['utf-8', Buffer.from(text)],
      ['utf-8', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])],
      ['utf-16le', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])],
      ['utf-16be', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()])],
    ];
    for (const [encoding, data] of variants) {
      const s = newSession();
      const r = await load(s, 'pessoas.csv', data);
      expect(r.encoding).toBe(encoding);
      expect(r.tables[0]!.columns.map((c) => c.name)).toEqual(['nome', 'cidade']);
      expect(query(s, 'SELECT nome, cidade FROM pessoas')).toEqual([
        { nome: 'João', cidade: 'São Paulo' },
        { nome: 'Ana', cidade: 'Brasília' },
      ]);
    }
  });

  it('detects Windows-1252 even when the first accent is far into the file', async () => {
    const s = newSession();
    const rows = Array.from({ length: 20000 }, (_, i) => `${i};item ${i}`).join('\n');
    const r = await load(s, 'late.csv', cp1252(`id;descrição\n${rows}\n20000;Ação\n`));
    expect(r.encoding).toBe('windows-1252');
    expect(r.tables[0]!.columns[1]!.label).toBe('descrição');
    expect(query(s, 'SELECT descricao FROM late WHERE id = 20000')).toEqual([{ descricao: 'Ação' }]);
  });

  it('sniffs , ; tab and | and parses RFC 4180 quoting with CRLF, LF and CR', async () => {
    const cases: Array<[string, string]> = [
      [',', 'a,b,c\r\n1,"x, y",3\r\n4,"say ""hi""",6\r\n'],
      [';', 'a;b;c\n1;"x; y";3\n4;"multi\nline";6\n'],
      ['\t', 'a\tb\tc\r1\tx y\t3\r4\tz\t6\r'],
      ['|', 'a|b|c\n1|x|3\n4|"q|r"|6'],
    ];
    for (const [delim, csv] of cases) {
      const s = newSession();
      const r = await load(s, 'd.csv', csv);
      expect(r.delimiter).toBe(delim);
      expect(r.tables[0]!.rows).toBe(2);
      const rows = query<{ a: number; b: string; c: number }>(s, 'SELECT a, b, c FROM d');
      expect(rows.map((x) => x.a)).toEqual([1, 4]);
      expect(rows.map((x) => x.c)).toEqual([3, 6]);
    }
    const s = newSession();
    await load(s, 'q.csv', 'a,b\n1,"x, y"\n2,"say ""hi"""\n3,"multi\r\nline"\n');
    expect(query(s, 'SELECT b FROM q').map((r) => r.b)).toEqual(['x, y', 'say "hi"', 'multi\r\nline']);
  });

  it('counts ragged rows in warnings and keeps their values', async () => {
    const s = newSession();
    const r = await load(s, 'ragged.csv', 'a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n');
    expect(r.tables[0]!.rows).toBe(4);
    expect(r.warnings.join('\n')).toMatch(/1 row\(s\) had fewer fields/);
    expect(r.warnings.join('\n')).toMatch(/1 row\(s\) had more fields.*column_4/);
    expect(query(s, 'SELECT a, b, c, column_4 FROM ragged')).toEqual([
      { a: 1, b: 2, c: 3, column_4: null },
      { a: 4, b: 5, c: null, column_4: null },
      { a: 6, b: 7, c: 8, column_4: 9 },
      { a: 10, b: 11, c: 12, column_4: null },
    ]);
  });

  it('handles empty and duplicate headers, blank lines and a trailing delimiter', async () => {
    const s = newSession();
    const r = await load(s, 'h.csv', 'nome;;nome;\nAna;1;x;\n\n;;;\nBia;2;y;\n');
    expect(r.tables[0]!.columns.map((c) => c.name)).toEqual(['nome', 'column_2', 'nome_2', 'column_4']);
    expect(r.tables[0]!.rows).toBe(2);
    expect(r.warnings.join('\n')).toMatch(/2 empty row/);
  });

  it('detects a missing header row', async () => {
    const s = newSession();
    const r = await load(s, 'nohdr.csv', '1,2023-01-01,3.5\n2,2023-01-02,4.5\n3,2023-01-03,5.5\n');
    expect(r.tables[0]!.rows).toBe(3);
    expect(r.tables[0]!.columns.map((c) => [c.name, c.type])).toEqual([
      ['column_1', 'integer'],
      ['column_2', 'date'],
      ['column_3', 'real'],
    ]);
    expect(r.warnings.join()).toMatch(/no header/);
  });

  it('decides types over the whole column, not the first rows, and says why a column stays text', async () => {
    const s = newSession();
    const lines = Array.from({ length: 5000 }, (_, i) => `${i},${i * 2}.5`);
    lines.push('oops,7.5');
    const r = await load(s, 'late_text.csv', `id,v\n${lines.join('\n')}\n`);
    const t = r.tables[0]!;
    expect(t.columns.map((c) => c.type)).toEqual(['text', 'real']);
    expect(r.warnings.join('\n')).toMatch(/"id" kept as text: value "oops" \(row 5001\) is not a number/);
    // Values stored before the column turned out text are restored to their exact original text.
    expect(query(s, `SELECT id, typeof(id) AS t FROM late_text WHERE rowid IN (1, 5001)`)).toEqual([
      { id: '0', t: 'text' },
      { id: 'oops', t: 'text' },
    ]);
    const s2 = newSession();
    await load(s2, 'dec.csv', 'v\n1.50\n2.25\n3.10\nabc\n');
    expect(query(s2, 'SELECT v FROM dec').map((r) => r.v)).toEqual(['1.50', '2.25', '3.10', 'abc']);
  });

  it('writes the catalog: null count, distinct estimate, min/max, top values', async () => {
    const s = newSession();
    const lines = ['regiao,valor,dia'];
    for (let i = 0; i < 300; i++)
      lines.push(
        `${['Sul', 'Norte', 'Sul', 'Leste'][i % 4]},${i % 7 === 0 ? '' : i},2023-01-${String((i % 28) + 1).padStart(2, '0')}`,
      );
    await load(s, 'cat.csv', lines.join('\n'));
    const [t] = readCatalog(s.dbPath);
    expect(t!.name).toBe('cat');
    expect(t!.label).toBe('cat.csv');
    expect(t!.rows).toBe(300);
    const [regiao, valor, dia] = t!.columns;
    expect(regiao).toMatchObject({
      type: 'text',
      null_count: 0,
      distinct_estimate: 3,
      min: 'Leste',
      max: 'Sul',
    });
    expect(regiao!.top_values).toEqual([
      { value: 'Sul', count: 150 },
      { value: 'Leste', count: 75 },
      { value: 'Norte', count: 75 },
    ]);
    expect(valor).toMatchObject({ type: 'integer', null_count: 43, min: 1, max: 299, top_values: [] });
    expect(valor!.distinct_estimate).toBe(257);
    expect(dia).toMatchObject({ type: 'date', min: '2023-01-01', max: '2023-01-28', distinct_estimate: 28 });
  });

  it('estimates distinct values of high-cardinality columns', async () => {
    const s = newSession();
    const lines = ['id'];
    for (let i = 0; i < 20000; i++) lines.push(`k${i}`);
    await load(s, 'many.csv', lines.join('\n'));
    const est = readCatalog(s.dbPath)[0]!.columns[0]!.distinct_estimate;
    expect(est).toBeGreaterThan(18000);
    expect(est).toBeLessThan(22000);
  });
});

describe('other formats', () => {
  it('JSON array of objects, keys appearing late, nested values', async () => {
    const s = newSession();
    const data = JSON.stringify([
      { nome: 'Ana', valor: 1.5, ativo: true, quando: '31/12/2023' },
      { nome: 'Bia', valor: 2, ativo: false, quando: '01/01/2024', extra: { a: [1, 2] } },
      { nome: 'Caio', valor: null, ativo: true, quando: null },
    ]);
    const r = await load(s, 'pessoas.json', data);
    expect(r.format).toBe('json');
    expect(r.tables[0]!.columns.map((c) => [c.name, c.type])).toEqual([
      ['nome', 'text'],
      ['valor', 'real'],
      ['ativo', 'boolean'],
      ['quando', 'date'],
      ['extra', 'text'],
    ]);
    expect(query(s, 'SELECT * FROM pessoas')).toEqual([
      { nome: 'Ana', valor: 1.5, ativo: 1, quando: '2023-12-31', extra: null },
      { nome: 'Bia', valor: 2, ativo: 0, quando: '2024-01-01', extra: '{"a":[1,2]}' },
      { nome: 'Caio', valor: null, ativo: 1, quando: null, extra: null },
    ]);
  });

  it('NDJSON', async () => {
    const s = newSession();
    const r = await load(
      s,
      'events.ndjson',
      '{"id": 1, "t": "2015/01/01 01:00:00"}\n\n{"id": 2, "t": "2015/01/02 02:00:00"}\n',
    );
    expect(r.format).toBe('ndjson');
    expect(query(s, 'SELECT * FROM events')).toEqual([
      { id: 1, t: '2015-01-01 01:00:00' },
      { id: 2, t: '2015-01-02 02:00:00' },
    ]);
  });

  it('gzip of CSV and of JSON, whatever the name says', async () => {
    const s = newSession();
    const r = await load(s, 'vendas.csv.gz', gzip(cp1252(VENDAS)));
    expect(r.compressed).toBe(true);
    expect(r.tables[0]!.name).toBe('vendas');
    expect(r.tables[0]!.rows).toBe(3);
    const r2 = await load(s, 'data.gz', gzip('[{"a": 1}, {"a": 2}]'));
    expect(r2.format).toBe('json');
    expect(r2.tables[0]!.rows).toBe(2);
  });

  it('XLSX: first sheet by default, every sheet on request, dates and booleans', async () => {
    const book = xlsx({
      Vendas: [
        ['Produto', 'Preço', 'Data', 'Ativo'],
        ['Caneta', 2.5, { date: 45291 }, true],
        ['Lápis', 1, { date: 44927 }, false],
      ],
      'Outra Aba': [
        ['x', 'y'],
        [1, 'a'],
      ],
      Vazia: [],
    });
    const s = newSession();
    const r = await load(s, 'Planilha.xlsx', book);
    expect(r.format).toBe('xlsx');
    expect(r.tables).toHaveLength(1);
    expect(r.tables[0]!.name).toBe('planilha');
    expect(r.tables[0]!.columns.map((c) => c.type)).toEqual(['text', 'real', 'date', 'boolean']);
    expect(query(s, 'SELECT * FROM planilha')).toEqual([
      { produto: 'Caneta', preco: 2.5, data: '2023-12-31', ativo: 1 },
      { produto: 'Lápis', preco: 1, data: '2023-01-01', ativo: 0 },
    ]);
    expect(fs.readdirSync(s.tempDir)).toEqual([]);
    const s2 = newSession();
    const all = await load(s2, 'Planilha.xlsx', book, { sheets: 'all' });
    expect(all.tables.map((t) => t.name)).toEqual(['planilha_vendas', 'planilha_outra_aba']);
    expect(all.warnings.join()).toMatch(/"Vazia" is empty/);
    expect(readCatalog(s2.dbPath).map((t) => t.label)).toEqual([
      'Planilha.xlsx [Vendas]',
      'Planilha.xlsx [Outra Aba]',
    ]);
  });
});

describe('naming in the session', () => {
  it('the same file twice gets _2; a chosen name is used', async () => {
    const s = newSession();
    await load(s, 'seattle-weather.csv', 'a\n1\n');
    const r2 = await load(s, 'seattle-weather.csv', 'a\n1\n');
    expect(r2.tables[0]!.name).toBe('seattle_weather_2');
    const r3 = await load(s, 'x.csv', 'a\n1\n', { tableName: 'Minha Tabela' });
    expect(r3.tables[0]!.name).toBe('minha_tabela');
    expect(readCatalog(s.dbPath).map((t) => t.name)).toEqual([
      'seattle_weather',
      'seattle_weather_2',
      'minha_tabela',
    ]);
  });
});

describe('bad input leaves the session unchanged', () => {
  async function failsCleanly(
    content: Buffer | string | AsyncIterable<Buffer>,
    code: string,
    message: RegExp,
    extra: Parameters<typeof load>[3] = {},
  ) {
    const s = newSession();
    await load(s, 'before.csv', 'a\n1\n');
    const before = snapshot(s);
    const catalog = readCatalog(s.dbPath);
    const p =
      typeof content === 'string' || Buffer.isBuffer(content)
        ? load(s, 'bad.csv', content, extra)
        : importFile({
            dbPath: s.dbPath,
            tempDir: s.tempDir,
            source: content,
            fileName: 'bad.csv',
            quota: { limitBytes: 200 * 1024 * 1024, usedBytes: () => 0 },
            ...extra,
          });
    const err = await expectFailure(p);
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
    expect(err.localized('pt').length).toBeGreaterThan(10);
    expect(snapshot(s)).toBe(before);
    expect(readCatalog(s.dbPath)).toEqual(catalog);
    return err;
  }

  it('empty file', async () => {
    await failsCleanly('', 'unprocessable_file', /empty/);
    await failsCleanly('\n\n  \n', 'unprocessable_file', /empty|no data/);
  });

  it('header only', async () => {
    await failsCleanly('a,b,c\n', 'unprocessable_file', /header row but no data/);
  });

  it('binary garbage', async () => {
    const garbage = Buffer.alloc(4096);
    let x = 12345;
    for (let i = 0; i < garbage.length; i++) {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      garbage[i] = x >> 16;
    }
    await failsCleanly(garbage, 'unsupported_media_type', /binary/);
    await failsCleanly(
      Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]),
      'unsupported_media_type',
      /xls/,
    );
  });

  it('invalid UTF-8', async () => {
    const data = Buffer.concat([Buffer.from('nome\nJoão\n'), Buffer.from([0xc3, 0x28, 0x0a])]);
    await failsCleanly(data, 'unprocessable_file', /not valid UTF-8/);
  });

  it('an unclosed quote', async () => {
    await failsCleanly('a,b\n1,"never closed\n2,3\n', 'unprocessable_file', /never closed/);
  });

  it('a table name like ../../x or sqlite_master', async () => {
    await failsCleanly('a\n1\n', 'bad_input', /path characters/, { tableName: '../../x' });
    await failsCleanly('a\n1\n', 'bad_input', /sqlite_/, { tableName: 'sqlite_master' });
  });

  it('10,000 columns', async () => {
    const header = Array.from({ length: 10000 }, (_, i) => `c${i}`).join(',');
    const row = Array.from({ length: 10000 }, (_, i) => String(i)).join(',');
    await failsCleanly(`${header}\n${row}\n`, 'unprocessable_file', /2000 fields|columns/);
  });

  it('one 50 MB line', async () => {
    async function* line(): AsyncGenerator<Buffer> {
      yield Buffer.from('a,b\n1,');
      const block = Buffer.alloc(1024 * 1024, 'x');
      for (let i = 0; i < 50; i++) yield block;
      yield Buffer.from('\n');
    }
    await failsCleanly(line(), 'unprocessable_file', /longer than/);
  });

  it('a 1 GB stream with the quota at 10 MB', async () => {
    let produced = 0;
    async function* huge(): AsyncGenerator<Buffer> {
      yield Buffer.from('id,name,value\n');
      let i = 0;
      while (produced < 1024 ** 3) {
        let chunk = '';
        while (chunk.length < 64 * 1024) chunk += `${i++},name ${i},${i * 1.5}\n`;
        produced += chunk.length;
        yield Buffer.from(chunk);
      }
    }
    const limit = 10 * 1024 * 1024;
    await failsCleanly(huge(), 'quota_exceeded', /10 MB/, {
      quota: { limitBytes: limit, usedBytes: () => 100_000 },
    });
    // Stopped while streaming, not after reading the gigabyte.
    expect(produced).toBeLessThan(3 * limit);
  });

  it('a gzip bomb of blank lines is stopped too', async () => {
    const s = newSession();
    const err = await expectFailure(
      load(
        s,
        'bomb.csv.gz',
        gzip(Buffer.concat([Buffer.from('a\n'), Buffer.alloc(30 * 1024 * 1024, '\n')])),
        {
          quota: { limitBytes: 1024 * 1024, usedBytes: () => 0 },
        },
      ),
    );
    expect(err.code).toBe('quota_exceeded');
  });

  it('abort mid-stream (client disconnects)', async () => {
    const controller = new AbortController();
    let n = 0;
    async function* slow(): AsyncGenerator<Buffer> {
      yield Buffer.from('a,b\n');
      for (;;) {
        yield Buffer.from(`${n},${n}\n`.repeat(1000));
        if (++n === 20) controller.abort();
        if (n > 1000) throw new Error('not aborted');
      }
    }
    await failsCleanly(slow(), 'bad_input', /interrupted/, { signal: controller.signal });
  });

  it('malformed JSON', async () => {
    await failsCleanly('[{"a": 1}, {"a": ]', 'unprocessable_file', /malformed/);
    await failsCleanly('[1, 2, 3]', 'unprocessable_file', /not an object/);
    await failsCleanly('[{"a": 1}', 'unprocessable_file', /not closed/);
  });

  it('a damaged XLSX', async () => {
    const book = xlsx({ S: [['a'], [1]] });
    await failsCleanly(book.subarray(0, book.length - 30), 'unprocessable_file', /XLSX/);
  });
});

describe('quota and the original upload', () => {
  /** The upload as the API leaves it: a spooled file in temp/, read by the import and kept after COMMIT. */
  function spooled(s: ReturnType<typeof newSession>, content: string) {
    const file = path.join(s.tempDir, 'agentgraph-upload-test');
    fs.writeFileSync(file, content);
    return {
      source: fs.createReadStream(file),
      original: { path: file, bytes: Buffer.byteLength(content), keepAs: path.join(s.uploads, 'v.csv') },
    };
  }

  it('keeps the original in uploads/ when it fits, moved there only after COMMIT', async () => {
    const s = newSession();
    const r = await load(s, 'v.csv', '', spooled(s, 'a\n1\n2\n'));
    expect(r.original_kept).toBe(true);
    expect(fs.readFileSync(path.join(s.uploads, 'v.csv'), 'utf8')).toBe('a\n1\n2\n');
    expect(fs.readdirSync(s.tempDir)).toEqual([]);
    expect(readCatalog(s.dbPath)[0]!.source_file).toBe('v.csv');
  });

  it('a failed import leaves the spooled original where it was, for its owner to remove, and uploads/ empty', async () => {
    const s = newSession();
    const input = spooled(s, 'a,b\n"unterminated\n');
    await expectFailure(load(s, 'v.csv', '', input));
    expect(fs.existsSync(input.original.path)).toBe(true);
    expect(fs.readdirSync(s.uploads)).toEqual([]);
  });

  it('drops the original (with a warning) when only that would cross the limit', async () => {
    const s = newSession();
    const lines = ['texto'];
    for (let i = 0; i < 20000; i++) lines.push('mesmo valor repetido muitas vezes');
    const content = lines.join('\n');
    const probe = newSession();
    await load(probe, 'v.csv', content);
    const dbSize = fs.statSync(probe.dbPath).size;
    // Limit: the database fits, the database plus the kept original does not.
    const input = spooled(s, content);
    const r = await load(s, 'v.csv', '', {
      ...input,
      quota: { limitBytes: Math.max(dbSize, content.length) + 64 * 1024, usedBytes: () => 0 },
    });
    expect(r.original_kept).toBe(false);
    expect(fs.existsSync(input.original.keepAs)).toBe(false);
    expect(fs.existsSync(input.original.path)).toBe(false);
    expect(readCatalog(s.dbPath)[0]!.source_file).toBeUndefined();
    expect(r.warnings.join()).toMatch(/original file was not kept/);
    expect(r.tables[0]!.rows).toBe(20000);
  });
});

describe('table management', () => {
  it('page, drop (space is given back), cleanLeftovers', async () => {
    const s = newSession();
    const lines = ['n,s'];
    for (let i = 0; i < 20000; i++) lines.push(`${i},texto ${i}`);
    await load(s, 'big.csv', lines.join('\n'));
    await load(s, 'small.csv', 'x\n1\n');
    const db = new Database(s.dbPath, { readonly: true });
    expect(readPage(db, 'big', ['s', 'n'], { limit: 2, offset: 10 })).toEqual([
      ['texto 10', 10],
      ['texto 11', 11],
    ]);
    db.close();
    const sizeBefore = fs.statSync(s.dbPath).size;
    expect(await dropTable(s.dbPath, 'big')).toBe(true);
    expect(await dropTable(s.dbPath, 'big')).toBe(false);
    expect(await dropTable(s.dbPath, '_agentgraph_catalog')).toBe(false);
    expect(fs.statSync(s.dbPath).size).toBeLessThan(sizeBefore / 2);
    expect(readCatalog(s.dbPath).map((t) => t.name)).toEqual(['small']);
    expect(query(s, `SELECT name FROM sqlite_schema WHERE name = 'big'`)).toEqual([]);

    fs.writeFileSync(path.join(s.tempDir, 'agentgraph-import-dead.xlsx'), 'x');
    fs.writeFileSync(path.join(s.tempDir, 'agentgraph-upload-arriving'), 'x');
    fs.writeFileSync(path.join(s.tempDir, 'other.txt'), 'keep');
    const cleaned = cleanLeftovers(s.dbPath, s.tempDir);
    expect(cleaned.files).toEqual(['agentgraph-import-dead.xlsx']);
    // A spooled upload goes only once it is older than the grace given (it may still be arriving).
    expect(cleanLeftovers(s.dbPath, s.tempDir, 60_000).files).toEqual([]);
    expect(cleanLeftovers(s.dbPath, s.tempDir, 0).files).toEqual(['agentgraph-upload-arriving']);
    expect(fs.readdirSync(s.tempDir)).toEqual(['other.txt']);
  });

  it('dropping the last table made from a kept original removes the original too', async () => {
    const s = newSession();
    const file = path.join(s.tempDir, 'agentgraph-upload-book');
    fs.writeFileSync(file, xlsx({ A: [['a'], [1]], B: [['b'], [2]] }));
    const keepAs = path.join(s.uploads, 'book.xlsx');
    await load(s, 'book.xlsx', '', {
      source: fs.createReadStream(file),
      original: { path: file, bytes: fs.statSync(file).size, keepAs },
      sheets: 'all',
    });
    const names = readCatalog(s.dbPath).map((t) => t.name);
    expect(names).toHaveLength(2);
    expect(await dropTable(s.dbPath, names[0]!, s.uploads)).toBe(true);
    expect(fs.existsSync(keepAs)).toBe(true);
    expect(await dropTable(s.dbPath, names[1]!, s.uploads)).toBe(true);
    expect(fs.existsSync(keepAs)).toBe(false);
  });

  it('a kill mid-import is rolled back by the next open', async () => {
    const s = newSession();
    await load(s, 'keep.csv', 'a\n1\n');
    const before = readCatalog(s.dbPath);
    // Simulate a killed importer: a write transaction that never commits, with its journal left behind.
    const journal = `${s.dbPath}-journal`;
    const db = new Database(s.dbPath);
    db.pragma('cache_size = 1');
    db.exec('BEGIN IMMEDIATE');
    db.exec('CREATE TABLE half (x)');
    db.exec(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) INSERT INTO half SELECT randomblob(1000) FROM n`,
    );
    db.exec(`DELETE FROM _agentgraph_catalog`);
    const copyDir = path.join(s.dir, 'copy');
    fs.mkdirSync(copyDir);
    fs.copyFileSync(s.dbPath, path.join(copyDir, 'db.db'));
    fs.copyFileSync(journal, path.join(copyDir, 'db.db-journal'));
    db.exec('ROLLBACK');
    db.close();
    const copy = path.join(copyDir, 'db.db');
    cleanLeftovers(copy, path.join(copyDir, 'temp'));
    expect(readCatalog(copy)).toEqual(before);
    const names = new Database(copy, { readonly: true })
      .prepare('SELECT name FROM sqlite_schema')
      .pluck()
      .all();
    expect(names).not.toContain('half');
  });

  it('imports into one database are serialised', async () => {
    const s = newSession();
    const results = await Promise.all(
      Array.from({ length: 4 }, (_, i) => load(s, 'same.csv', `a,b\n${i},x\n`)),
    );
    expect(results.map((r) => r.tables[0]!.name).sort()).toEqual(['same', 'same_2', 'same_3', 'same_4']);
  });
});

describe('stream plumbing', () => {
  it('accepts a Node readable stream and tiny chunks', async () => {
    const s = newSession();
    const file = path.join(s.dir, 'in.csv');
    fs.writeFileSync(file, cp1252(VENDAS));
    const r = await importFile({
      dbPath: s.dbPath,
      tempDir: s.tempDir,
      source: fs.createReadStream(file, { highWaterMark: 3 }),
      fileName: 'in.csv',
      quota: { limitBytes: 1e9, usedBytes: () => 0 },
    });
    expect(r.tables[0]!.rows).toBe(3);
    const s2 = newSession();
    const r2 = await importFile({
      dbPath: s2.dbPath,
      tempDir: s2.tempDir,
      source: chunked(bytes('a,b\r\n"x ""1""",2\r\n'), 1),
      fileName: 'one.csv',
      quota: { limitBytes: 1e9, usedBytes: () => 0 },
    });
    expect(r2.tables[0]!.rows).toBe(1);
    expect(query(s2, 'SELECT * FROM one')).toEqual([{ a: 'x "1"', b: 2 }]);
  });
});
