#!/usr/bin/env node
/**
 * agentgraph serve | worker | cleanup | stats | ask — one code base, the process role chosen here.
 * JSON output goes to stdout; logs go to stderr.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Logger } from 'pino';
import { type Config, ConfigError, loadConfig } from './config.js';
import { parseConnectionInput } from './connections/spec.js';
import type { QueryJob, QueryResult } from './engine/types.js';
import { buildApp } from './http/app.js';
import { collectStats } from './http/routes/admin.js';
import { createLogger } from './logger.js';
import { createServices } from './services.js';

const USAGE = `Usage: agentgraph <command> [options]

Commands:
  serve      HTTP API and web UI (embedded mode also runs the cleanup scheduler)
  worker     run queued questions (needs REDIS_URL) [--lock-ms N]
  cleanup    one cleanup run now; prints its report as JSON
  stats      session, cache and cleanup stats as JSON
  ask        (-f FILE [-f FILE…] | --db URI) [--model M] [--json] "QUESTION"

Options of serve, worker, cleanup and stats:
  --redis-prefix P   Redis key prefix (default agentgraph:), for several deployments sharing one Redis

Configuration comes from environment variables; see the README.`;

const PREFIX_OPTION = { 'redis-prefix': { type: 'string' } } as const;

/** --redis-prefix, as a ServiceOptions fragment. */
function prefixOption(value: string | undefined): { keyPrefix?: string } {
  if (value === undefined) return {};
  if (!/^[\w.:-]{1,64}$/.test(value))
    throw new UsageError('--redis-prefix: letters, digits and . : _ - only');
  return { keyPrefix: value };
}

class UsageError extends Error {}

/**
 * Once a process is on its way out, a connection that fails as it is closed (BullMQ reports a start-up that Redis,
 * being down, never let finish — see queue/connecting.ts) must not turn a clean stop into a crash: log it instead.
 */
function tolerateErrorsWhileStopping(logger: Logger): void {
  process.on('unhandledRejection', (reason) =>
    logger.debug({ err: reason }, 'error while stopping (ignored)'),
  );
}

async function serve(config: Config, args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: PREFIX_OPTION });
  const logger = createLogger(config, 'api');
  const services = createServices(config, logger, { role: 'api', ...prefixOption(values['redis-prefix']) });
  const app = await buildApp(services);
  // The scheduler runs in every API process; the store's lock makes sure only one run happens at a time.
  services.cleanup.start();
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    tolerateErrorsWhileStopping(logger);
    await app.close();
    await services.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  // Before accepting uploads: roll back imports a crash (kill -9, power loss) cut short, so every session opens
  // with the tables it had. Embedded mode is the only writer of its sessions; with Redis, another API process may be
  // spooling an upload right now, so only spooled files older than the longest an upload may take are removed.
  const grace = config.redisUrl ? 2 * (config.importTimeoutMs + 600_000) : 0;
  const recovered = await services.tables.recoverAll(grace);
  if (recovered.length) logger.warn({ sessions: recovered.length }, 'recovered interrupted imports');
  await app.listen({ host: config.host, port: config.port });
  // The first upload then finds an import process ready (idle ones do not keep the process alive).
  void services.imports.warm();
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info(
    { mode: config.redisUrl ? 'scaled' : 'embedded', data_dir: config.dataDir },
    `AgentGraph listening on http://${config.host}:${port}`,
  );
}

/**
 * The BullMQ worker: takes questions from Redis until SIGTERM/SIGINT, then finishes the running ones and exits 0.
 * A second signal stops at once (exit 1; the running questions are retried by another worker).
 */
async function worker(config: Config, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { 'lock-ms': { type: 'string' }, ...PREFIX_OPTION } });
  if (!config.redisUrl) {
    process.stderr.write('agentgraph worker needs REDIS_URL (it takes questions from a Redis queue).\n');
    return 2;
  }
  const lockMs = values['lock-ms'] === undefined ? undefined : Number(values['lock-ms']);
  if (lockMs !== undefined && !(Number.isInteger(lockMs) && lockMs >= 500)) {
    process.stderr.write('--lock-ms must be a whole number of milliseconds, at least 500.\n');
    return 2;
  }
  const logger = createLogger(config, 'worker');
  const services = createServices(config, logger, {
    role: 'worker',
    ...prefixOption(values['redis-prefix']),
    ...(lockMs !== undefined ? { workerLockMs: lockMs } : {}),
  });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: stopping now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing running questions, taking no new ones');
    tolerateErrorsWhileStopping(logger);
    try {
      await services.close();
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  logger.info(
    { worker_id: services.worker?.id, concurrency: config.workerConcurrency, data_dir: config.dataDir },
    'AgentGraph worker running',
  );
  return -1; // keeps running
}

async function withServices<T>(
  config: Config,
  role: string,
  args: string[],
  work: (s: ReturnType<typeof createServices>) => Promise<T>,
) {
  const { values } = parseArgs({ args, options: PREFIX_OPTION });
  const services = createServices(config, commandLogger(config, role), {
    role: 'cli',
    ...prefixOption(values['redis-prefix']),
  });
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
const ASK_USAGE =
  'Usage: agentgraph ask (-f FILE [-f FILE…] | --db postgresql://… | mysql://…) [--model M] [--json] "QUESTION"';

async function ask(config: Config, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      file: { type: 'string', short: 'f', multiple: true },
      db: { type: 'string' },
      model: { type: 'string', short: 'm' },
      json: { type: 'boolean', default: false },
    },
  });
  const question = positionals.join(' ').trim();
  const files = values.file ?? [];
  if ((files.length === 0) === (values.db === undefined) || !question) {
    process.stderr.write(`${ASK_USAGE}\n`);
    return 2;
  }
  // The database named on the command line is the one the operator chose: allowed for this run, whatever
  // DB_ALLOWED_HOSTS says (it governs what visitors of the server may reach); its password is sealed with a
  // key that lives as long as the run.
  const spec = values.db === undefined ? null : parseConnectionInput({ uri: values.db });
  const dataDir = await mkdtemp(join(tmpdir(), 'agentgraph-ask-'));
  const services = createServices(
    {
      ...config,
      dataDir,
      redisUrl: undefined,
      ...(spec ? { dbAllowedHosts: [spec.host], secretKey: randomBytes(32).toString('base64url') } : {}),
    },
    commandLogger(config, 'ask'),
  );
  try {
    let session = await services.sessions.create('cli');
    if (spec) session = (await services.connections.attach(services.sessions, session, spec)).doc;
    for (const file of files) {
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
  try {
    return await run(command, rest, config);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

async function run(command: string, rest: string[], config: Config): Promise<number> {
  switch (command) {
    case 'serve':
      await serve(config, rest);
      return -1; // keeps running
    case 'cleanup':
      printJson(await withServices(config, 'cleanup', rest, (s) => s.cleanup.run({ orphans: true })));
      return 0;
    case 'stats':
      printJson(await withServices(config, 'stats', rest, (s) => collectStats(s)));
      return 0;
    case 'ask':
      return ask(config, rest);
    case 'worker':
      return worker(config, rest);
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
