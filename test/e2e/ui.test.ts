/**
 * The web UI in a real browser: Debian's Chromium driven by playwright-core against the real server (spawned from
 * source on a free port, a temp DATA_DIR, a short SESSION_TTL). Screenshots of each step go to
 * test-artifacts/e2e/ (not committed). Without /usr/bin/chromium the suite is skipped with a visible line, unless
 * REQUIRE_SERVICES=1, where that is a failure (.ci/run installs Chromium first).
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitOf, freePort, startCli, waitForHttp } from '../helpers/process.js';
import { removeDir, requireServices, tempDir } from '../helpers/services.js';
import { ensureWebBuild } from './web-build.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
/** Short enough to wait out in a test, long enough that no step of the flow sits idle that long. */
const SESSION_TTL = 15;
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'e2e');
/** expect.poll gives up after 1 s by default: too little for a browser and a server on a loaded machine. */
const POLL = { timeout: 10_000 };

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && requireServices) {
  throw new Error(
    `REQUIRE_SERVICES=1 but Chromium is not installed at ${CHROMIUM} (apt-get install -y chromium)`,
  );
}
if (!hasChromium) {
  console.warn(
    `SKIPPED: web UI browser tests — Chromium not found at ${CHROMIUM} (apt-get install -y chromium; set REQUIRE_SERVICES=1 to fail instead)`,
  );
}

/** A Latin-1, `;`-separated export the way Brazilian spreadsheets write it: accents, 1.234,56 and dd/mm/yyyy. */
const REGIONS = ['Sul', 'Sudeste', 'Nordeste', 'Norte', 'Centro-Oeste'];
const PRODUCTS = ['Café', 'Pão de Açúcar', 'Feijão', 'Maçã', 'Açaí'];
function salesCsv(): { bytes: Buffer; averages: Map<string, number> } {
  const lines = ['Data da Venda;Região;Produto;Preço Unitário;Quantidade;Observação'];
  const sums = new Map<string, { total: number; count: number }>();
  for (let i = 0; i < 60; i++) {
    const region = REGIONS[i % REGIONS.length]!;
    const product = PRODUCTS[(i * 3) % PRODUCTS.length]!;
    const cents = 1050 + ((i * 7919) % 250_000); // 10,50 … 2.510,49
    const price = cents / 100;
    const [whole, frac] = price.toFixed(2).split('.') as [string, string];
    const brl = `${Number(whole).toLocaleString('pt-BR')},${frac}`;
    const day = String((i % 28) + 1).padStart(2, '0');
    const month = String((i % 12) + 1).padStart(2, '0');
    lines.push(
      `${day}/${month}/2023;${region};${product};${brl};${(i % 9) + 1};${i % 4 === 0 ? 'entrega rápida' : ''}`,
    );
    const s = sums.get(region) ?? { total: 0, count: 0 };
    s.total += price;
    s.count += 1;
    sums.set(region, s);
  }
  const averages = new Map([...sums].map(([region, s]) => [region, s.total / s.count]));
  return { bytes: Buffer.from(`${lines.join('\r\n')}\r\n`, 'latin1'), averages };
}

describe.runIf(hasChromium)('web UI in Chromium', () => {
  let server: ChildProcess;
  let baseUrl = '';
  let dataDir = '';
  let files = '';
  let browser: Browser;
  let serverLog = '';

  beforeAll(async () => {
    await ensureWebBuild();
    rmSync(ARTIFACTS, { recursive: true, force: true });
    mkdirSync(ARTIFACTS, { recursive: true });
    dataDir = tempDir('agentgraph-e2e');
    files = tempDir('agentgraph-e2e-files');
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    server = startCli(['serve'], {
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      SESSION_TTL: String(SESSION_TTL),
      MAX_SESSIONS_PER_IP: '50',
      DB_ALLOWED_HOSTS: '127.0.0.1',
    });
    server.stderr?.on('data', (chunk: Buffer) => {
      serverLog += chunk.toString();
    });
    await waitForHttp(`${baseUrl}/healthz`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await exitOf(server);
    }
    if (dataDir) removeDir(dataDir);
    if (files) removeDir(files);
  });

  /** A page that records uncaught errors and console errors other than the expected HTTP answers. */
  async function open(context: BrowserContext): Promise<{ page: Page; problems: string[] }> {
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      // The browser logs every 4xx answer; the UI expects some (no session yet, session expired).
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        problems.push(`console: ${message.text()}`);
      }
    });
    await page.goto(baseUrl);
    await page.getByTestId('countdown').waitFor();
    return { page, problems };
  }

  async function shot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  }

  it('visit → upload a Latin-1 CSV → ask → answer, SQL, table, chart → CSV → expiry → start again', async () => {
    const { bytes, averages } = salesCsv();
    const csvPath = join(files, 'relatório-vendas.csv');
    writeFileSync(csvPath, bytes);
    const context = await browser.newContext({ locale: 'pt-BR', viewport: { width: 1280, height: 900 } });
    const { page, problems } = await open(context);

    // 1. A session was created: badge with the countdown, empty storage, Portuguese from the browser.
    await expect.poll(() => page.getByTestId('countdown').textContent(), POLL).toMatch(/^0:1\d$/);
    expect(await page.locator('html').getAttribute('lang')).toBe('pt-BR');
    await page.getByRole('heading', { name: 'Seus dados' }).waitFor();
    await shot(page, '01-start');
    // Keyboard: the first Tab reaches the skip link, which leads to the content.
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.className')).toBe('skip');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate('document.activeElement.id'), POLL).toBe('main');

    // 2. Upload through the picker: a progress bar, then the table card with rows and typed columns.
    await page.getByTestId('file-input').setInputFiles(csvPath);
    const card = page.getByTestId('table-relatorio_vendas');
    await card.waitFor();
    await expect.poll(() => card.textContent(), POLL).toContain('60 linhas');
    const chips = card.locator('.column-chip');
    expect(await chips.allTextContents()).toEqual([
      'Data da Vendadata',
      'Regiãotexto',
      'Produtotexto',
      'Preço Unitáriodecimal',
      'Quantidadeinteiro',
      'Observaçãotexto',
    ]);
    expect(await page.locator('.upload.done').textContent()).toContain('relatorio_vendas');
    expect(await page.getByTestId('storage').textContent()).not.toMatch(/^0 B/);
    await shot(page, '02-uploaded');

    // 3. The preview grid shows the decoded accents and the parsed numbers.
    await card.getByRole('button', { name: 'Pré-visualizar' }).click();
    const preview = card.locator('table.grid');
    await preview.waitFor();
    const previewText = await preview.textContent();
    expect(previewText).toContain('Pão de Açúcar');
    expect(previewText).toContain('2023-01-01');
    expect(await preview.locator('tbody tr').count()).toBe(10);
    await card.getByRole('button', { name: 'Próxima página' }).click();
    await expect.poll(() => card.locator('.pager').textContent(), POLL).toContain('Linhas 11–20 de 60');
    await shot(page, '03-preview');

    // 4. Ask: the answer, the SQL, the rows and the chart.
    await page.getByLabel('Sua pergunta').fill('Qual a média de preço unitário por região?');
    await page.getByRole('button', { name: 'Perguntar' }).click();
    const result = page.getByTestId('result');
    await result.waitFor({ timeout: 30_000 });
    expect(await result.getAttribute('data-status')).toBe('done');
    const answer = await page.getByTestId('answer').textContent();
    expect(answer).toMatch(/média de preço unitário por região/i);
    expect(answer).toContain('Sul');
    // The reading above the table says what was computed, in the question's language (issue 13).
    expect(await page.getByTestId('reading').textContent()).toMatch(
      /Como li a pergunta:.*média de preço unitário para cada região/i,
    );
    const sql = page.getByTestId('sql');
    await sql.locator('summary').click();
    expect(await sql.locator('code').textContent()).toMatch(
      /SELECT[\s\S]*AVG\("preco_unitario"\)[\s\S]*GROUP BY/,
    );
    expect(await result.locator('table.grid tbody tr').count()).toBe(5);
    await page.locator('[data-testid="chart"][data-state="ready"] svg').first().waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-testid="chart"] svg .mark-rect path').count()).toBe(5);
    // Sorting: the second column, descending after two clicks.
    const sortButton = result.locator('thead button').nth(1);
    await sortButton.click();
    await sortButton.click();
    expect(await result.locator('thead th').nth(1).getAttribute('aria-sort')).toBe('descending');
    const values = (await result.locator('tbody tr td:nth-child(2)').allTextContents()).map((v) =>
      Number(v.replace(/\./g, '').replace(',', '.')),
    );
    expect(values).toEqual([...values].sort((a, b) => b - a));
    await shot(page, '04-answer');

    // 5. Download the CSV: UTF-8 with BOM, one line per region, the averages of the file we wrote.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('download').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^result-.*\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    const [header, ...rows] = csv.slice(1).trim().split(/\r?\n/);
    expect(header).toBe('regiao,avg_preco_unitario');
    expect(rows).toHaveLength(5);
    for (const row of rows) {
      const [region, value] = row.split(',') as [string, string];
      expect(Number(value)).toBeCloseTo(averages.get(region)!, 6);
    }

    // 6. A question the engine cannot answer offers suggestions; the history reopens the first answer.
    await page.getByLabel('Sua pergunta').fill('Qual é o sentido da vida?');
    await page.getByLabel('Sua pergunta').press('Enter');
    await expect
      .poll(() => page.getByTestId('result').locator('.question-echo').textContent(), POLL)
      .toContain('sentido da vida');
    expect(await result.locator('.suggest-block .chip').count()).toBeGreaterThan(0);
    const history = page.locator('.history-item');
    await expect.poll(() => history.count(), POLL).toBe(2);
    await shot(page, '05-unsupported');
    await history.nth(1).click();
    await expect.poll(() => page.getByTestId('answer').textContent(), POLL).toBe(answer);
    await page.locator('[data-testid="chart"][data-state="ready"] svg').first().waitFor();
    await shot(page, '06-history');

    // 7. Nothing touches the session now: it expires, the page says so and offers to start again.
    const notice = page.getByTestId('expired');
    await notice.waitFor({ timeout: (SESSION_TTL + 15) * 1000 });
    expect(await notice.textContent()).toContain('Sua sessão expirou');
    await shot(page, '07-expired');
    await notice.getByRole('button', { name: 'Iniciar uma nova sessão' }).click();
    await page.getByTestId('countdown').waitFor();
    await page.getByText('Nenhuma tabela ainda. Envie um arquivo para começar.').waitFor();
    expect(await page.locator('.table-card').count()).toBe(0);
    await shot(page, '08-restarted');

    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  it('two browsers at once never see each other’s tables; English, language switch, phone width', async () => {
    const a = join(files, 'clientes.csv');
    const b = join(files, 'produtos.csv');
    writeFileSync(a, 'nome,cidade\nAna,Recife\nBruno,Natal\n');
    writeFileSync(b, 'product,price\nPen,1.5\nBook,12\n');
    const c = join(files, 'extra.csv');
    writeFileSync(c, 'x,y\n1,2\n');
    const desk = await browser.newContext({ locale: 'pt-BR', viewport: { width: 1280, height: 900 } });
    const phone = await browser.newContext({
      locale: 'en-US',
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    const [one, two] = await Promise.all([open(desk), open(phone)]);
    await two.page.getByRole('heading', { name: 'Your data' }).waitFor();

    // The desk drops its file on the drop zone; the phone picks two files at once (one bar each), then deletes one.
    const dropped = await one.page.evaluateHandle(
      `(() => { const t = new DataTransfer(); t.items.add(new File([${JSON.stringify(readFileSync(a, 'utf8'))}], 'clientes.csv', { type: 'text/csv' })); return t; })()`,
    );
    await Promise.all([
      one.page.locator('.dropzone').dispatchEvent('drop', { dataTransfer: dropped }),
      two.page.getByTestId('file-input').setInputFiles([b, c]),
    ]);
    await Promise.all([
      one.page.getByTestId('table-clientes').waitFor(),
      two.page.getByTestId('table-produtos').waitFor(),
      two.page.getByTestId('table-extra').waitFor(),
    ]);
    expect(await two.page.locator('.upload.done').count()).toBe(2);
    await two.page.getByRole('button', { name: 'Delete table extra' }).click();
    await two.page.getByTestId('table-extra').waitFor({ state: 'detached' });
    // After a reload each still sees only its own table.
    await Promise.all([one.page.reload(), two.page.reload()]);
    await Promise.all([
      one.page.getByTestId('table-clientes').waitFor(),
      two.page.getByTestId('table-produtos').waitFor(),
    ]);
    expect(await one.page.locator('.table-name').allTextContents()).toEqual(['clientes']);
    expect(await two.page.locator('.table-name').allTextContents()).toEqual(['produtos']);

    // The phone asks a question; the page fits the screen (no sideways scrolling).
    // The event stream is held back a moment so the progress panel (and its cancel button) can be seen; long
    // enough for two look-ups by a slow browser.
    await two.page.route('**/events', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 3000));
      await route.continue();
    });
    await two.page.getByLabel('Your question').fill('What is the average price?');
    await two.page.getByRole('button', { name: 'Ask' }).click();
    await two.page.getByTestId('progress').waitFor();
    await two.page.getByRole('button', { name: 'Cancel' }).waitFor();
    await shot(two.page, '09-phone-running');
    await two.page.getByTestId('answer').waitFor({ timeout: 30_000 });
    // A string, evaluated in the page: the test's own tsconfig has no DOM types.
    const overflow = Number(
      await two.page.evaluate('document.documentElement.scrollWidth - window.innerWidth'),
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await shot(two.page, '10-phone-en');

    // Switching the language changes the page and the language of API messages.
    await two.page.getByRole('button', { name: 'PT', exact: true }).click();
    await two.page.getByRole('heading', { name: 'Seus dados' }).waitFor();
    expect(await two.page.locator('html').getAttribute('lang')).toBe('pt-BR');
    await shot(two.page, '11-phone-pt');
    await shot(one.page, '12-desk-isolated');

    // Settings: top_k and advanced mode saved through PATCH /api/session; advanced mode shows timings.
    await one.page.getByLabel(/top_k/).fill('25');
    await one.page.getByLabel(/Modo avançado/).check();
    await one.page.getByRole('button', { name: 'Salvar configurações' }).click();
    await one.page.getByText('Configurações salvas.').waitFor();
    await one.page.getByLabel('Sua pergunta').fill('Quantas linhas há em clientes?');
    await one.page.getByLabel('Sua pergunta').press('Enter');
    await one.page.getByTestId('answer').waitFor({ timeout: 30_000 });
    await one.page.getByText(/Tempo: .* ms/).waitFor();
    expect(await one.page.getByTestId('sql').getAttribute('open')).not.toBeNull();
    await shot(one.page, '13-desk-advanced');

    // "End session" removes it at once and offers a new one.
    await one.page.getByRole('button', { name: 'Encerrar sessão' }).click();
    await one.page.getByTestId('ended').waitFor();
    await shot(one.page, '14-ended');

    expect([...one.problems, ...two.problems]).toEqual([]);
    await Promise.all([desk.close(), phone.close()]);
  }, 90_000);

  it('connect a PostgreSQL database: its tables, a question answered there, a wrong host explained, back to files', async () => {
    const schema = `agentgraph_e2e_${Date.now().toString(36)}`;
    const admin = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' });
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA ${schema}`);
      await admin.query(`CREATE TABLE ${schema}.orders (city text, amount integer)`);
      await admin.query(
        `INSERT INTO ${schema}.orders SELECT 'c' || (g % 3), g FROM generate_series(1, 42) g`,
      );
      const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
      const { page, problems } = await open(context);
      await page.getByRole('button', { name: 'Connect a database' }).click();
      const form = page.getByRole('form', { name: 'Connect a database' });
      // A host outside DB_ALLOWED_HOSTS: said in words, nothing changes.
      await form.getByLabel('Host').fill('10.20.30.40');
      await form.getByLabel('Database name').fill('test');
      await form.getByLabel('User').fill('postgres');
      await form.getByLabel('Password').fill('pw');
      await form.getByLabel('Schema').fill(schema);
      await form.getByRole('button', { name: 'Connect' }).click();
      await expect
        .poll(() => form.getByRole('alert').textContent(), POLL)
        .toMatch(/not allowed on this server/);
      await form.getByLabel('Host').fill('127.0.0.1');
      await form.getByRole('button', { name: 'Connect' }).click();
      const connected = page.getByTestId('connected');
      await connected.waitFor();
      expect(await connected.textContent()).toContain(
        `postgresql://postgres:***@127.0.0.1:5432/test?schema=${schema}`,
      );
      expect(await connected.textContent()).not.toContain('pw');
      await page.getByTestId('table-orders').waitFor();
      expect(await connected.textContent()).toContain('1 table found');
      // Read-only here: no Delete on the database's tables.
      expect(await page.getByRole('button', { name: 'Delete table orders' }).count()).toBe(0);
      await shot(page, '20-connected');
      await page.getByLabel('Your question').fill('How many rows are there?');
      await page.getByRole('button', { name: 'Ask' }).click();
      const result = page.getByTestId('result');
      await result.waitFor({ timeout: 30_000 });
      expect(await result.locator('table.grid tbody').textContent()).toContain('42');
      await page.getByRole('button', { name: 'Back to my files' }).click();
      await page.getByTestId('table-orders').waitFor({ state: 'detached' });
      await page.getByTestId('file-input').waitFor({ state: 'attached' });
      expect(problems).toEqual([]);
      await context.close();
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    }
  });

  it('the per-IP session limit and API errors are explained in plain words', async () => {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1024, height: 700 } });
    // The server's 429 is tested in the API suites; here the page's handling of it, answered by the route.
    await context.route('**/api/session', (route) =>
      route.request().method() === 'GET'
        ? route.fulfill({
            status: 401,
            contentType: 'application/json',
            body: JSON.stringify({ error: { code: 'session_missing', message: 'No session.' } }),
          })
        : route.continue(),
    );
    await context.route('**/api/sessions', (route) =>
      route.fulfill({
        status: 429,
        contentType: 'application/json',
        body: JSON.stringify({
          error: {
            code: 'session_limit',
            message:
              'This address already has 5 active sessions, the maximum. End one or wait for it to expire.',
          },
        }),
      }),
    );
    const page = await context.newPage();
    await page.goto(baseUrl);
    const notice = page.getByTestId('limit');
    await notice.waitFor();
    expect(await notice.textContent()).toContain('Too many open sessions');
    expect(await notice.textContent()).toContain('already has 5 active sessions');
    await shot(page, '15-session-limit');
    await context.close();

    // A real API error (a file the importer refuses) is shown with the server's message.
    const real = await browser.newContext({ locale: 'en-US' });
    const { page: p2, problems } = await open(real);
    const bad = join(files, 'empty.csv');
    writeFileSync(bad, '');
    await p2.getByTestId('file-input').setInputFiles(bad);
    const failed = p2.locator('.upload.failed');
    await failed.waitFor();
    expect(await failed.textContent()).toMatch(/Failed: .+/);
    await shot(p2, '16-upload-error');
    expect(problems).toEqual([]);
    await real.close();
  }, 60_000);

  afterAll(() => {
    if (serverLog.trim()) console.log(`[e2e] server stderr:\n${serverLog.slice(-4000)}`);
  });
});
