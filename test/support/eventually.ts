import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Reads until `accept` takes the value read, and answers it; fails with the last value once `timeoutMs`
 * has passed. For what tests wait on across processes, where no event says when it happens.
 */
export async function eventually<T>(read: () => T | Promise<T>, accept: (value: T) => boolean, timeoutMs = 30_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`still ${JSON.stringify(value)} after ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}
