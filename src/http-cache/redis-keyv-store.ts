import Redis from 'ioredis';

/**
 * A Keyv store over the app's own Redis connection: no extra client per process, and the same
 * fail-fast behaviour during an outage (a failed read is a cache miss).
 */
export class RedisKeyvStore {
  namespace?: string;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async get(key: string): Promise<string | undefined> {
    return (await this.redis.get(this.prefix + key)) ?? undefined;
  }

  async set(key: string, value: string, ttlMs?: number): Promise<boolean> {
    await (ttlMs ? this.redis.set(this.prefix + key, value, 'PX', ttlMs) : this.redis.set(this.prefix + key, value));
    return true;
  }

  async delete(key: string): Promise<boolean> {
    return (await this.redis.del(this.prefix + key)) > 0;
  }

  async clear(): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}*`, 'COUNT', 500);
      if (keys.length > 0) await this.redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  }
}
