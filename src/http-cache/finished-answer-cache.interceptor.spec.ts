import { Reflector } from '@nestjs/core';
import { Cache, createCache } from 'cache-manager';
import { AppConfig } from '../config/app-config';
import { FinishedAnswerCacheInterceptor } from './finished-answer-cache.interceptor';
import { inProcessKeyv } from './lru-keyv-store';

const RESULT_TTL_SECONDS = 3_600;
const FIVE_MINUTES_MS = 5 * 60_000;

/** The interceptor's view of its cache: what it stores on a handler's answer. */
class StoringInterceptor extends FinishedAnswerCacheInterceptor {
  store(key: string, answer: object): Promise<unknown> {
    return this.cacheManager.set(key, answer, FIVE_MINUTES_MS);
  }
}

describe('FinishedAnswerCacheInterceptor', () => {
  let cache: Cache;
  let interceptor: StoringInterceptor;
  const finishedAgo = (ms: number) => new Date(Date.now() - ms).toISOString();

  beforeEach(() => {
    cache = createCache({ stores: [inProcessKeyv(10)] });
    interceptor = new StoringInterceptor(cache, new Reflector(), { retention: { resultTtlSeconds: RESULT_TTL_SECONDS } } as AppConfig);
  });

  it('stores finished answers and never unfinished ones', async () => {
    await interceptor.store('done', { status: 'done', finished_at: finishedAgo(0) });
    await interceptor.store('error', { status: 'error', finished_at: finishedAgo(0) });
    await interceptor.store('queued', { status: 'queued', finished_at: finishedAgo(0) });
    await interceptor.store('processing', { status: 'processing', finished_at: finishedAgo(0) });
    expect(await cache.get('done')).toMatchObject({ status: 'done' });
    expect(await cache.get('error')).toMatchObject({ status: 'error' });
    expect(await cache.get('queued')).toBeUndefined();
    expect(await cache.get('processing')).toBeUndefined();
  });

  it('freezes what it stores, so that the answer is serialised once for every poll', async () => {
    const answer = { status: 'done', finished_at: finishedAgo(0) };
    await interceptor.store('done', answer);
    expect(Object.isFrozen(await cache.get('done'))).toBe(true);
  });

  it('keeps an answer no longer than its record lives, RESULT_TTL after it finished', async () => {
    const finishedAt = Date.now() - (RESULT_TTL_SECONDS - 10) * 1000;
    await interceptor.store('expiring', { status: 'done', finished_at: new Date(finishedAt).toISOString() });
    await interceptor.store('expired', { status: 'done', finished_at: finishedAgo(RESULT_TTL_SECONDS * 1000 + 1) });
    expect(await cache.get('expiring')).toMatchObject({ status: 'done' });
    // The cache dates the expiry as it stores, a moment after the interceptor worked out the time left.
    const expiresAt = (await cache.ttl('expiring')) as number;
    expect(expiresAt).toBeGreaterThanOrEqual(finishedAt + RESULT_TTL_SECONDS * 1000);
    expect(expiresAt).toBeLessThan(finishedAt + RESULT_TTL_SECONDS * 1000 + 50);
    expect(await cache.get('expired')).toBeUndefined();
  });

  it('keeps a younger answer for the five minutes the route asks', async () => {
    const before = Date.now();
    await interceptor.store('young', { status: 'done', finished_at: finishedAgo(0) });
    const expiresAt = (await cache.ttl('young')) ?? 0;
    expect(expiresAt).toBeGreaterThanOrEqual(before + FIVE_MINUTES_MS);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + FIVE_MINUTES_MS);
  });
});
