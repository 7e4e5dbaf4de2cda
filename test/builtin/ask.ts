/** Asking the engine in tests: the rows of its answer on a fixture, or the reason it refused. */
import { interpret } from '../../src/builtin/index.js';
import type { Fixture } from './fixtures.js';

/** The rows the engine's SQL returns for the question; throws with the reason when it refuses. */
export function answerRows(fx: Fixture, question: string): unknown[][] {
  const r = interpret(question, fx.catalog);
  if (r.kind !== 'sql') throw new Error(`refused "${question}": ${r.reason}`);
  return fx.db.prepare(r.sql).raw().all() as unknown[][];
}

/** The reason the engine gives for refusing the question; throws with the SQL when it answers. */
export function refusalReason(fx: Fixture, question: string): string {
  const r = interpret(question, fx.catalog);
  if (r.kind === 'sql') throw new Error(`answered "${question}": ${r.sql}`);
  return r.reason;
}
