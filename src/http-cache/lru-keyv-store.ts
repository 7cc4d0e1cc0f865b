import { Keyv } from 'keyv';
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

/**
 * A Keyv over an LruKeyvStore whose entries stay objects: Keyv would otherwise write each one as JSON and
 * parse it back on every hit, which cost a poll of a finished answer more than all the rest of its route.
 * Answers are never changed once cached.
 */
export const inProcessKeyv = (maxEntries: number): Keyv => new Keyv({ store: new LruKeyvStore(maxEntries), serialize: undefined, deserialize: undefined });
