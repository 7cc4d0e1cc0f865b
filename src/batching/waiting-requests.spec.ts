import type { Job, Queue } from 'bull';
import Redis from 'ioredis';
import { WaitingRequests } from './waiting-requests';

describe('WaitingRequests', () => {
  let redis: Redis;
  let waiting: WaitingRequests;
  const queue = { toKey: (type: string) => `test:queue:${type}` } as unknown as Queue;
  /** A job of `size` requests whose hash exists, as Bull's does while the job is in the queue. */
  const jobOf = async (id: string, size: number) => {
    await redis.hset(`test:queue:${id}`, 'data', '{}');
    return { id, data: { requests: Array.from({ length: size }, (_, n) => n) } } as unknown as Job<{ requests: number[] }>;
  };

  const arrive = async (count: number) => {
    const pipeline = redis.pipeline();
    waiting.addArrival(pipeline, count);
    await pipeline.exec();
  };

  beforeAll(() => {
    redis = new Redis('redis://127.0.0.1:6379/11');
    waiting = new WaitingRequests(redis, queue);
  });
  beforeEach(() => redis.flushdb());
  afterAll(() => redis.quit());

  it('counts the requests of the jobs added and not yet taken', async () => {
    await redis.rpush('test:queue:wait', 'job-1', 'job-2');
    await arrive(30);
    await arrive(5);
    expect(await waiting.taken(await jobOf('job-0', 30))).toBe(true);
    expect(await waiting.count()).toBe(5);
  });

  it('takes a job’s requests once, however many times the job runs', async () => {
    await redis.rpush('test:queue:wait', 'job-2');
    await arrive(12);
    const job = await jobOf('job-1', 8);
    expect(await waiting.taken(job)).toBe(true);
    expect(await waiting.taken(job)).toBe(false);
    expect(await waiting.count()).toBe(4);
  });

  it('counts a given-back job’s requests again only if a run of it had taken them off', async () => {
    await redis.rpush('test:queue:wait', 'job-3');
    await arrive(10);
    const untaken = await jobOf('job-1', 4);
    await waiting.returned(untaken, (await jobOf('back-1', 4)).id, 4);
    expect(await waiting.count()).toBe(10);

    const taken = await jobOf('job-2', 6);
    await waiting.taken(taken);
    await waiting.returned(taken, (await jobOf('back-2', 6)).id, 6);
    expect(await waiting.count()).toBe(10);
  });

  /** `arrived` requests counted, and a job of `size` of them taken off by a worker while another job waits. */
  const withTakenJob = async (arrived: number, size: number) => {
    await redis.rpush('test:queue:wait', 'job-waiting');
    await arrive(arrived);
    const job = await jobOf('job-1', size);
    await waiting.taken(job);
    return job;
  };

  it('counts requests given back in the same job once, however many runs gave them back', async () => {
    const job = await withTakenJob(5, 5);
    const givenBack = await jobOf('back-1', 5);
    await waiting.returned(job, givenBack.id, 5);
    // The job stalled and ran again, and that run gave the same requests back: its add found back-1 there.
    await waiting.returned(job, givenBack.id, 5);
    expect(await waiting.count()).toBe(5);
  });

  it('counts requests given back again when the job they went back in has already run and gone', async () => {
    const job = await withTakenJob(7, 4);
    // back-1 was taken, its requests off the count, and finished and removed before the give-back was counted.
    await waiting.taken(await jobOf('back-1', 4));
    await redis.del('test:queue:back-1');
    await waiting.returned(job, 'back-1', 4);
    expect(await waiting.count()).toBe(3);
  });

  it('takes nothing for a job that is no longer in the queue', async () => {
    await redis.rpush('test:queue:wait', 'job-2');
    await arrive(6);
    const gone = { id: 'job-9', data: { requests: [1, 2, 3] } } as unknown as Job<{ requests: number[] }>;
    expect(await waiting.taken(gone)).toBe(false);
    expect(await redis.exists('test:queue:job-9')).toBe(0);
    expect(await waiting.count()).toBe(6);
  });

  it('withdraws the requests of a job never added: deletes their records, uncounting only those written', async () => {
    await redis.rpush('test:queue:wait', 'job-1');
    await arrive(10);
    await redis.hset('test:record:a', 'status', 'queued');
    await redis.hset('test:record:b', 'status', 'queued');
    // test:record:c was never written (its write failed before reaching Redis), so it was never counted.
    expect(await waiting.withdraw(['test:record:a', 'test:record:b', 'test:record:c'])).toBe(2);
    expect(await redis.exists('test:record:a', 'test:record:b')).toBe(0);
    expect(await waiting.count()).toBe(8);
  });

  it('says none wait when the wait list is empty, and at least one a job when the count fell short', async () => {
    await arrive(7);
    expect(await waiting.count()).toBe(0);
    await redis.rpush('test:queue:wait', 'job-1', 'job-2', 'job-3');
    await waiting.taken(await jobOf('job-0', 9));
    expect(await waiting.count()).toBe(3);
  });
});
