/**
 * BullMQ's Queue and Worker finish connecting in the background (they ask Redis for its version) and report a
 * failure of that start-up as an 'error' event. Closing one removes its listeners, so a start-up still pending at
 * that moment fails later with nobody listening: an unhandled rejection, which ends the process (a test run
 * closing services right after creating them hit it). closeBullmq() lets a start-up in progress finish first —
 * bounded, and not at all while the connection is retrying (Redis is down: it would never finish); that case is
 * left to the CLI's shutdown, which tolerates errors once it is on its way out.
 */
import type { Redis } from 'ioredis';
import { waitAtMost } from '../redis.js';

const LIMIT_MS = 5_000;

interface BullmqClosable {
  waitUntilReady(): Promise<unknown>;
  close(): Promise<void>;
}

export async function closeBullmq(target: BullmqClosable, connection: Redis | null): Promise<void> {
  const retrying = connection?.status === 'reconnecting' || connection?.status === 'close';
  if (!retrying) await waitAtMost(target.waitUntilReady(), LIMIT_MS);
  await target.close().catch(() => undefined);
}
