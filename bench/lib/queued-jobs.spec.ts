import Bull from 'bull';
import Redis from 'ioredis';
import { ANALYSIS_QUEUE, ANALYZE_PAPERS_JOB, type AnalyzePapersJob } from '../../src/batching/analysis-queue';
import { BULL_PREFIX } from '../../src/redis/redis-keys';
import { requestIdsInJobs } from './queued-jobs';
import { redisUrl } from './redis';

const DATABASE = 11;

describe('the requests the queue still carries, as the bench reads them', () => {
  const redis = new Redis(redisUrl(DATABASE));
  const queue = new Bull<AnalyzePapersJob>(ANALYSIS_QUEUE, redisUrl(DATABASE), { prefix: BULL_PREFIX });
  const jobOf = (...requestIds: string[]) => ({ requests: requestIds.map((requestId) => ({ requestId, paperHash: 'hash' })) });

  beforeEach(() => redis.flushdb());
  afterAll(async () => {
    await queue.close();
    await redis.flushdb();
    await redis.quit();
  });

  it('finds the requests of waiting, taken and delayed jobs, and none of a finished one', async () => {
    await queue.add(ANALYZE_PAPERS_JOB, jobOf('finished'));
    const finished = await queue.getNextJob();
    await finished!.moveToCompleted('done', true);
    await queue.add(ANALYZE_PAPERS_JOB, jobOf('taken-1', 'taken-2'));
    await queue.getNextJob();
    await queue.add(ANALYZE_PAPERS_JOB, jobOf('waiting-1', 'waiting-2', 'waiting-3'));
    await queue.add(ANALYZE_PAPERS_JOB, jobOf('delayed'), { delay: 60_000 });

    expect([...(await requestIdsInJobs(DATABASE))].sort()).toEqual(['delayed', 'taken-1', 'taken-2', 'waiting-1', 'waiting-2', 'waiting-3']);
  });

  it('finds the requests of a paused queue', async () => {
    await queue.add(ANALYZE_PAPERS_JOB, jobOf('paused-1', 'paused-2'));
    await queue.pause();
    try {
      expect([...(await requestIdsInJobs(DATABASE))].sort()).toEqual(['paused-1', 'paused-2']);
    } finally {
      await queue.resume();
    }
  });

  it('reads more jobs than it reads at once', async () => {
    const requestIds = Array.from({ length: 2_500 }, (_, index) => `request-${index}`);
    await queue.addBulk(requestIds.map((requestId) => ({ name: ANALYZE_PAPERS_JOB, data: jobOf(requestId) })));

    const found = await requestIdsInJobs(DATABASE);
    expect(found.size).toBe(2_500);
    expect(requestIds.every((requestId) => found.has(requestId))).toBe(true);
  });
});
