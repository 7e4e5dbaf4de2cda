#!/usr/bin/env node
/**
 * agentgraph serve | worker | cleanup | stats | ask — one code base, the process role chosen here.
 * JSON output goes to stdout; logs go to stderr.
 */
import { parseArgs } from 'node:util';
import { type Config, ConfigError, loadConfig } from './config.js';
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
  const services = createServices(
    config,
    createLogger({ logLevel: config.logLevel === 'info' ? 'warn' : config.logLevel }, role),
  );
  try {
    return await work(services);
  } finally {
    await services.close();
  }
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
    case 'worker':
    case 'ask':
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
