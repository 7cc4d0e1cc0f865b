import type { Queue } from 'bull';
import Redis from 'ioredis';
import { WaitingRequests } from './waiting-requests';

describe('WaitingRequests', () => {
  let redis: Redis;
  let waiting: WaitingRequests;
  const queue = { toKey: (type: string) => `test:queue:${type}` } as unknown as Queue;

  beforeAll(() => {
    redis = new Redis('redis://127.0.0.1:6379/11');
    waiting = new WaitingRequests(redis, queue);
  });
  beforeEach(() => redis.flushdb());
  afterAll(() => redis.quit());

  it('counts the requests of the jobs added and not yet taken', async () => {
    await redis.rpush('test:queue:wait', 'job-1', 'job-2');
    await waiting.added(30);
    await waiting.added(5);
    await waiting.taken(30);
    expect(await waiting.count()).toBe(5);
  });

  it('says none wait when the wait list is empty, and at least one a job when the count fell short', async () => {
    await waiting.added(7);
    expect(await waiting.count()).toBe(0);
    await redis.rpush('test:queue:wait', 'job-1', 'job-2', 'job-3');
    await waiting.taken(9);
    expect(await waiting.count()).toBe(3);
  });
});
