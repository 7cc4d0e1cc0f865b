import Bull from 'bull';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { loadAppConfig } from '../config/app-config';
import { AnalysisJobProducer } from './analysis-job.producer';
import { ANALYSIS_QUEUE } from './analysis-queue';

const REDIS_URL = 'redis://127.0.0.1:6379/11';

describe('AnalysisJobProducer, on a real queue', () => {
  const config = loadAppConfig({ REDIS_URL });
  const redis = new Redis(REDIS_URL);
  const queue = new Bull(ANALYSIS_QUEUE, REDIS_URL, { prefix: 'producer-spec' });
  const producer = new AnalysisJobProducer(queue as never, config);
  const requestsOf = (count: number) => Array.from({ length: count }, () => ({ requestId: randomUUID(), paperHash: 'hash' }));

  beforeEach(() => redis.flushdb());
  afterAll(async () => {
    await queue.close();
    await redis.flushdb();
    await redis.quit();
  });

  it('finds the job it added for a set of requests, and none for requests it never added', async () => {
    const added = requestsOf(3);
    await producer.enqueue(added);
    expect(await producer.isEnqueued(added)).toBe(true);
    expect(await producer.isEnqueued(requestsOf(1))).toBe(false);
  });
});
