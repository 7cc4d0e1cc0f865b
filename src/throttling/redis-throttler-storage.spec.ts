import Redis from 'ioredis';
import { RedisThrottlerStorage } from './redis-throttler-storage';

const REDIS_URL = 'redis://127.0.0.1:6379/11';

describe('RedisThrottlerStorage', () => {
  let redis: Redis;
  let storage: RedisThrottlerStorage;

  beforeAll(() => {
    redis = new Redis(REDIS_URL);
    storage = new RedisThrottlerStorage(redis);
  });
  beforeEach(() => redis.flushdb());
  afterAll(() => redis.quit());

  it('counts concurrent hits on one counter with one command, each hit learning its own position', async () => {
    const sent = jest.spyOn(redis, 'sendCommand');
    const records = await Promise.all(Array.from({ length: 5 }, () => storage.increment('client-a', 60_000, 3)));
    expect(records.map((record) => [record.totalHits, record.isBlocked])).toEqual([
      [1, false],
      [2, false],
      [3, false],
      [4, true],
      [5, true],
    ]);
    expect(sent).toHaveBeenCalledTimes(1);
    sent.mockRestore();
    expect(records.every((record) => record.timeToExpire === 60)).toBe(true);
  });

  it('keeps counting across turns, and keeps counters of different clients apart', async () => {
    await Promise.all([storage.increment('client-a', 60_000, 10), storage.increment('client-b', 60_000, 10)]);
    const later = await storage.increment('client-a', 60_000, 10);
    expect(later.totalHits).toBe(2);
    expect(await redis.get('client-b')).toBe('1');
    expect(await redis.pttl('client-a')).toBeGreaterThan(59_000);
  });
});
