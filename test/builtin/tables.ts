/**
 * Generated tables for the engine's tests (deliberately unlike the eval data): a Portuguese sales sheet, an English
 * sensor log with datetimes and empties, and a table with awkward names and quoted values for SQL safety.
 */
import { rng, type TableSpec } from './fixtures.js';

const STORES = ['Centro', 'Shopping Norte', 'Aeroporto', 'Praia'];
const PRODUCTS = ['Caneta', 'Mochila', 'Garrafa', 'Fone', 'Luminária', 'Tapete'];
const SELLERS = ['Renata Prado', 'Otávio Lins', 'Sílvia Couto'];
const CITIES = ['Recife', 'Curitiba', 'Belém'];

export function lojasSpec(): TableSpec {
  const r = rng(7);
  const rows: (string | number | null)[][] = [];
  for (let i = 0; i < 240; i++) {
    const month = 1 + Math.floor(r() * 12);
    const day = 1 + Math.floor(r() * 28);
    const year = r() < 0.5 ? 2021 : 2022;
    const product = PRODUCTS[Math.floor(r() * PRODUCTS.length)]!;
    rows.push([
      `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
      STORES[Math.floor(r() * STORES.length)]!,
      CITIES[Math.floor(r() * CITIES.length)]!,
      product,
      1 + Math.floor(r() * 30),
      Math.round((5 + r() * 400) * 100) / 100,
      [0, 5, 10, 15][Math.floor(r() * 4)]!,
      SELLERS[Math.floor(r() * SELLERS.length)]!,
    ]);
  }
  return {
    name: 'movimento_lojas',
    label: 'Movimento Lojas.csv',
    columns: [
      { name: 'data_da_venda', label: 'Data da Venda', type: 'date' },
      { name: 'loja', label: 'Loja', type: 'text' },
      { name: 'cidade', label: 'Cidade', type: 'text' },
      { name: 'produto', label: 'Produto', type: 'text' },
      { name: 'quantidade', label: 'Quantidade', type: 'integer' },
      { name: 'preco', label: 'Preço', type: 'real' },
      { name: 'desconto', label: 'Desconto (%)', type: 'real' },
      { name: 'vendedor', label: 'Vendedor', type: 'text' },
    ],
    rows,
  };
}

const SENSORS = ['north-wing', 'south-wing', 'lab', 'garage', 'roof'];
const STATUS = ['ok', 'warning', 'fault'];

export function sensorsSpec(): TableSpec {
  const r = rng(11);
  const rows: (string | number | null)[][] = [];
  for (let i = 0; i < 300; i++) {
    const month = 1 + (i % 12);
    const day = 1 + Math.floor(r() * 28);
    const hour = Math.floor(r() * 24);
    rows.push([
      `2019-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')} ${String(hour).padStart(2, '0')}:15:00`,
      SENSORS[Math.floor(r() * SENSORS.length)]!,
      Math.round((-5 + r() * 40) * 10) / 10,
      Math.round(r() * 1000) / 10,
      r() < 0.1 ? null : STATUS[Math.floor(r() * STATUS.length)]!,
      r() < 0.15 ? null : Math.round(r() * 500),
    ]);
  }
  return {
    name: 'sensor_log',
    label: 'sensor-log.csv',
    columns: [
      { name: 'recorded_at', label: 'Recorded At', type: 'datetime' },
      { name: 'sensor', label: 'Sensor', type: 'text' },
      { name: 'temperature_c', label: 'Temperature (C)', type: 'real' },
      { name: 'humidity', label: 'Humidity', type: 'real' },
      { name: 'status', label: 'Status', type: 'text' },
      { name: 'battery_mv', label: 'Battery (mV)', type: 'integer' },
    ],
    rows,
  };
}

const OWNERS = ["O'Brien", 'Smith; DROP TABLE x', 'Ana "Nina" Reis', "D'Ávila"];

/** Quotes in values and in column names: the SQL must still be one safe SELECT. */
export function awkwardSpec(): TableSpec {
  const rows: (string | number | null)[][] = [];
  for (let i = 0; i < 40; i++)
    rows.push([OWNERS[i % OWNERS.length]!, (i * 37) % 101, i % 3 === 0 ? 'x"y' : 'plain']);
  return {
    name: 'pets',
    label: 'pets.csv',
    columns: [
      { name: 'owner', label: 'Owner', type: 'text' },
      { name: 'weird"score', label: 'Score', type: 'integer' },
      { name: 'tag', label: 'Tag', type: 'text' },
    ],
    rows,
  };
}
