import { setTimeout as sleep } from 'node:timers/promises';
import { createCache } from 'cache-manager';
import { Keyv } from 'keyv';
import { backfillingReads } from './backfilling-reads';
import { LruKeyvStore } from './lru-keyv-store';

describe('backfillingReads', () => {
  const tiers = () => [new Keyv({ store: new LruKeyvStore(10) }), new Keyv({ store: new LruKeyvStore(10) })];

  it('copies a hit in a later tier into the earlier ones, for the time it has left', async () => {
    const [local, shared] = tiers();
    const cache = backfillingReads(createCache({ stores: [local, shared] }));
    await shared.set('status', { workers: 1 }, 60_000);
    const { expires } = (await shared.get('status', { raw: true }))!;
    // Long enough that a copy given the full TTL would outlive its source by more than the read takes.
    await sleep(50);

    expect(await local.get('status')).toBeUndefined();
    const readStarted = Date.now();
    expect(await cache.get('status')).toEqual({ workers: 1 });
    const readTook = Date.now() - readStarted;
    const copied = await local.get('status', { raw: true });
    expect(copied?.value).toEqual({ workers: 1 });
    // The copy's store sets its expiry from its own clock reading, a moment after the time left was taken.
    expect(copied!.expires!).toBeLessThanOrEqual(expires! + readTook);
    expect(copied!.expires!).toBeGreaterThan(Date.now());
  });

  it('answers from the first tier that has the key, and nothing when none has it', async () => {
    const [local, shared] = tiers();
    const cache = backfillingReads(createCache({ stores: [local, shared] }));
    await local.set('status', { from: 'local' }, 60_000);
    await shared.set('status', { from: 'shared' }, 60_000);
    expect(await cache.get('status')).toEqual({ from: 'local' });
    expect(await cache.get('absent')).toBeUndefined();
  });
});
