/**
 * Per intent and per language, on generated tables in a real SQLite file: the engine's SQL must return the same rows
 * as a hand-written query.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interpret } from '../../src/builtin/index.js';
import { createFixture, type Fixture, rng, sameRows } from './fixtures.js';
import { lojasSpec, sensorsSpec } from './tables.js';

let fx: Fixture;

beforeAll(() => {
  fx = createFixture([lojasSpec(), sensorsSpec()]);
});
afterAll(() => fx.close());

function check(question: string, gold: string, opts: { ordered?: boolean; lang?: 'pt' | 'en' } = {}) {
  const r = interpret(question, fx.catalog);
  if (r.kind !== 'sql') throw new Error(`refused "${question}": ${r.reason}`);
  if (opts.lang) expect(r.lang).toBe(opts.lang);
  const got = fx.db.prepare(r.sql).raw().all() as unknown[][];
  const want = fx.db.prepare(gold).raw().all() as unknown[][];
  if (!sameRows(want, got, opts.ordered ?? false)) {
    throw new Error(
      `"${question}"\n  sql:  ${r.sql}\n  got:  ${JSON.stringify(got.slice(0, 5))}\n  want: ${JSON.stringify(want.slice(0, 5))}`,
    );
  }
  return r;
}

/** Each question is refused, with a reason containing `reason`. */
function expectRefused(questions: string[], reason: string) {
  for (const q of questions) {
    const r = interpret(q, fx.catalog);
    expect(r.kind, q).toBe('unsupported');
    if (r.kind === 'unsupported') expect(r.reason, q).toContain(reason);
  }
}

const L = 'movimento_lojas';
const S = 'sensor_log';

describe('counts', () => {
  it('pt: counts rows, with and without filters', () => {
    check('Quantas vendas existem na tabela de movimento das lojas?', `SELECT COUNT(*) FROM ${L}`, {
      lang: 'pt',
    });
    check('Quantas vendas foram feitas na loja Centro?', `SELECT COUNT(*) FROM ${L} WHERE loja = 'Centro'`);
    check(
      'Quantas vendas houve em Curitiba em 2022?',
      `SELECT COUNT(*) FROM ${L} WHERE cidade = 'Curitiba' AND strftime('%Y', data_da_venda) = '2022'`,
    );
  });
  it('en: counts rows with value and number filters', () => {
    check('How many readings have status fault?', `SELECT COUNT(*) FROM ${S} WHERE status = 'fault'`, {
      lang: 'en',
    });
    check('How many readings had humidity of at least 90?', `SELECT COUNT(*) FROM ${S} WHERE humidity >= 90`);
  });
  it('counts distinct values', () => {
    check('Quantos produtos diferentes existem?', `SELECT COUNT(DISTINCT produto) FROM ${L}`);
    check('How many different sensors are there?', `SELECT COUNT(DISTINCT sensor) FROM ${S}`);
  });
});

describe('aggregates', () => {
  it('pt: média, soma, máximo, mínimo', () => {
    check('Qual o preço médio?', `SELECT AVG(preco) FROM ${L}`);
    check('Qual a soma da quantidade?', `SELECT SUM(quantidade) FROM ${L}`);
    check('Qual o maior preço de Mochila?', `SELECT MAX(preco) FROM ${L} WHERE produto = 'Mochila'`);
    check('Qual o desconto mínimo na loja Praia?', `SELECT MIN(desconto) FROM ${L} WHERE loja = 'Praia'`);
  });
  it('en: average, total, highest, lowest', () => {
    check('What is the average temperature?', `SELECT AVG(temperature_c) FROM ${S}`);
    check('What was the highest humidity in the lab?', `SELECT MAX(humidity) FROM ${S} WHERE sensor = 'lab'`);
    check('Lowest battery of the garage sensor', `SELECT MIN(battery_mv) FROM ${S} WHERE sensor = 'garage'`);
  });
  it('median, in both languages, alone, filtered, per group, ranked and beside other aggregates', () => {
    const r = check('What is the median humidity?', `SELECT MEDIAN(humidity) FROM ${S}`, { lang: 'en' });
    expect(r.sql).toContain('MEDIAN(');
    check('Qual a mediana do preço?', `SELECT MEDIAN(preco) FROM ${L}`, { lang: 'pt' });
    check('Qual o preço mediano na loja Praia?', `SELECT MEDIAN(preco) FROM ${L} WHERE loja = 'Praia'`);
    check('Median temperature by sensor', `SELECT sensor, MEDIAN(temperature_c) FROM ${S} GROUP BY sensor`);
    check(
      'Qual a mediana da quantidade por cidade?',
      `SELECT cidade, MEDIAN(quantidade) FROM ${L} GROUP BY cidade`,
    );
    check(
      'Which sensor has the highest median humidity?',
      `SELECT sensor, MEDIAN(humidity) FROM ${S} GROUP BY 1 ORDER BY 2 DESC LIMIT 1`,
      { ordered: true },
    );
    check('Qual o preço mínimo, mediano e máximo?', `SELECT MIN(preco), MEDIAN(preco), MAX(preco) FROM ${L}`);
    // "média" (mean) and "mediana" (median) stay apart.
    check('Qual o preço médio?', `SELECT AVG(preco) FROM ${L}`);
  });

  it('standard deviation (of the sample), alone, filtered, per group, ranked and beside other aggregates', () => {
    // Gold: the two-pass definition, sqrt(Σ(x − mean)² / (n − 1)), per group through a join on the group's mean.
    const sd = (table: string, x: string, where = '') =>
      `SELECT sqrt(SUM((${x} - m) * (${x} - m)) / (COUNT(${x}) - 1)) FROM ${table}, (SELECT AVG(${x}) m FROM ${table} ${where}) ${where}`;
    const sdBy = (table: string, x: string, g: string) =>
      `SELECT t.${g}, sqrt(SUM((t.${x} - a.m) * (t.${x} - a.m)) / (COUNT(t.${x}) - 1)) FROM ${table} t JOIN (SELECT ${g}, AVG(${x}) m FROM ${table} GROUP BY ${g}) a ON a.${g} IS t.${g} GROUP BY t.${g}`;
    const r = check('What is the standard deviation of the humidity?', sd(S, 'humidity'), { lang: 'en' });
    expect(r.sql).toContain('sqrt(');
    check('Qual o desvio padrão do preço?', sd(L, 'preco'), { lang: 'pt' });
    check('Qual o desvio-padrão do preço na loja Praia?', sd(L, 'preco', "WHERE loja = 'Praia'"));
    check('Standard deviation of temperature by sensor', sdBy(S, 'temperature_c', 'sensor'));
    check('Desvio padrão da quantidade por cidade', sdBy(L, 'quantidade', 'cidade'));
    check(
      'Which sensor has the highest standard deviation of battery?',
      `${sdBy(S, 'battery_mv', 'sensor')} ORDER BY 2 DESC LIMIT 1`,
      { ordered: true },
    );
    check('Qual a média e o desvio padrão do preço?', `SELECT AVG(preco), (${sd(L, 'preco')}) FROM ${L}`);
    // No values: NULL, not 0 (one value gives NULL too: no sample standard deviation).
    const none = interpret('Qual o desvio padrão do preço na loja Praia em 1990?', fx.catalog);
    if (none.kind !== 'sql') throw new Error(`refused: ${none.reason}`);
    expect(fx.db.prepare(none.sql).raw().all()).toEqual([[null]]);
  });

  it('refuses an average, median or standard deviation per group with no numeric column, instead of counting', () => {
    expectRefused(
      [
        'Qual a média das vendas por loja?',
        'Qual a mediana das vendas por loja?',
        'Desvio padrão das vendas por cidade',
      ],
      'não qual coluna numérica usar',
    );
    expectRefused(['Average of the readings by sensor'], 'which numeric column');
  });

  it('standard deviation stays exact when the values are large next to their spread, in any group or subset', () => {
    // Group "near" holds 0–10, group "far" 1e9 + 0–10 (the same spread), "solo" a single value.
    const r = rng(3);
    const rows: (string | number)[][] = [];
    for (let i = 0; i < 400; i++) rows.push(['near', Math.round(r() * 1000) / 100]);
    for (let i = 0; i < 400; i++) rows.push(['far', 1e9 + Math.round(r() * 1000) / 100]);
    rows.push(['solo', 5]);
    const big = createFixture([
      {
        name: 'medidas',
        label: 'Medidas.csv',
        columns: [
          { name: 'grupo', label: 'Grupo', type: 'text' },
          { name: 'valor', label: 'Valor', type: 'real' },
        ],
        rows,
      },
    ]);
    const sql = (q: string) => {
      const res = interpret(q, big.catalog);
      if (res.kind !== 'sql') throw new Error(`refused "${q}": ${res.reason}`);
      return res.sql;
    };
    const all = (query: string) => big.db.prepare(query).raw().all() as unknown[][];
    const close = (got: unknown[][], want: unknown[][]) => {
      expect(got.length).toBe(want.length);
      want.forEach((row, i) => {
        expect(got[i]![0]).toBe(row[0]);
        if (row[1] === null) expect(got[i]![1]).toBeNull();
        else
          expect(Math.abs((got[i]![1] as number) - (row[1] as number)) / (row[1] as number)).toBeLessThan(
            1e-9,
          );
      });
    };
    try {
      const gold = all(
        `SELECT t.grupo, sqrt(SUM((t.valor - a.m) * (t.valor - a.m)) / (COUNT(*) - 1)) FROM medidas t
         JOIN (SELECT grupo, AVG(valor) m FROM medidas GROUP BY grupo) a ON a.grupo = t.grupo GROUP BY 1 ORDER BY 1`,
      );
      expect(gold.map((g) => g[0])).toEqual(['far', 'near', 'solo']);
      expect(gold[0]![1]).toBeGreaterThan(2);
      close(all(sql('Desvio padrão do valor por grupo')), gold);
      close(
        all(sql('Qual o desvio padrão do valor no grupo far?')).map((v) => ['far', v[0]]),
        [gold[0]!],
      );
      // The lowest standard deviation is not the group that has none.
      expect(all(sql('Qual grupo tem o menor desvio padrão do valor?'))[0]![0]).not.toBe('solo');
      // The one-pass formula loses the answer on this data (it is what a naive STDDEV would do).
      const onePass = all(
        "SELECT sqrt(max(AVG(valor * valor) - AVG(valor) * AVG(valor), 0) * COUNT(*) / (COUNT(*) - 1)) FROM medidas WHERE grupo = 'far'",
      )[0]![0] as number;
      expect(Math.abs(onePass - (gold[0]![1] as number)) / (gold[0]![1] as number)).toBeGreaterThan(1e-3);
    } finally {
      big.close();
    }
  });
});

describe('comparisons of per-group aggregates (HAVING)', () => {
  it('keep the groups whose count, average or total passes the comparison', () => {
    // Thresholds between the groups' values in the fixture, so that some groups are kept and some are not.
    check(
      'Quais lojas têm mais de 56 vendas?',
      `SELECT loja, COUNT(*) FROM ${L} GROUP BY loja HAVING COUNT(*) > 56`,
      { lang: 'pt' },
    );
    check(
      'Which sensor has an average humidity above 50.5?',
      `SELECT sensor, AVG(humidity) FROM ${S} GROUP BY sensor HAVING AVG(humidity) > 50.5`,
      { lang: 'en' },
    );
    check(
      'Quais lojas têm preço médio acima de 215?',
      `SELECT loja, AVG(preco) FROM ${L} GROUP BY loja HAVING AVG(preco) > 215`,
    );
    check(
      'Quais cidades têm quantidade total acima de 1000?',
      `SELECT cidade, SUM(quantidade) FROM ${L} GROUP BY cidade HAVING SUM(quantidade) > 1000`,
    );
  });
  it('also when the question opens with the groups ("sensors with …", "lojas com …")', () => {
    check(
      'sensors with average temperature below 15',
      `SELECT sensor, AVG(temperature_c) FROM ${S} GROUP BY sensor HAVING AVG(temperature_c) < 15`,
    );
    check(
      'Mostre as lojas com preço médio acima de 225',
      `SELECT loja, AVG(preco) FROM ${L} GROUP BY loja HAVING AVG(preco) > 225`,
    );
    // 1000 is a total here, not a year.
    check(
      'vendedores com quantidade total acima de 1000',
      `SELECT vendedor, SUM(quantidade) FROM ${L} GROUP BY vendedor HAVING SUM(quantidade) > 1000`,
    );
    check(
      'lojas com mais de 56 vendas',
      `SELECT loja, COUNT(*) FROM ${L} GROUP BY loja HAVING COUNT(*) > 56`,
    );
    // Without an aggregate word the comparison stays on the rows.
    check('produtos com preço acima de 400', `SELECT DISTINCT produto FROM ${L} WHERE preco > 400`);
  });
  it('refuse a comparison combined with another computation instead of dropping either', () => {
    expectRefused(
      [
        'Quais lojas com mais de 10 vendas têm o maior preço médio?',
        'Quais lojas têm mais de 10 vendas e preço médio acima de 100?',
      ],
      'compara um valor calculado por grupo',
    );
  });
  it('leave plain row filters alone', () => {
    check('Quais lojas têm preço acima de 100?', `SELECT DISTINCT loja FROM ${L} WHERE preco > 100`);
    check(
      'Qual a soma da quantidade com preço acima de 100 por loja?',
      `SELECT loja, SUM(quantidade) FROM ${L} WHERE preco > 100 GROUP BY loja`,
    );
  });
});

describe('percentages', () => {
  const pct = (cond: string) => `ROUND(100.0 * SUM(CASE WHEN ${cond} THEN 1 ELSE 0 END) / COUNT(*), 2)`;
  it('the share of rows meeting one condition, overall and per group', () => {
    check('Qual a porcentagem de vendas da loja Centro?', `SELECT ${pct("loja = 'Centro'")} FROM ${L}`, {
      lang: 'pt',
    });
    check('What percentage of readings have status fault?', `SELECT ${pct("status = 'fault'")} FROM ${S}`, {
      lang: 'en',
    });
    check(
      'Qual o percentual de vendas com preço acima de 100 por cidade?',
      `SELECT cidade, ${pct('preco > 100')} FROM ${L} GROUP BY cidade`,
    );
    check(
      'Percentage of readings with status fault by sensor',
      `SELECT sensor, ${pct("status = 'fault'")} FROM ${S} GROUP BY sensor`,
    );
  });
  it("each group's share of the total count or sum", () => {
    check(
      'Qual o percentual de vendas por loja?',
      `SELECT loja, ROUND(100.0 * COUNT(*) / (SELECT COUNT(*) FROM ${L}), 2) FROM ${L} GROUP BY loja`,
    );
    check(
      'Qual a porcentagem da quantidade por cidade?',
      `SELECT cidade, ROUND(100.0 * SUM(quantidade) / (SELECT SUM(quantidade) FROM ${L}), 2) FROM ${L} GROUP BY cidade`,
    );
    check(
      'Percentage of readings by status',
      `SELECT status, ROUND(100.0 * COUNT(*) / (SELECT COUNT(*) FROM ${S}), 2) FROM ${S} GROUP BY status`,
    );
    // "share of", "participação de": the same question in other words.
    check(
      'share of readings per sensor',
      `SELECT sensor, ROUND(100.0 * COUNT(*) / (SELECT COUNT(*) FROM ${S}), 2) FROM ${S} GROUP BY sensor`,
    );
    check(
      'Qual a participação de cada loja nas vendas?',
      `SELECT loja, ROUND(100.0 * COUNT(*) / (SELECT COUNT(*) FROM ${L}), 2) FROM ${L} GROUP BY loja`,
    );
  });
  it('refuses the forms it cannot tell apart rather than guess', () => {
    // A percentage of an average; two conditions (which one is the whole?).
    expectRefused(
      ['Qual a porcentagem do preço médio?', 'Qual a porcentagem de vendas da loja Centro em 2022?'],
      'porcentagem de registros com uma condição',
    );
    expect(interpret('What percentage of readings?', fx.catalog).kind).toBe('unsupported');
  });
});

describe('group by', () => {
  it('pt: por X, X por Y, cada X', () => {
    check('Qual o preço médio por loja?', `SELECT loja, AVG(preco) FROM ${L} GROUP BY loja`);
    check('Quantidade total por cidade', `SELECT cidade, SUM(quantidade) FROM ${L} GROUP BY cidade`);
    check('Quantas vendas cada vendedor fez?', `SELECT vendedor, COUNT(*) FROM ${L} GROUP BY vendedor`);
  });
  it('en: by, per, for each; two groupings', () => {
    check('Average humidity by sensor', `SELECT sensor, AVG(humidity) FROM ${S} GROUP BY sensor`);
    check(
      'How many readings are there for each status?',
      `SELECT status, COUNT(*) FROM ${S} GROUP BY status`,
    );
    check('Count readings by sensor and status', `SELECT sensor, status, COUNT(*) FROM ${S} GROUP BY 1, 2`);
  });
});

describe('time buckets and date filters', () => {
  it('pt: por ano, por mês em 2021, em março de 2022, depois de 2021', () => {
    check(
      'Quantidade vendida por ano',
      `SELECT strftime('%Y', data_da_venda), SUM(quantidade) FROM ${L} GROUP BY 1`,
    );
    check(
      'Qual a quantidade total por mês em 2021?',
      `SELECT strftime('%Y-%m', data_da_venda), SUM(quantidade) FROM ${L} WHERE strftime('%Y', data_da_venda) = '2021' GROUP BY 1`,
    );
    check(
      'Quantas vendas houve nas lojas em março de 2022?',
      `SELECT COUNT(*) FROM ${L} WHERE strftime('%Y-%m', data_da_venda) = '2022-03'`,
    );
    check(
      'Quantas vendas foram feitas nas lojas depois de 2021?',
      `SELECT COUNT(*) FROM ${L} WHERE strftime('%Y', data_da_venda) > '2021'`,
    );
  });
  it('en: per month, per hour on a datetime column', () => {
    check(
      'Average temperature per month',
      `SELECT strftime('%Y-%m', recorded_at), AVG(temperature_c) FROM ${S} GROUP BY 1`,
    );
    check(
      'Maximum temperature per hour',
      `SELECT strftime('%H', recorded_at), MAX(temperature_c) FROM ${S} GROUP BY 1`,
    );
  });
});

describe('rankings and top-k', () => {
  it('pt: os N maiores, qual X tem mais', () => {
    check(
      'Quais os 2 vendedores com maior quantidade vendida?',
      `SELECT vendedor, SUM(quantidade) FROM ${L} GROUP BY 1 ORDER BY 2 DESC LIMIT 2`,
      { ordered: true },
    );
    check(
      'Qual loja tem mais vendas?',
      `SELECT loja, COUNT(*) FROM ${L} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1`,
      { ordered: true },
    );
    check(
      'Quais os três produtos mais vendidos?',
      `SELECT produto, COUNT(*) FROM ${L} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 3`,
      {
        ordered: true,
      },
    );
  });
  it('en: top N by, which X has the highest Y', () => {
    check(
      'Top 3 sensors by average temperature',
      `SELECT sensor, AVG(temperature_c) FROM ${S} GROUP BY 1 ORDER BY 2 DESC LIMIT 3`,
      { ordered: true },
    );
    check(
      'Which sensor has the lowest average humidity?',
      `SELECT sensor, AVG(humidity) FROM ${S} GROUP BY 1 ORDER BY 2 ASC LIMIT 1`,
      { ordered: true },
    );
  });
});

describe('filters', () => {
  it('number comparisons in pt and en', () => {
    check('Quantas vendas com desconto acima de 5?', `SELECT COUNT(*) FROM ${L} WHERE desconto > 5`);
    check(
      'Quantas vendas tiveram quantidade entre 10 e 20?',
      `SELECT COUNT(*) FROM ${L} WHERE quantidade BETWEEN 10 AND 20`,
    );
    check('How many readings had temperature below 0?', `SELECT COUNT(*) FROM ${S} WHERE temperature_c < 0`);
    check(
      'Average humidity for temperature greater than 25',
      `SELECT AVG(humidity) FROM ${S} WHERE temperature_c > 25`,
    );
  });
  it('empty values', () => {
    check('How many readings have no status?', `SELECT COUNT(*) FROM ${S} WHERE status IS NULL`);
    check('Quantas leituras têm bateria vazia?', `SELECT COUNT(*) FROM ${S} WHERE battery_mv IS NULL`);
  });
  it('accents and case are folded when matching values', () => {
    check('Quantas vendas de luminaria?', `SELECT COUNT(*) FROM ${L} WHERE produto = 'Luminária'`);
    check('quantas vendas em BELEM?', `SELECT COUNT(*) FROM ${L} WHERE cidade = 'Belém'`);
  });
});

describe('more phrasings', () => {
  it('a number right after a column, month ranges, "ou mais"', () => {
    check('Quantas vendas com desconto de 10%?', `SELECT COUNT(*) FROM ${L} WHERE desconto = 10`);
    check(
      'Quantas vendas houve nas lojas entre janeiro e março de 2022?',
      `SELECT COUNT(*) FROM ${L} WHERE strftime('%Y-%m', data_da_venda) BETWEEN '2022-01' AND '2022-03'`,
    );
    check('Quantas vendas com quantidade de 25 ou mais?', `SELECT COUNT(*) FROM ${L} WHERE quantidade >= 25`);
    check(
      'Quantas vendas tiveram quantidade maior ou igual a 28?',
      `SELECT COUNT(*) FROM ${L} WHERE quantidade >= 28`,
    );
  });
  it('adjectives that name a measure and a direction', () => {
    check(
      'Qual o produto mais barato?',
      `SELECT produto, MIN(preco) FROM ${L} GROUP BY 1 ORDER BY 2 ASC LIMIT 1`,
      {
        ordered: true,
      },
    );
    // Every sensor tied at the coldest reading, not an arbitrary one of them.
    check(
      'Which sensor is the coldest?',
      `SELECT sensor, MIN(temperature_c) FROM ${S} GROUP BY 1 HAVING MIN(temperature_c) = (SELECT MIN(temperature_c) FROM ${S})`,
    );
  });
  it('superlative adjectives before rows or dates rank whole rows', () => {
    check('Mostre as 3 vendas mais caras das lojas', `SELECT * FROM ${L} ORDER BY preco DESC LIMIT 3`, {
      ordered: true,
    });
  });
  it('"top N X by <number column>" ranks by that column', () => {
    check(
      'Top 3 produtos por quantidade',
      `SELECT produto, SUM(quantidade) FROM ${L} GROUP BY 1 ORDER BY 2 DESC LIMIT 3`,
      {
        ordered: true,
      },
    );
  });
  it('an amount asked for a subset is summed', () => {
    check(
      'Qual a quantidade de Caneta em Recife?',
      `SELECT SUM(quantidade) FROM ${L} WHERE produto = 'Caneta' AND cidade = 'Recife'`,
    );
  });
  it('"os 5 maiores preços", "the 5 highest humidity readings": that many values, not the one extreme', () => {
    check('os 5 maiores preços', `SELECT preco FROM ${L} ORDER BY preco DESC LIMIT 5`, { ordered: true });
    check(
      'the 5 highest humidity readings',
      `SELECT humidity FROM ${S} WHERE humidity IS NOT NULL ORDER BY humidity DESC LIMIT 5`,
      { ordered: true },
    );
    check(
      'os 3 menores descontos na loja Praia',
      `SELECT desconto FROM ${L} WHERE loja = 'Praia' ORDER BY desconto ASC LIMIT 3`,
      { ordered: true },
    );
    check('qual o maior preço?', `SELECT MAX(preco) FROM ${L}`);
  });

  it('a level such as a battery ranks by its extreme, not by its sum over the rows', () => {
    check(
      'which sensor has the lowest battery?',
      `SELECT sensor, MIN(battery_mv) FROM ${S} WHERE sensor IS NOT NULL GROUP BY sensor ORDER BY 2 ASC LIMIT 1`,
      { ordered: true },
    );
  });

  it('"when" inside a question joins a condition; at its start it asks for a date', () => {
    check(
      'what is the average battery when status is fault?',
      `SELECT AVG(battery_mv) FROM ${S} WHERE status = 'fault'`,
    );
    check(
      'qual a média de preço quando a loja é Centro?',
      `SELECT AVG(preco) FROM ${L} WHERE loja = 'Centro'`,
    );
    check(
      'humidity of the lab when status is warning',
      `SELECT recorded_at, humidity FROM ${S} WHERE sensor = 'lab' AND status = 'warning'`,
    );
    // At the start: the date of the highest reading — of every reading tied at the maximum.
    const r = interpret('When was the highest temperature?', fx.catalog);
    if (r.kind !== 'sql') throw new Error(`refused: ${r.reason}`);
    const got = fx.db.prepare(r.sql).raw().all() as unknown[][];
    const tied = fx.db
      .prepare(`SELECT recorded_at FROM ${S} WHERE temperature_c = (SELECT MAX(temperature_c) FROM ${S})`)
      .pluck()
      .all();
    expect(tied.length).toBeGreaterThan(1);
    expect(got.map((row) => row[0]).sort()).toEqual([...tied].sort());
  });
  it('"com desconto" and "sem desconto": a number recorded and not zero, or none (or zero)', () => {
    const some = `(desconto IS NOT NULL AND desconto <> 0)`;
    check('Quantas vendas com desconto?', `SELECT COUNT(*) FROM ${L} WHERE ${some}`);
    check(
      'quantas vendas da loja Centro com desconto?',
      `SELECT COUNT(*) FROM ${L} WHERE loja = 'Centro' AND ${some}`,
    );
    check('Qual o preço médio das vendas com desconto?', `SELECT AVG(preco) FROM ${L} WHERE ${some}`);
    check('Quantas vendas sem desconto?', `SELECT COUNT(*) FROM ${L} WHERE desconto IS NULL OR desconto = 0`);
    // A comparison or a value after the column is that filter instead.
    check(
      'vendas com desconto de 10 por loja',
      `SELECT loja, COUNT(*) FROM ${L} WHERE desconto = 10 GROUP BY loja`,
    );
    check('quantas vendas com preço acima de 400?', `SELECT COUNT(*) FROM ${L} WHERE preco > 400`);
  });
  it('negated values and several aggregates at once', () => {
    check('Quantas vendas não são da cidade Recife?', `SELECT COUNT(*) FROM ${L} WHERE cidade <> 'Recife'`);
    // A reading with no status is "not ok" too (the fixture has some).
    expect(fx.db.prepare(`SELECT COUNT(*) FROM ${S} WHERE status IS NULL`).pluck().get()).toBeGreaterThan(0);
    check(
      'How many readings are not ok?',
      `SELECT COUNT(*) FROM ${S} WHERE status IS NULL OR status <> 'ok'`,
    );
    check('Qual o preço mínimo, médio e máximo?', `SELECT MIN(preco), AVG(preco), MAX(preco) FROM ${L}`);
  });
  it('several aggregates per group, not one of them dropped nor read as a ranking', () => {
    check(
      'Qual o preço mínimo e máximo por loja?',
      `SELECT loja, MIN(preco), MAX(preco) FROM ${L} GROUP BY loja`,
    );
    check(
      'Qual a média e a mediana do preço por loja?',
      `SELECT loja, AVG(preco), MEDIAN(preco) FROM ${L} GROUP BY loja`,
    );
    check(
      'average and max temperature by sensor',
      `SELECT sensor, AVG(temperature_c), MAX(temperature_c) FROM ${S} GROUP BY sensor`,
    );
    check(
      'preço mínimo, médio e máximo por cidade e loja',
      `SELECT cidade, loja, MIN(preco), AVG(preco), MAX(preco) FROM ${L} GROUP BY cidade, loja`,
    );
    // Without "and", one aggregate word ranks by the other.
    check(
      'maior preço médio por loja',
      `SELECT loja, AVG(preco) FROM ${L} GROUP BY loja ORDER BY 2 DESC LIMIT 1`,
      { ordered: true },
    );
  });
  it('a year next to a column whose values never reach it is a date filter', () => {
    check(
      'Qual o desconto médio entre 2021 e 2022?',
      `SELECT AVG(desconto) FROM ${L} WHERE strftime('%Y', data_da_venda) BETWEEN '2021' AND '2022'`,
    );
  });
});

describe('listing and most recent', () => {
  it('lists distinct values with a filter', () => {
    check(
      'Quais produtos foram vendidos em Belém?',
      `SELECT DISTINCT produto FROM ${L} WHERE cidade = 'Belém'`,
    );
    check('List the sensors with status fault', `SELECT DISTINCT sensor FROM ${S} WHERE status = 'fault'`);
  });
  it('most recent date and most recent rows', () => {
    check('Qual a data da venda mais recente?', `SELECT MAX(data_da_venda) FROM ${L}`);
    check('Show the 5 most recent sensor readings', `SELECT * FROM ${S} ORDER BY recorded_at DESC LIMIT 5`, {
      ordered: true,
    });
  });
});

describe('words to columns', () => {
  it('uses labels, synonyms and translations', () => {
    // "price" (en) → preco, "store" → loja via the general synonym table.
    check('What is the average price by store?', `SELECT loja, AVG(preco) FROM ${L} GROUP BY loja`);
    check(
      'Qual a temperatura média por sensor?',
      `SELECT sensor, AVG(temperature_c) FROM ${S} GROUP BY sensor`,
    );
    check('Qual a umidade máxima?', `SELECT MAX(humidity) FROM ${S}`);
  });
});

describe('follow-ups', () => {
  it('"e por ano?" regroups the previous question', () => {
    const previous = { question: 'Qual a quantidade total por loja?', sql: '' };
    const r = interpret('e por ano?', fx.catalog, { previous });
    expect(r.kind).toBe('sql');
    if (r.kind !== 'sql') return;
    const got = fx.db.prepare(r.sql).raw().all() as unknown[][];
    const want = fx.db
      .prepare(`SELECT strftime('%Y', data_da_venda), SUM(quantidade) FROM ${L} GROUP BY 1`)
      .raw()
      .all() as unknown[][];
    expect(sameRows(want, got, false)).toBe(true);
  });
  it('"and in the lab?" adds a filter to the previous question', () => {
    const previous = { question: 'What is the average temperature?', sql: '' };
    const r = interpret('and in the lab?', fx.catalog, { previous });
    expect(r.kind).toBe('sql');
    if (r.kind !== 'sql') return;
    const got = fx.db.prepare(r.sql).raw().all() as unknown[][];
    const want = fx.db
      .prepare(`SELECT AVG(temperature_c) FROM ${S} WHERE sensor = 'lab'`)
      .raw()
      .all() as unknown[][];
    expect(sameRows(want, got, false)).toBe(true);
  });
});

describe('naming a table', () => {
  it('picks the table the question names, even when a word of its name means something else', () => {
    check(`How many rows are in ${S}?`, `SELECT COUNT(*) FROM ${S}`);
    check(`Quantas linhas há em ${L}?`, `SELECT COUNT(*) FROM ${L}`);
  });
  it('a full question that fails alone is refused, not merged with the previous one', () => {
    const previous = { question: 'Qual a quantidade total por loja?', sql: '' };
    // Ambiguous between the two tables on its own; read against the previous question it would silently become
    // "total quantity per store" again.
    const r = interpret('How many rows are there in the data?', fx.catalog, { previous });
    expect(r.kind).toBe('unsupported');
  });
});

describe('yes/no columns', () => {
  it('a boolean column named in the question is true, or false when negated', () => {
    const trip = createFixture([
      {
        name: 'passengers',
        columns: [
          { name: 'name', type: 'text' },
          { name: 'survived', label: 'Survived', type: 'boolean' },
          { name: 'fare', type: 'real' },
        ],
        rows: Array.from({ length: 30 }, (_, i) => [
          `P${i}`,
          i % 3 === 0 ? 1 : i % 3 === 1 ? 0 : null,
          i * 1.5,
        ]),
      },
    ]);
    try {
      const count = (q: string) => {
        const r = interpret(q, trip.catalog);
        if (r.kind !== 'sql') throw new Error(`refused "${q}": ${r.reason}`);
        return trip.db.prepare(r.sql).raw().all() as unknown[][];
      };
      expect(count('How many passengers survived?')).toEqual([[10]]);
      expect(count('Quantos passageiros não sobreviveram?')).toEqual([[20]]);
      expect(count('What is the average fare of those who survived?')[0]![0]).toBeCloseTo(20.25);
    } finally {
      trip.close();
    }
  });
});
