import { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import Redis from 'ioredis';

/** Counts a hit in a fixed window: the first hit starts the window's expiry. Returns hits and ms left. */
const COUNT_HIT = `
local hits = redis.call('INCR', KEYS[1])
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  left = tonumber(ARGV[1])
end
return {hits, left}`;

type CountingRedis = Redis & { countThrottleHit(key: string, windowMs: number): Promise<[number, number]> };

/**
 * Throttler counters in Redis, shared by every API process: one counter per client and kind of route
 * in a fixed window of THROTTLE_TTL. The script is sent once and then called by its SHA, so each request
 * costs Redis one short command. A client over the limit stays refused until its window ends.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly redis: CountingRedis;

  constructor(redis: Redis) {
    if (!('countThrottleHit' in redis)) redis.defineCommand('countThrottleHit', { numberOfKeys: 1, lua: COUNT_HIT });
    this.redis = redis as CountingRedis;
  }

  async increment(key: string, ttlMs: number, limit: number): Promise<ThrottlerStorageRecord> {
    const [totalHits, leftMs] = await this.redis.countThrottleHit(key, ttlMs);
    const secondsLeft = Math.ceil(leftMs / 1000);
    const isBlocked = totalHits > limit;
    return { totalHits, timeToExpire: secondsLeft, isBlocked, timeToBlockExpire: isBlocked ? secondsLeft : 0 };
  }
}
