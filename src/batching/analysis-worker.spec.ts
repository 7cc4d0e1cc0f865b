import { EventBus } from '@nestjs/cqrs';
import Bull from 'bull';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { AnalysisFailedEvent } from '../analysis/events/analysis-failed.event';
import { AnalysisReadModel } from '../analysis/read-model/analysis-read-model';
import { loadAppConfig } from '../config/app-config';
import { AnalysisJobProducer } from './analysis-job.producer';
import { ANALYSIS_QUEUE } from './analysis-queue';
import { AnalysisWorker } from './analysis-worker';
import { BatchAnalysisService } from './batch-analysis.service';
import { WaitingRequests } from './waiting-requests';

const REDIS_URL = 'redis://127.0.0.1:6379/10';
const PREFIX = 'worker-spec';

/**
 * A job whose workers die while holding it is put back by Bull's stalled-job check once, and failed by it
 * the second time. Here the real queue holds a real job; the deaths are made by taking the job and deleting
 * its lock, as a killed process leaves it, and the check is run by hand rather than on its timer.
 */
describe('AnalysisWorker, when Bull fails a job its workers died holding', () => {
  const config = loadAppConfig({ REDIS_URL });
  let redis: Redis;
  let queue: Bull.Queue;
  const published: unknown[] = [];

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    await Promise.all((await redis.keys(`${PREFIX}:*`)).map((key) => redis.del(key)));
    queue = new Bull(ANALYSIS_QUEUE, REDIS_URL, { prefix: PREFIX });
    // Only the failure reporting is under test: the worker must not take jobs itself.
    jest.spyOn(queue, 'process').mockResolvedValue(undefined as never);
    const eventBus = { publish: (event: unknown) => void published.push(event) } as unknown as EventBus;
    const worker = new AnalysisWorker(
      queue as never,
      {} as BatchAnalysisService,
      new AnalysisReadModel(redis, config),
      {} as WaitingRequests,
      eventBus,
      config,
    );
    worker.onApplicationBootstrap();
  });

  afterAll(async () => {
    await queue.close();
    await Promise.all((await redis.keys(`${PREFIX}:*`)).map((key) => redis.del(key)));
    await redis.quit();
  });

  const dieHoldingNextJob = async () => {
    const job = (await queue.getNextJob()) as Bull.Job;
    await redis.del(`${PREFIX}:${ANALYSIS_QUEUE}:${job.id}:lock`);
    // The first check marks the active jobs; the next finds them still unlocked.
    for (let check = 0; check < 2; check += 1) {
      await redis.del(`${PREFIX}:${ANALYSIS_QUEUE}:stalled-check`);
      await queue.moveUnlockedJobsToWait();
    }
  };

  it('ends every request the job carried in error, with a message saying the worker stopped', async () => {
    const requests = [randomUUID(), randomUUID()].map((requestId) => ({ requestId, paperHash: `hash-${requestId}` }));
    await new AnalysisJobProducer(queue as never, config).enqueue(requests);

    await dieHoldingNextJob();
    expect(await queue.getWaitingCount()).toBe(1);
    expect(published).toEqual([]);

    await dieHoldingNextJob();
    for (let waited = 0; published.length < requests.length && waited < 50; waited += 1) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await queue.getFailedCount()).toBe(1);
    expect(published.map((event) => (event as AnalysisFailedEvent).requestId).sort()).toEqual(requests.map((request) => request.requestId).sort());
    for (const event of published) {
      expect(event).toBeInstanceOf(AnalysisFailedEvent);
      expect((event as AnalysisFailedEvent).reason).toMatch(/worker analysing this paper stopped/);
    }
  });
});
