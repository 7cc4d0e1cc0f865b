import type { Queue } from 'bull';
import Redis from 'ioredis';
import { AnalysisJobProducer } from '../../../batching/analysis-job.producer';
import { WaitingRequests } from '../../../batching/waiting-requests';
import { AppConfig } from '../../../config/app-config';
import { redisKeys } from '../../../redis/redis-keys';
import { AnalysisReadModel } from '../../read-model/analysis-read-model';
import { PaperStore } from '../../read-model/paper-store';
import { ServiceCounters } from '../../read-model/service-counters';
import { SubmissionRecorder } from './submission-recorder';

const URL = 'redis://127.0.0.1:6379/11';

/** The recorder on a real Redis that stops answering writes for longer than the connection waits. */
describe('SubmissionRecorder when its writes time out', () => {
  let redis: Redis;
  let admin: Redis;
  const jobs = { enqueue: jest.fn() };

  beforeAll(() => {
    redis = new Redis(URL, { commandTimeout: 200 });
    admin = new Redis(URL);
  });
  beforeEach(() => admin.flushdb());
  afterAll(async () => {
    redis.disconnect();
    await admin.quit();
  });

  it('fails the submission, and undoes the writes that still reach Redis once it answers again', async () => {
    const config = { retention: { resultTtlSeconds: 600 } } as AppConfig;
    const queue = { toKey: (type: string) => `test:queue:${type}` } as unknown as Queue;
    const recorder = new SubmissionRecorder(
      redis,
      new AnalysisReadModel(redis, config),
      new PaperStore(redis, config),
      new ServiceCounters(redis),
      jobs as unknown as AnalysisJobProducer,
      new WaitingRequests(redis, queue),
    );
    const record = { requestId: 'late', status: 'queued' as const, paperHash: 'hash-late', submittedAt: new Date().toISOString(), attempts: 0, cached: false };

    await admin.call('CLIENT', 'PAUSE', '1000', 'WRITE');
    await expect(recorder.record({ record, paper: { text: 'A paper whose record is written late.' } })).rejects.toThrow('Command timed out');
    expect(jobs.enqueue).not.toHaveBeenCalled();

    // Once the pause ends, the writes run, then their withdrawal, in the order they were sent.
    await new Promise((resolve) => setTimeout(resolve, 1_800));
    expect(await admin.exists(redisKeys.request('late'))).toBe(0);
    expect(Number(await admin.get(redisKeys.waitingRequests))).toBe(0);
  });
});
