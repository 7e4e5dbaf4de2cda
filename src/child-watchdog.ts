/**
 * The watchdog of a pool child (process-pool.ts): a thread that SIGKILLs its own process when the parent can no
 * longer do it — the parent died (nobody is left to kill us), or a request overran its deadline by the parent's
 * grace. It works while the main thread is stuck in native code (a SQLite statement, a huge parse) because it is
 * its own thread; it is plain JS so it needs no loader.
 */
import { Worker } from 'node:worker_threads';

const WATCHDOG = `
const { workerData } = require('node:worker_threads');
const deadline = new BigInt64Array(workerData.buffer);
setInterval(() => {
  const due = Atomics.load(deadline, 0);
  let orphan = false;
  try { process.kill(workerData.ppid, 0); } catch { orphan = true; }
  if (orphan || (due > 0n && BigInt(Date.now()) > due)) process.kill(process.pid, 'SIGKILL');
}, 250);
`;

export interface Watchdog {
  /** The process is killed if still busy `ms` from now. */
  arm(ms: number): void;
  /** Idle: only the parent's death kills the process. */
  disarm(): void;
}

export function startWatchdog(): Watchdog {
  // Epoch ms after which the watchdog kills this process; 0 = idle.
  const deadline = new BigInt64Array(new SharedArrayBuffer(8));
  new Worker(WATCHDOG, {
    eval: true,
    execArgv: [],
    workerData: { buffer: deadline.buffer, ppid: process.ppid },
  }).unref();
  return {
    arm: (ms) => Atomics.store(deadline, 0, BigInt(Date.now() + ms)),
    disarm: () => Atomics.store(deadline, 0, 0n),
  };
}
