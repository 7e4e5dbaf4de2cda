/**
 * Import of real tables (issue 13, item 6): numbers written with units, footnote marks and ordinals; trailing
 * summary rows; row order. Real SQLite files; worker.test.ts runs this file again with the CSV worker forced on.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type ColumnCatalog, readCatalog } from '../../src/data/index.js';
import { load, newSession, query, removeSessions, xlsx } from './helpers.js';

afterEach(removeSessions);

type Session = ReturnType<typeof newSession>;

/** A CSV of one column per entry (same number of values each), with the given delimiter. */
function csv(columns: Record<string, string[]>, delimiter = ','): string {
  const names = Object.keys(columns);
  const quote = (v: string) => (/[",;\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = [names.map(quote).join(delimiter)];
  for (let i = 0; i < columns[names[0]!]!.length; i++) {
    lines.push(names.map((n) => quote(columns[n]![i]!)).join(delimiter));
  }
  return `${lines.join('\n')}\n`;
}

/** A new session with `columns` imported from a CSV named `file`. */
async function imported(file: string, columns: Record<string, string[]>, delimiter = ',') {
  const s = newSession();
  const r = await load(s, file, csv(columns, delimiter));
  return { s, r };
}

function catalogColumn(s: Session, label: string): ColumnCatalog {
  const col = readCatalog(s.dbPath)[0]!.columns.find((c) => c.label === label);
  if (!col) throw new Error(`no column ${label}`);
  return col;
}

function values(s: Session, table: string, column: string): unknown[] {
  return query(s, `SELECT "${column}" AS v FROM "${table}" ORDER BY rowid`).map((r) => r.v);
}

describe('numbers written with units, footnote marks and ordinals', () => {
  it('are typed as numbers; the unit goes into the catalog', async () => {
    const { s } = await imported('units.csv', {
      Age: ['17 years', '1 year', '30 years', '5 years'],
      Height: ['2,345 m', '100m', '12 m', '8,848 m'],
      Share: ['45 %', '12.5%', '3%', '0.5 %'],
      Votes: ['12[3]', '1,234*', '2008†', '7 [a]'],
      Place: ['1st', '2nd', '3rd', '11th'],
      Pos: ['1.', '2.', '3.', '4.'],
      Par: ['−7', '+2', '−10', '0'],
      Gross: ['$1,200', '$ 300', '$45', '$7'],
    });
    expect(query(s, 'SELECT * FROM units ORDER BY rowid')).toEqual([
      { age: 17, height: 2345, share: 45, votes: 12, place: 1, pos: 1, par: -7, gross: 1200 },
      { age: 1, height: 100, share: 12.5, votes: 1234, place: 2, pos: 2, par: 2, gross: 300 },
      { age: 30, height: 12, share: 3, votes: 2008, place: 3, pos: 3, par: -10, gross: 45 },
      { age: 5, height: 8848, share: 0.5, votes: 7, place: 11, pos: 4, par: 0, gross: 7 },
    ]);
    const cols = readCatalog(s.dbPath)[0]!.columns;
    expect(cols.map((c) => [c.label, c.type, c.unit ?? null, c.ordinal ?? null])).toEqual([
      ['Age', 'integer', 'years', null], // plural spelling preferred
      ['Height', 'integer', 'm', null],
      ['Share', 'real', '%', null],
      ['Votes', 'integer', null, null], // footnote marks are not units
      ['Place', 'integer', null, true],
      ['Pos', 'integer', null, true],
      ['Par', 'integer', null, null],
      ['Gross', 'integer', '$', null],
    ]);
    expect(catalogColumn(s, 'Height')).toMatchObject({ min: 12, max: 8848 });
    expect(query(s, `SELECT typeof(age) AS a, typeof(share) AS b FROM units LIMIT 1`)).toEqual([
      { a: 'integer', b: 'real' },
    ]);
  });

  it('unit-less numbers mix with one unit; dates and booleans lose their footnote marks too', async () => {
    const { s } = await imported('mix.csv', {
      Length: ['12 km', '7', '3.5 km', '10 km'],
      Date: ['11/26/1985*', '2023-12-31[1]', '01/02/1990', '12/01/1991'],
      Won: ['Yes[a]', 'no', 'yes', 'No†'],
    });
    const cols = readCatalog(s.dbPath)[0]!.columns;
    expect(cols.map((c) => [c.type, c.unit ?? null])).toEqual([
      ['real', 'km'],
      ['date', null],
      ['boolean', null],
    ]);
    expect(values(s, 'mix', 'length')).toEqual([12, 7, 3.5, 10]);
    // `11/26/1985` is month-first, so the whole column is.
    expect(values(s, 'mix', 'date')).toEqual(['1985-11-26', '2023-12-31', '1990-01-02', '1991-12-01']);
    expect(values(s, 'mix', 'won')).toEqual([1, 0, 1, 0]);
  });

  it('what is really text stays text, exactly as written', async () => {
    const cases: Record<string, string[]> = {
      Aircraft: ['Boeing 747', 'Route 66', 'Apollo 11', 'Airbus 380'],
      Score: ['3-1', '2-0', '1-1', '0-2'],
      Time: ['1:45.3', '1:44.9', '2:01.0', '1:59.8'],
      Season: ['1999–2000', '2000–01', '2001–02', '2002–03'],
      Range: ['10-20', '5-15', '20-30', '1-2'],
      Budget: ['$ 1.2 million', '$ 3.4 million', '$ 800,000', '$ 2 million'],
      Day: ['12 March', '3 April', '30 May', '1 June'],
      Start: ['3 pm', '7 pm', '8 pm', '2 pm'],
      Founded: ['300 BC', '120 BC', '44 BC', '12 BC'],
      Code: ['4WD', '3D', '12A', '1990s'],
      League: ['1. HNL', '2. HNL', '1. HNL', '3. HNL'],
      Detail: ['12 (3)', '5 ft 11 in', '4 x 100 m', '110 m hurdles'],
      Bad: ['2th', '3st', '1nd', '4rd'],
    };
    const { s, r } = await imported('texts.csv', cases);
    const cols = readCatalog(s.dbPath)[0]!.columns;
    expect(cols.filter((c) => c.type !== 'text').map((c) => c.label)).toEqual([]);
    expect(cols.filter((c) => c.unit !== undefined || c.ordinal !== undefined)).toEqual([]);
    const rows = query<Record<string, string>>(s, 'SELECT * FROM texts ORDER BY rowid');
    Object.values(cases).forEach((vs, j) => {
      expect(rows.map((row) => Object.values(row)[j])).toEqual(vs);
    });
    expect(r.warnings).toEqual([]);
  });

  it('a column mixing units stays text and says why; numbers stored early print back as written', async () => {
    const weights = ['5 kg', '7', '12 kg', '3 lb', '8 kg'];
    const { s, r } = await imported('weights.csv', { Weight: weights, Id: ['1', '2', '3', '4', '5'] });
    expect(catalogColumn(s, 'Weight')).toMatchObject({ type: 'text' });
    expect(catalogColumn(s, 'Weight').unit).toBeUndefined();
    expect(values(s, 'weights', 'weight')).toEqual(weights);
    expect(r.warnings.join('\n')).toMatch(
      /"Weight" kept as text: value "3 lb" \(row 4\) is not a number in kg/,
    );
    // Two kinds of ordinal-or-unit are a clash too.
    const { s: s2 } = await imported('places.csv', { Finish: ['1st', '2nd', '3 km', '4th'] });
    expect(catalogColumn(s2, 'Finish').type).toBe('text');
    expect(values(s2, 'places', 'finish')).toEqual(['1st', '2nd', '3 km', '4th']);
  });

  it('a unit on only a few of a column’s numbers is a label: the column stays text', async () => {
    const episodes = ['8', '8', '6', '5', '1 Compilation', '6'];
    const { s, r } = await imported('dvd.csv', { Title: ['a', 'b', 'c', 'd', 'e', 'f'], Episodes: episodes });
    expect(catalogColumn(s, 'Episodes').type).toBe('text');
    expect(values(s, 'dvd', 'episodes')).toEqual(episodes);
    expect(r.warnings.join('\n')).toMatch(/"Episodes" kept as text: only 1 of its 6 numbers has a unit/);
    // A currency sign or % on a few numbers keeps the numbers (as before units), without a unit.
    const { s: s2 } = await imported('pay.csv', { Pay: ['250', '60', '400', '98.68%'] });
    expect(catalogColumn(s2, 'Pay')).toMatchObject({ type: 'real', max: 400 });
    expect(catalogColumn(s2, 'Pay').unit).toBeUndefined();
  });

  it('Brazilian files keep their formats, units included', async () => {
    const { s } = await imported(
      'precos.csv',
      {
        Produto: ['Arroz', 'Feijão', 'Café'],
        Preço: ['R$ 1.467,97', '1.234,56', 'R$ 12,5'],
        Desconto: ['12,5%', '5%', '7,25 %'],
        Peso: ['2,5 kg', '1.000 kg', '0,5 kg'],
        Estoque: ['1.234', '12', '5.000'],
      },
      ';',
    );
    expect(query(s, 'SELECT * FROM precos ORDER BY rowid')).toEqual([
      { produto: 'Arroz', preco: 1467.97, desconto: 12.5, peso: 2.5, estoque: 1234 },
      { produto: 'Feijão', preco: 1234.56, desconto: 5, peso: 1000, estoque: 12 },
      { produto: 'Café', preco: 12.5, desconto: 7.25, peso: 0.5, estoque: 5000 },
    ]);
    const cols = readCatalog(s.dbPath)[0]!.columns;
    expect(cols.map((c) => [c.type, c.unit ?? null])).toEqual([
      ['text', null],
      ['real', 'R$'],
      ['real', '%'],
      ['real', 'kg'],
      ['integer', null],
    ]);
  });

  it('one value readable only as a decimal comma does not turn a comma-separated file Brazilian', async () => {
    const { s } = await imported('teams.csv', {
      Team: ['Montreal', 'Boston', 'Chicago', 'Detroit'],
      Goals: ['19,929', '1,1024', '12,345', '9,876'],
      Points: ['7,203', '3,373', '512', '6,001'],
    });
    // `1,1024` reads only as 1.1024: its own column is decimal, the file's other ambiguous numbers are thousands.
    expect(values(s, 'teams', 'points')).toEqual([7203, 3373, 512, 6001]);
    const two = await imported('two.csv', { Size: ['1,96', '1,87'], Count: ['1,234', '5,678'] });
    expect(values(two.s, 'two', 'count')).toEqual([1.234, 5.678]);
  });

  it('a first row of ordinals or units above plain numbers is a header', async () => {
    const s = newSession();
    const r = await load(s, 'rounds.csv', 'Team,1st,2nd,3rd\nA,10,20,30\nB,11,21,31\n');
    expect(r.tables[0]!.columns.map((c) => c.name)).toEqual(['team', 'c_1st', 'c_2nd', 'c_3rd']);
    const s2 = newSession();
    const r2 = await load(
      s2,
      'years.csv',
      'País,2019[a],2020\nBrasil,"1.234,5","2.345,6"\nChile,"12,5","13,5"\n',
    );
    expect(r2.tables[0]!.rows).toBe(2);
    // Values with the same unit as the first row: data, not a header.
    const s3 = newSession();
    const r3 = await load(s3, 'plain.csv', '17 years,2\n18 years,3\n19 years,4\n');
    expect(r3.tables[0]!.rows).toBe(3);
    expect(r3.tables[0]!.columns[0]!.type).toBe('integer');
  });
});

/** A medal table as on Wikipedia: the Total row repeats its label over the merged Rank and Nation cells. */
const MEDALS = csv({
  Rank: ['1', '2', '3', '4', 'Total'],
  Nation: ['Brazil', 'Chile', 'Peru', 'Cuba', 'Total'],
  Gold: ['3', '1', '0', '0', '4'],
  Silver: ['0', '2', '1', '1', '4'],
  Total: ['3', '3', '1', '1', '8'],
});

describe('summary rows', () => {
  it('a trailing Total row is flagged, kept, and left out of the statistics', async () => {
    const s = newSession();
    const r = await load(s, 'medals.csv', MEDALS);
    const t = readCatalog(s.dbPath)[0]!;
    expect(t.summary_rows).toEqual([5]);
    expect(t.rows).toBe(5);
    // The label does not make Rank text; it is stored NULL there and kept where the column is text.
    expect(t.columns.map((c) => c.type)).toEqual(['integer', 'text', 'integer', 'integer', 'integer']);
    expect(query(s, 'SELECT * FROM medals WHERE rowid = 5')).toEqual([
      { rank: null, nation: 'Total', gold: 4, silver: 4, total: 8 },
    ]);
    const [rank, nation, gold, , total] = t.columns;
    expect(rank).toMatchObject({ min: 1, max: 4, null_count: 0, distinct_estimate: 4 });
    expect(nation!.top_values.map((v) => v.value)).not.toContain('Total');
    expect(nation).toMatchObject({ distinct_estimate: 4, min: 'Brazil', max: 'Peru' });
    expect(gold).toMatchObject({ min: 0, max: 3 });
    expect(total).toMatchObject({ max: 3 });
    expect(r.warnings).toEqual([
      'row 5 ("Total") looks like a total or average of the rows above: it is kept in the table, marked as a summary row in the catalog and left out of the column statistics; the label is stored as NULL in column "Rank", which holds numbers or dates',
    ]);
  });

  it('several trailing summary rows, Portuguese labels, and statistics of converted columns', async () => {
    const { s } = await imported(
      'vendas.csv',
      {
        Região: ['Sul', 'Norte', 'Leste', 'Total geral', 'Média'],
        Valor: ['1.234,50', '10,25', '3,75', '1.248,50', '416,17'],
        Dia: ['31/12/2023', '01/01/2024', '02/01/2024', '', ''],
      },
      ';',
    );
    const t = readCatalog(s.dbPath)[0]!;
    expect(t.summary_rows).toEqual([4, 5]);
    const [regiao, valor, dia] = t.columns;
    // Valor was stored as text and converted at the end: its min/max come from SQL, summary rows left out.
    expect(valor).toMatchObject({ type: 'real', min: 3.75, max: 1234.5 });
    expect(dia).toMatchObject({ type: 'date', null_count: 0, min: '2023-12-31', max: '2024-01-02' });
    expect(regiao).toMatchObject({ distinct_estimate: 3 });
    expect(values(s, 'vendas', 'valor')).toEqual([1234.5, 10.25, 3.75, 1248.5, 416.17]);
  });

  it('a Total row in the middle, or a last row that merely starts with Total, is data', async () => {
    const { s, r } = await imported('middle.csv', {
      Category: ['Food', 'Total', 'Rent', 'Fuel'],
      Amount: ['10', '30', '15', '5'],
    });
    const t = readCatalog(s.dbPath)[0]!;
    expect(t.summary_rows).toBeUndefined();
    expect(t.columns[0]!.top_values.map((v) => v.value)).toContain('Total');
    expect(t.columns[1]).toMatchObject({ max: 30 });
    expect(r.warnings).toEqual([]);
    const { s: s2 } = await imported('films.csv', {
      Film: ['Alien', 'Heat', 'Total Recall'],
      Year: ['1979', '1995', '1990'],
    });
    expect(readCatalog(s2.dbPath)[0]!.summary_rows).toBeUndefined();
    // Many rows reading "Total" are categories, even at the end; so is a Total row with no number.
    const { s: s3 } = await imported('totals.csv', {
      Kind: ['Net', 'Total', 'Total', 'Total', 'Total'],
      N: ['1', '2', '3', '4', '5'],
    });
    expect(readCatalog(s3.dbPath)[0]!.summary_rows).toBeUndefined();
    const { s: s4 } = await imported('notes.csv', {
      Item: ['a', 'b', 'c', 'Total'],
      Note: ['x', 'y', 'z', 'see below'],
    });
    expect(readCatalog(s4.dbPath)[0]!.summary_rows).toBeUndefined();
  });

  it('in XLSX and JSON too', async () => {
    const s = newSession();
    await load(
      s,
      'book.xlsx',
      xlsx({
        Sheet1: [
          ['Team', 'Goals'],
          ['Ajax', 3],
          ['PSV', 5],
          ['Totals', 8],
        ],
      }),
    );
    expect(readCatalog(s.dbPath)[0]).toMatchObject({ summary_rows: [3] });
    expect(catalogColumn(s, 'Goals')).toMatchObject({ max: 5 });
    const s2 = newSession();
    await load(
      s2,
      'teams.json',
      JSON.stringify([
        { team: 'Ajax', goals: 3 },
        { team: 'PSV', goals: 5 },
        { team: 'Average', goals: 4 },
      ]),
    );
    expect(readCatalog(s2.dbPath)[0]).toMatchObject({ summary_rows: [3] });
  });
});

describe('row order', () => {
  /**
   * rowid is the row's number in the file for every format, also when values are converted at the end, a column
   * is restored to text, and rows are held back while they may be a summary.
   */
  // Over 16,384 values: more than one segment of RowBuilder, and many INSERT batches.
  const N = 5000;
  const rows = Array.from({ length: N }, (_, i) => {
    const n = i + 1;
    return {
      // A summary-looking row in the middle: held back, then written as data when the next row comes.
      label: n === 1200 ? 'Total' : `item ${n}`,
      id: String(n),
      // pt-BR decimals: stored as text, converted by the final UPDATE.
      valor: `${n},5`,
      // Numbers until the last row: restored to text at the end.
      code: n === N ? 'x' : String(n * 7),
    };
  });

  async function expectFileOrder(s: Session, table: string): Promise<void> {
    const got = query<{ rowid: number; id: unknown; valor: number; code: string }>(
      s,
      `SELECT rowid, id, valor, code FROM "${table}" ORDER BY rowid`,
    );
    expect(got).toHaveLength(N);
    got.forEach((r, i) => {
      expect([r.rowid, Number(r.id), r.valor, r.code]).toEqual([i + 1, i + 1, i + 1.5, rows[i]!.code]);
    });
    expect(readCatalog(s.dbPath)[0]!.summary_rows).toBeUndefined();
  }

  it('CSV', async () => {
    const s = newSession();
    const columns = (k: keyof (typeof rows)[0]) => rows.map((r) => r[k]);
    const text = csv(
      { label: columns('label'), id: columns('id'), valor: columns('valor'), code: columns('code') },
      ';',
    );
    await load(s, 'ordem.csv', text.replace(/\n/g, '\r\n'));
    await expectFileOrder(s, 'ordem');
  });

  it('JSON, NDJSON and XLSX', async () => {
    const s = newSession();
    await load(s, 'ordem.json', JSON.stringify(rows));
    await expectFileOrder(s, 'ordem');
    const s2 = newSession();
    await load(s2, 'ordem.ndjson', rows.map((r) => JSON.stringify(r)).join('\n'));
    await expectFileOrder(s2, 'ordem');
    const s3 = newSession();
    const sheet = [['label', 'id', 'valor', 'code'], ...rows.map((r) => [r.label, r.id, r.valor, r.code])];
    await load(s3, 'ordem.xlsx', xlsx({ Dados: sheet }));
    await expectFileOrder(s3, 'ordem');
  });
});

describe('summary labels', () => {
  it('match the whole cell, in any case and accent, with a colon, parenthesis or footnote after it', async () => {
    const { summaryLabel } = await import('../../src/data/summary-rows.js');
    const labels = [
      'Total',
      'TOTALS',
      'Total:',
      'Total (75 NPCs)',
      'Grand  total',
      'Média',
      'MEDIA',
      'Soma',
      'Sum[1]',
    ];
    expect(labels.map(summaryLabel)).toEqual([
      'total',
      'totals',
      'total',
      'total',
      'grand total',
      'media',
      'media',
      'soma',
      'sum',
    ]);
    const values = [
      'Total Recall',
      'Total towns',
      'Sum 41',
      'Totality',
      'Averages of 2019',
      'Summer',
      '',
      'T',
    ];
    expect(values.map(summaryLabel)).toEqual(values.map(() => null));
  });
});
