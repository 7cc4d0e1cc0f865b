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

  it('adds what a job gives back once, however often the add is tried, and again for other jobs, attempts or requests', async () => {
    const givenBack = requestsOf(2);
    await producer.enqueueAgain('job-1', givenBack, 1);
    // As withLastChances does when an add's reply was lost after Redis made it.
    await producer.enqueueAgain('job-1', givenBack, 1);
    expect(await queue.getWaitingCount()).toBe(1);
    await producer.enqueueAgain('job-1', givenBack, 2);
    await producer.enqueueAgain('job-1', givenBack.slice(1), 1);
    // The job just given back, handed to the worker that is stopping and given back by it in turn.
    const [again] = await queue.getWaiting();
    await producer.enqueueAgain(again.id, again.data.requests, 1);
    expect(await queue.getWaitingCount()).toBe(4);
  });
});
