import type { Cache } from 'cache-manager';

/**
 * `cache` with reads that copy a later tier's hit into the earlier ones, for the time it has left there.
 * cache-manager's own get stops at the first tier holding the key and copies nothing back, so every API
 * process but the one that stored an entry would read it from Redis until it expired.
 */
export function backfillingReads(cache: Cache): Cache {
  return {
    ...cache,
    get: async <T>(key: string): Promise<T | undefined> => {
      for (const [tier, store] of cache.stores.entries()) {
        const entry = await store.get<T>(key, { raw: true }).catch(() => undefined);
        if (entry?.value === undefined) continue;
        const left = typeof entry.expires === 'number' ? entry.expires - Date.now() : 0;
        if (tier > 0 && left > 0) await Promise.all(cache.stores.slice(0, tier).map((earlier) => earlier.set(key, entry.value, left).catch(() => false)));
        return entry.value;
      }
      return undefined;
    },
  };
}
