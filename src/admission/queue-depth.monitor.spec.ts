import type { Queue } from 'bull';
import Redis from 'ioredis';
import { ServiceCounters } from '../analysis/read-model/service-counters';
import { WaitingRequests } from '../batching/waiting-requests';
import { redisKeys } from '../redis/redis-keys';
import { QueueDepthMonitor } from './queue-depth.monitor';

describe('QueueDepthMonitor', () => {
  let redis: Redis;
  let monitor: QueueDepthMonitor;
  const queue = { toKey: (type: string) => `test:queue:${type}` } as unknown as Queue;

  beforeAll(() => {
    redis = new Redis('redis://127.0.0.1:6379/11');
  });
  beforeEach(async () => {
    await redis.flushdb();
    monitor = new QueueDepthMonitor(redis, new ServiceCounters(redis), new WaitingRequests(redis, queue));
  });
  afterAll(() => redis.quit());

  it('reads the requests waiting for a worker', async () => {
    await redis.rpush('test:queue:wait', 'job-1');
    await redis.set(redisKeys.waitingRequests, '40');
    await monitor.refresh();
    expect(monitor.waiting).toBe(40);
  });

  it('keeps the last depth it read when Redis fails one of the reads, rather than a number it cannot compare', async () => {
    await redis.rpush('test:queue:wait', 'job-1');
    await redis.set(redisKeys.waitingRequests, '40');
    await redis.hset(redisKeys.stats, 'processed', '10');
    await monitor.refresh();
    // A reply of the wrong type fails its command alone: ioredis still resolves the pipeline.
    await redis.del(redisKeys.waitingRequests);
    await redis.hset(redisKeys.waitingRequests, 'not', 'a count');
    await monitor.refresh();
    expect(monitor.waiting).toBe(40);
    expect(Number.isFinite(monitor.drainRate)).toBe(true);
  });

  it('measures the drain rate from the requests finished between reads, done and failed alike', async () => {
    await redis.hset(redisKeys.stats, 'processed', '10', 'failed', '2');
    await monitor.refresh();
    const firstReadAt = Date.now();
    expect(monitor.drainRate).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 400));
    await redis.hset(redisKeys.stats, 'processed', '50', 'failed', '12');
    await monitor.refresh();
    const perSecond = (50 * 1000) / (Date.now() - firstReadAt);
    expect(monitor.drainRate).toBeGreaterThan(perSecond * 0.8);
    expect(monitor.drainRate).toBeLessThan(perSecond * 1.25);
  });

  it('runs one read at a time, however often it is asked', async () => {
    const first = monitor.refresh();
    expect(monitor.refresh()).toBe(first);
    await first;
    expect(monitor.refresh()).not.toBe(first);
  });
});
