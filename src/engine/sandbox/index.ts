/** The SQL sandbox: one module every path that runs visitor or model SQL goes through (docs/sandbox.md). */

export { ALLOWED_PRAGMA_FUNCTIONS, checkSql, MAX_SQL_LENGTH, prepareGuarded } from '../sql-guard.js';
export {
  QuerySandbox,
  type RunOptions,
  type SandboxCheck,
  type SandboxOptions,
  type SandboxResult,
  type SandboxStats,
} from './pool.js';
