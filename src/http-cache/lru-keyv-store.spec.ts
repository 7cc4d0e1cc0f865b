import { createCache } from 'cache-manager';
import { Keyv } from 'keyv';
import { LruKeyvStore } from './lru-keyv-store';

describe('LruKeyvStore behind cache-manager', () => {
  it('keeps values until their TTL and forgets the least recently used beyond its size', async () => {
    const cache = createCache({ stores: [new Keyv({ store: new LruKeyvStore(2) })] });
    await cache.set('a', { status: 'done' }, 60_000);
    await cache.set('short', { n: 1 }, 30);
    expect(await cache.get('a')).toEqual({ status: 'done' });
    expect(await cache.get('short')).toEqual({ n: 1 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await cache.get('short')).toBeUndefined();

    await cache.set('b', { n: 2 }, 60_000);
    await cache.set('c', { n: 3 }, 60_000);
    expect(await cache.get('a')).toBeUndefined();
    expect(await cache.get('c')).toEqual({ n: 3 });
  });
});
