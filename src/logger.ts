import { hostname } from 'node:os';
import { type Logger, pino } from 'pino';
import type { Config } from './config.js';

/** JSON logs on stderr, so stdout stays clean for the CLI's JSON output. */
export function createLogger(config: Pick<Config, 'logLevel'>, role: string): Logger {
  return pino(
    { level: config.logLevel, base: { role, pid: process.pid, host: hostname() } },
    pino.destination(2),
  );
}
