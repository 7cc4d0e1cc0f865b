import { LRUCache } from 'lru-cache';

/**
 * A bounded in-process Keyv store. Keyv hands stores a TTL as a third argument, which LRUCache would
 * take for its options object; Keyv already records each entry's expiry, so the TTL is left out here.
 */
export class LruKeyvStore {
  private readonly entries: LRUCache<string, object>;

  constructor(maxEntries: number) {
    this.entries = new LRUCache({ max: maxEntries });
  }

  get(key: string): object | undefined {
    return this.entries.get(key);
  }

  set(key: string, value: object): boolean {
    this.entries.set(key, value);
    return true;
  }

  delete(key: string): boolean {
    return this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
