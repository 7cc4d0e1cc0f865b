import { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import Redis from 'ioredis';

/** Counts ARGV[2] hits in a fixed window: the first hit starts the window's expiry. Returns the total and ms left. */
const COUNT_HITS = `
local hits = redis.call('INCRBY', KEYS[1], ARGV[2])
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  left = tonumber(ARGV[1])
end
return {hits, left}`;

type CountingRedis = Redis & { countThrottleHits(key: string, windowMs: number, hits: number): Promise<[number, number]> };

/** Hits on one counter waiting for the same Redis call; each learns the total as it stood after its own hit. */
interface PendingHits {
  windowMs: number;
  waiters: Array<{ resolve: (counted: { totalHits: number; leftMs: number }) => void; reject: (error: Error) => void }>;
}

/**
 * Throttler counters in Redis, shared by every API process: one counter per client and kind of route
 * in a fixed window of THROTTLE_TTL. Hits on the same counter in the same turn of the event loop (a busy
 * client's concurrent requests) go to Redis as one INCRBY, each still learning its own position in the
 * count, so a busy client costs Redis one short command per turn rather than per request. A client over
 * the limit stays refused until its window ends.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly redis: CountingRedis;
  private readonly pending = new Map<string, PendingHits>();

  constructor(redis: Redis) {
    if (!('countThrottleHits' in redis)) redis.defineCommand('countThrottleHits', { numberOfKeys: 1, lua: COUNT_HITS });
    this.redis = redis as CountingRedis;
  }

  async increment(key: string, ttlMs: number, limit: number): Promise<ThrottlerStorageRecord> {
    const { totalHits, leftMs } = await this.countHit(key, ttlMs);
    const secondsLeft = Math.ceil(leftMs / 1000);
    const isBlocked = totalHits > limit;
    return { totalHits, timeToExpire: secondsLeft, isBlocked, timeToBlockExpire: isBlocked ? secondsLeft : 0 };
  }

  private countHit(key: string, windowMs: number): Promise<{ totalHits: number; leftMs: number }> {
    return new Promise((resolve, reject) => {
      let hits = this.pending.get(key);
      if (!hits) {
        hits = { windowMs, waiters: [] };
        this.pending.set(key, hits);
        setImmediate(() => void this.flush(key));
      }
      hits.waiters.push({ resolve, reject });
    });
  }

  private async flush(key: string): Promise<void> {
    const { windowMs, waiters } = this.pending.get(key)!;
    this.pending.delete(key);
    try {
      const [total, leftMs] = await this.redis.countThrottleHits(key, windowMs, waiters.length);
      const before = total - waiters.length;
      waiters.forEach((waiter, index) => waiter.resolve({ totalHits: before + index + 1, leftMs }));
    } catch (error) {
      waiters.forEach((waiter) => waiter.reject(error as Error));
    }
  }
}
