interface Waiter<V> {
  resolve: (value: V | undefined) => void;
  reject: (error: Error) => void;
}

/**
 * Look-ups asked for in the same turn of the event loop, answered by one bulk call when the turn ends.
 * Under load the requests of a turn then cost Redis one command (an MGET) rather than one each, while a
 * lone look-up waits no longer than the end of its turn. A key asked for twice is looked up once.
 */
export class SameTurnLookups<V> {
  private pending = new Map<string, Array<Waiter<V>>>();

  constructor(private readonly lookUpMany: (keys: string[]) => Promise<ReadonlyMap<string, V>>) {}

  get(key: string): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) setImmediate(() => void this.flush());
      const waiters = this.pending.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else this.pending.set(key, [{ resolve, reject }]);
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    try {
      const found = await this.lookUpMany([...batch.keys()]);
      batch.forEach((waiters, key) => waiters.forEach((waiter) => waiter.resolve(found.get(key))));
    } catch (error) {
      batch.forEach((waiters) => waiters.forEach((waiter) => waiter.reject(error as Error)));
    }
  }
}
