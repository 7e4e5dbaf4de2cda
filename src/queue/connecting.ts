/**
 * BullMQ's Queue and Worker finish connecting in the background (they ask Redis for its version). Closed before
 * that, they drop their listeners and the pending check then rejects unhandled ("Connection is closed."), which
 * ends the process. Waiting here first avoids it — bounded, since against a Redis that is down it never ends.
 */
const LIMIT_MS = 5_000;

export async function untilConnected(target: { waitUntilReady(): Promise<unknown> }): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    target.waitUntilReady().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, LIMIT_MS);
    }),
  ]);
  clearTimeout(timer);
}
