#!/usr/bin/env node
/**
 * agentgraph serve | worker | cleanup | stats | ask — one code base, the process role chosen here.
 * JSON output goes to stdout; logs go to stderr.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { type Config, ConfigError, loadConfig } from './config.js';
import type { QueryJob, QueryResult } from './engine/types.js';
import { buildApp } from './http/app.js';
import { collectStats } from './http/routes/admin.js';
import { createLogger } from './logger.js';
import { createServices } from './services.js';

const USAGE = `Usage: agentgraph <command> [options]

Commands:
  serve      HTTP API and web UI (embedded mode also runs the cleanup scheduler)
  worker     run queued questions (needs REDIS_URL)
  cleanup    one cleanup run now; prints its report as JSON
  stats      session, cache and cleanup stats as JSON
  ask        -f FILE [-f FILE…] [--model M] [--json] "QUESTION"

Configuration comes from environment variables; see the README.`;

async function serve(config: Config): Promise<void> {
  const logger = createLogger(config, 'api');
  const services = createServices(config, logger);
  const app = await buildApp(services);
  // The scheduler runs in every API process; the store's lock makes sure only one run happens at a time.
  services.cleanup.start();
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await app.close();
    await services.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info(
    { mode: config.redisUrl ? 'scaled' : 'embedded', data_dir: config.dataDir },
    `AgentGraph listening on http://${config.host}:${port}`,
  );
}

async function withServices<T>(
  config: Config,
  role: string,
  work: (s: ReturnType<typeof createServices>) => Promise<T>,
) {
  const services = createServices(config, commandLogger(config, role));
  try {
    return await work(services);
  } finally {
    await services.close();
  }
}

/**
 * One-shot question: a temporary embedded session in a temporary DATA_DIR (whatever REDIS_URL says: nothing to
 * share), the files imported through the same path as uploads, the answer printed, everything removed.
 */
async function ask(config: Config, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      file: { type: 'string', short: 'f', multiple: true },
      model: { type: 'string', short: 'm' },
      json: { type: 'boolean', default: false },
    },
  });
  const question = positionals.join(' ').trim();
  if (!values.file?.length || !question) {
    process.stderr.write('Usage: agentgraph ask -f FILE [-f FILE…] [--model M] [--json] "QUESTION"\n');
    return 2;
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'agentgraph-ask-'));
  const services = createServices({ ...config, dataDir, redisUrl: undefined }, commandLogger(config, 'ask'));
  try {
    let session = await services.sessions.create('cli');
    for (const file of values.file) {
      const outcome = await services.tables.upload(session, {
        source: createReadStream(file),
        fileName: basename(file),
      });
      session = outcome.session;
      for (const warning of outcome.warnings)
        process.stderr.write(`warning (${basename(file)}): ${warning}\n`);
    }
    const job: QueryJob = {
      query_id: randomUUID(),
      session_id: session.session_id,
      question,
      ...(values.model ? { model: values.model } : {}),
      submitted_at: Date.now() / 1000,
    };
    await services.queue.submit(job);
    const result = await services.queue.wait(session.session_id, job.query_id);
    if (values.json) printJson(result);
    else process.stdout.write(formatResult(result));
    return result.status === 'done' ? 0 : 1;
  } finally {
    await services.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

function formatResult(result: QueryResult): string {
  const lines: string[] = [];
  if (result.error) lines.push(`${result.status}: ${result.error.message}`);
  if (result.answer) lines.push(result.answer);
  if (result.suggestions?.length) lines.push('', ...result.suggestions.map((s) => `  • ${s}`));
  if (result.sql) lines.push('', result.sql);
  if (result.columns.length) {
    const shown = result.rows.slice(0, 20).map((row) => row.map((v) => (v === null ? '' : String(v))));
    const widths = result.columns.map((c, i) =>
      Math.min(40, Math.max(c.length, ...shown.map((r) => r[i]!.length))),
    );
    const line = (cells: string[]) => cells.map((c, i) => c.slice(0, 40).padEnd(widths[i]!)).join('  ');
    lines.push('', line(result.columns), line(widths.map((w) => '-'.repeat(w))), ...shown.map(line));
    if (result.row_count > shown.length) lines.push(`… ${result.row_count - shown.length} more rows`);
  }
  return `${lines.join('\n')}\n`;
}

/** One-shot commands print results, not the server's info lines: quieter unless asked for more. */
function commandLogger(config: Config, role: string) {
  return createLogger({ logLevel: config.logLevel === 'info' ? 'warn' : config.logLevel }, role);
}

function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 78; // EX_CONFIG
    }
    throw error;
  }
  switch (command) {
    case 'serve':
      parseArgs({ args: rest, options: {} });
      await serve(config);
      return -1; // keeps running
    case 'cleanup':
      parseArgs({ args: rest, options: {} });
      printJson(await withServices(config, 'cleanup', (s) => s.cleanup.run({ orphans: true })));
      return 0;
    case 'stats':
      parseArgs({ args: rest, options: {} });
      printJson(await withServices(config, 'stats', (s) => collectStats(s)));
      return 0;
    case 'ask':
      return ask(config, rest);
    case 'worker':
      process.stderr.write(`agentgraph ${command}: not available in this version yet.\n`);
      return 2;
    default:
      process.stderr.write(`Unknown command "${command}".\n\n${USAGE}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`agentgraph: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
