/**
 * Redis connections with the behaviour every part of AgentGraph wants: reconnect forever with capped backoff (a
 * Redis restart heals without restarting our processes), but fail a command quickly while Redis is down so callers
 * answer 503 instead of hanging.
 */
import { once } from 'node:events';
import { Redis, type RedisOptions } from 'ioredis';

export function createRedis(url: string, overrides: RedisOptions = {}): Redis {
  return new Redis(url, {
    connectTimeout: 2000,
    // A command waits for at most one reconnection attempt, then fails with an error we map to 503.
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(100 * times, 2000),
    enableReadyCheck: true,
    ...overrides,
  });
}

/** Whether an error is Redis being unreachable (as opposed to a script or type error, which is a bug). */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const text = `${error.name} ${error.message}`;
  return /MaxRetriesPerRequest|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|Connection is closed|Stream isn't writeable|connect|Command timed out/i.test(
    text,
  );
}

/**
 * Closes a connection without waiting on a Redis that is away. QUIT (which lets pending replies arrive first) only
 * while connected, and bounded; otherwise a plain disconnect: a QUIT sent while disconnected waits in the client's
 * offline queue until Redis is back, which during an outage means a shutdown that never ends.
 */
export async function closeRedis(client: Redis | null | undefined, limitMs = 2000): Promise<void> {
  if (!client || client.status === 'end') return;
  // A connection being made (Redis just came back) is let finish first: dropped mid-way, the commands ioredis queues
  // for it itself (re-subscribing a subscriber) are rejected with nobody listening — an unhandled rejection.
  if (client.status === 'connect' || client.status === 'connecting')
    await waitAtMost(once(client, 'ready'), limitMs);
  if (client.status === 'ready') await waitAtMost(client.quit(), limitMs);
  // After a QUIT that was answered this does nothing; in every other case it drops the connection.
  client.disconnect();
}

/** Waits for `promise` (whose failure is ignored) or `ms`, whichever comes first; true when the promise settled. */
export async function waitAtMost(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const settled = await Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    }),
  ]);
  clearTimeout(timer);
  return settled;
}
