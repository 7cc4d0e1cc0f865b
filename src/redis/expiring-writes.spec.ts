import Redis from 'ioredis';
import { addExpiringWrites, defineExpiringWrites } from './expiring-writes';

describe('expiring writes', () => {
  let redis: Redis;

  beforeAll(() => {
    redis = new Redis('redis://127.0.0.1:6379/11');
    defineExpiringWrites(redis);
  });
  beforeEach(() => redis.flushdb());
  afterAll(() => redis.quit());

  it('creates every hash and string of a pipeline in one command, each with its expiry', async () => {
    const pipeline = redis.pipeline();
    addExpiringWrites(
      pipeline,
      [
        { key: 'h1', fields: ['status', 'queued', 'paper', 'x'], ttlSeconds: 100 },
        { key: 'h2', fields: ['status', 'done'], ttlSeconds: 200 },
      ],
      [{ key: 's1', value: '{"text":"A"}', ttlSeconds: 300 }],
    );
    expect(pipeline.length).toBe(1);
    expect(await pipeline.exec()).toEqual([[null, 3]]);

    expect(await redis.hgetall('h1')).toEqual({ status: 'queued', paper: 'x' });
    expect(await redis.hgetall('h2')).toEqual({ status: 'done' });
    expect(await redis.get('s1')).toBe('{"text":"A"}');
    expect(await Promise.all(['h1', 'h2', 's1'].map((key) => redis.ttl(key)))).toEqual([100, 200, 300]);
  });

  it('adds nothing when there is nothing to write', () => {
    const pipeline = redis.pipeline();
    addExpiringWrites(pipeline, [], []);
    expect(pipeline.length).toBe(0);
  });
});
