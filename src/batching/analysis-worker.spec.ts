import { EventBus } from '@nestjs/cqrs';
import Bull from 'bull';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { AnalysisCompletedEvent } from '../analysis/events/analysis-completed.event';
import { AnalysisFailedEvent } from '../analysis/events/analysis-failed.event';
import { AnalysisProjection } from '../analysis/events/analysis.projection';
import { AnalysisReadModel } from '../analysis/read-model/analysis-read-model';
import { loadAppConfig } from '../config/app-config';
import { AnalysisWithdrawnError } from '../llm/llm-errors';
import { AnalysisJobProducer } from './analysis-job.producer';
import { ANALYSIS_QUEUE, AnalyzePapersJob, QueuedRequest } from './analysis-queue';
import { AnalysisWorker } from './analysis-worker';
import { BatchAnalysisService } from './batch-analysis.service';
import { WaitingRequests } from './waiting-requests';
import { eventually } from '../../test/support/eventually';
import { MINIMAL_RESULT } from '../../test/support/minimal-analysis';

const REDIS_URL = 'redis://127.0.0.1:6379/11';
const PREFIX = 'worker-spec';

/** Bull's stalled-job check, which its typings leave out. */
type StallCheckingQueue = Bull.Queue<AnalyzePapersJob> & { moveUnlockedJobsToWait(): Promise<void> };
type JobHandler = (job: Bull.Job<AnalyzePapersJob>) => Promise<void>;

/**
 * The worker's reports against a real queue and a real read model in Redis. The worker takes no job by
 * itself: its job handler is captured, and a test runs it or leaves the job to Bull's stalled-job check.
 */
describe('AnalysisWorker', () => {
  const config = loadAppConfig({ REDIS_URL });
  let redis: Redis;
  let readModel: AnalysisReadModel;
  let queue: StallCheckingQueue;
  let handleJob: JobHandler;
  let worker: AnalysisWorker;
  /** What the event bus is given; `recording` says whether the projection also writes it. */
  const published: unknown[] = [];
  let recording = true;
  let eventBus: EventBus;
  const takenOffWaiting = jest.fn(async () => true);

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    readModel = new AnalysisReadModel(redis, config);
    const projection = new AnalysisProjection(readModel);
    queue = new Bull(ANALYSIS_QUEUE, REDIS_URL, { prefix: PREFIX }) as StallCheckingQueue;
    jest.spyOn(queue, 'process').mockImplementation(((_name: string, _concurrency: number, handler: JobHandler) => {
      handleJob = handler;
      return Promise.resolve();
    }) as never);
    eventBus = {
      publish: (event: AnalysisCompletedEvent | AnalysisFailedEvent) => {
        published.push(event);
        if (recording) projection.handle(event);
      },
    } as unknown as EventBus;
    const batchAnalysis = { analyze: async () => MINIMAL_RESULT, stopWaiting: () => undefined, requestsInProgress: 16 } as unknown as BatchAnalysisService;
    const waiting = { taken: takenOffWaiting, returned: async () => undefined } as unknown as WaitingRequests;
    worker = new AnalysisWorker(queue as never, batchAnalysis, readModel, waiting, new AnalysisJobProducer(queue as never, config), eventBus, config);
    worker.onApplicationBootstrap();
  });

  beforeEach(async () => {
    await redis.flushdb();
    published.length = 0;
    recording = true;
  });

  afterAll(async () => {
    await queue.close();
    await redis.flushdb();
    await redis.quit();
  });

  /** Requests recorded as queued, as the API leaves them, and their job in the queue. */
  const submit = async (count: number): Promise<QueuedRequest[]> => {
    const requests = Array.from({ length: count }, () => ({ requestId: randomUUID(), paperHash: `hash-${randomUUID()}` }));
    for (const { requestId, paperHash } of requests) {
      const { key, fields } = readModel.creation({ requestId, paperHash, status: 'queued', submittedAt: new Date().toISOString(), attempts: 0, cached: false });
      await redis.hset(key, ...fields);
    }
    await new AnalysisJobProducer(queue as never, config).enqueue(requests);
    return requests;
  };

  const statusesOf = (requests: QueuedRequest[]) => Promise.all(requests.map(async ({ requestId }) => (await readModel.find(requestId))?.status));

  it('records every outcome of a job it ran, so the read model tells its requests were taken', async () => {
    const requests = await submit(2);
    const ids = requests.map((request) => request.requestId);
    expect(await readModel.anyTaken(ids)).toBe(false);
    await handleJob((await queue.getNextJob()) as Bull.Job<AnalyzePapersJob>);
    expect(await statusesOf(requests)).toEqual(['done', 'done']);
    expect(await readModel.anyTaken(ids)).toBe(true);
  });

  it('analyses a job on its last attempt even when taking its requests off the waiting count fails', async () => {
    const requests = await submit(2);
    const job = (await queue.getNextJob()) as Bull.Job<AnalyzePapersJob>;
    job.attemptsMade = config.llm.attempts - 1;
    takenOffWaiting.mockRejectedValueOnce(new Error('Connection is closed.'));
    await handleJob(job);
    expect(await statusesOf(requests)).toEqual(['done', 'done']);
  });

  it('fails a job whose outcomes it could not record, so that a retry records them', async () => {
    const requests = await submit(2);
    const job = (await queue.getNextJob()) as Bull.Job<AnalyzePapersJob>;
    recording = false;
    await expect(handleJob(job)).rejects.toThrow('2 of the job\'s 2 outcomes could not be recorded');
    expect(await statusesOf(requests)).toEqual(['queued', 'queued']);

    recording = true;
    await handleJob(job);
    expect(await statusesOf(requests)).toEqual(['done', 'done']);
  });

  describe('when Bull fails a job its workers died holding', () => {
    /** Takes the job and deletes its lock, as a killed process leaves it; then runs Bull's check by hand. */
    const dieHoldingNextJob = async () => {
      const job = (await queue.getNextJob()) as Bull.Job;
      await redis.del(`${PREFIX}:${ANALYSIS_QUEUE}:${job.id}:lock`);
      // The first check marks the active jobs; the next finds them still unlocked.
      for (let check = 0; check < 2; check += 1) {
        await redis.del(`${PREFIX}:${ANALYSIS_QUEUE}:stalled-check`);
        await queue.moveUnlockedJobsToWait();
      }
    };

    it('ends every request the job carried in error, saying the worker stopped, and no longer counts them as waiting', async () => {
      const requests = await submit(2);

      await dieHoldingNextJob();
      expect(await queue.getWaitingCount()).toBe(1);
      expect(published).toEqual([]);

      takenOffWaiting.mockClear();
      await dieHoldingNextJob();
      for (let waited = 0; published.length < requests.length && waited < 50; waited += 1) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await queue.getFailedCount()).toBe(1);
      expect(await statusesOf(requests)).toEqual(['error', 'error']);
      for (const { requestId } of requests) expect((await readModel.find(requestId))?.error).toMatch(/worker analysing this paper stopped/);
      // Read back at once, the errors were not written twice.
      await new Promise((resolve) => setTimeout(resolve, 700));
      expect(published).toHaveLength(requests.length);
      expect(takenOffWaiting).toHaveBeenCalledWith(expect.objectContaining({ data: { requests } }));
    });

    it('writes the errors again when their first write is lost', async () => {
      const requests = await submit(2);
      await dieHoldingNextJob();
      recording = false;
      await dieHoldingNextJob();
      await eventually(() => published.length, (count) => count >= requests.length, 5_000);
      expect(await statusesOf(requests)).toEqual(['queued', 'queued']);

      recording = true;
      await eventually(() => statusesOf(requests), (statuses) => statuses.join() === 'error,error', 5_000);
    });

    it('reports later a failure no worker could record, and only once', async () => {
      const requests = await submit(2);
      await dieHoldingNextJob();
      recording = false;
      await dieHoldingNextJob();
      // The worker that saw the job fail tries three times, 500 ms apart, then gives up.
      await eventually(() => published.length, (count) => count >= 3 * requests.length, 5_000);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await statusesOf(requests)).toEqual(['queued', 'queued']);

      recording = true;
      published.length = 0;
      await worker.reportUnreportedFailures(Date.now());
      expect(await statusesOf(requests)).toEqual(['error', 'error']);
      for (const { requestId } of requests) expect((await readModel.find(requestId))?.error).toMatch(/worker analysing this paper stopped/);
      expect(published).toHaveLength(requests.length);
      await worker.reportUnreportedFailures(Date.now());
      expect(published).toHaveLength(requests.length);
    });
  });

  /**
   * A second worker on the queue, on `batchAnalysis`, whose job handler only the test calls (the first keeps the
   * shared one), and the record of what it counted as waiting again.
   */
  const stoppingWorker = (batchAnalysis: Partial<BatchAnalysisService>) => {
    const returned = jest.fn(async () => undefined);
    const waiting = { taken: async () => undefined, returned } as unknown as WaitingRequests;
    const sharedHandler = handleJob;
    const worker = new AnalysisWorker(queue as never, batchAnalysis as BatchAnalysisService, readModel, waiting, new AnalysisJobProducer(queue as never, config), eventBus, config);
    worker.onApplicationBootstrap();
    const handles = handleJob;
    handleJob = sharedHandler;
    return { worker, handles, returned };
  };

  describe('when it stops with a job waiting for room', () => {
    it('adds the job\'s requests again as a new job, with the attempts they have left, and counts them as waiting again', async () => {
      let finishAnalyses!: () => void;
      const analysesFinished = new Promise<void>((resolve) => (finishAnalyses = resolve));
      const slowAnalysis = { analyze: async () => (await analysesFinished, MINIMAL_RESULT), stopWaiting: () => undefined, requestsInProgress: 2 };
      const { worker, handles: stoppingWorkerHandles, returned } = stoppingWorker(slowAnalysis);

      await submit(2);
      const inHand = stoppingWorkerHandles((await queue.getNextJob()) as Bull.Job<AnalyzePapersJob>);
      const givenBack = await submit(3);
      const waitingForRoom = (await queue.getNextJob()) as Bull.Job<AnalyzePapersJob>;
      // As a retry: its requests have been tried once.
      waitingForRoom.attemptsMade = 1;
      const givingBack = stoppingWorkerHandles(waitingForRoom);

      const stopped = worker.onModuleDestroy();
      await givingBack;
      const [added] = await queue.getWaiting();
      expect(added.data).toEqual({ requests: givenBack, attemptsBefore: 1 });
      expect(added.opts.attempts).toBe(config.llm.attempts - 1);
      expect(returned).toHaveBeenCalledWith(waitingForRoom, added.id, 3);
      expect(await statusesOf(givenBack)).toEqual(['queued', 'queued', 'queued']);

      finishAnalyses();
      await inHand;
      await stopped;
      await queue.resume(true);
    });
  });

  describe('when Bull fetched a job for it as it paused', () => {
    it('gives the job back at once, its requests queued and untried, rather than leave it locked until the lock lapses', async () => {
      const { worker, returned } = stoppingWorker({ analyze: async () => MINIMAL_RESULT, stopWaiting: () => undefined, requestsInProgress: 16 });
      const requests = await submit(2);
      // What Bull does with a job completed as the pause begins: fetches and locks the next, never to hand it over.
      const fetched = (await queue.getNextJob()) as Bull.Job<AnalyzePapersJob>;

      await worker.onModuleDestroy();
      expect(await queue.getActive()).toEqual([]);
      const [added] = await queue.getWaiting();
      expect(added.data).toEqual({ requests, attemptsBefore: 0 });
      expect(returned).toHaveBeenCalledWith(expect.objectContaining({ id: fetched.id }), added.id, 2);
      expect(await statusesOf(requests)).toEqual(['queued', 'queued']);
      await queue.resume(true);
    });
  });

  describe('when it stops while calls wait for room under the rate limits', () => {
    it('gives back as queued the requests not tried, without spending the attempt, even on the last one', async () => {
      let stopWaiting!: () => void;
      const toldToStop = new Promise<void>((resolve) => (stopWaiting = resolve));
      let requests: QueuedRequest[] = [];
      // The first paper's call was made; the others' calls wait for room until the worker stops.
      const analyze = async (paperHash: string) => {
        if (paperHash === requests[0].paperHash) return MINIMAL_RESULT;
        await toldToStop;
        throw new AnalysisWithdrawnError('the analysis waited for room under the rate limits');
      };
      const { worker, handles: stoppingWorkerHandles, returned } = stoppingWorker({ analyze, stopWaiting, requestsInProgress: 16 });

      requests = await submit(3);
      const job = (await queue.getNextJob()) as Bull.Job<AnalyzePapersJob>;
      // Its last attempt: a failure now would end the requests in error.
      job.attemptsMade = config.llm.attempts - 1;
      const handled = stoppingWorkerHandles(job);
      for (let waited = 0; (await statusesOf(requests)).join() !== 'done,processing,processing' && waited < 50; waited += 1) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }

      const stopped = worker.onModuleDestroy();
      await handled;
      expect(await statusesOf(requests)).toEqual(['done', 'queued', 'queued']);
      const untried = await readModel.find(requests[1].requestId);
      expect(untried).toMatchObject({ attempts: config.llm.attempts - 1, startedAt: undefined });
      const [added] = await queue.getWaiting();
      expect(added.data).toEqual({ requests: requests.slice(1), attemptsBefore: config.llm.attempts - 1 });
      expect(added.opts.attempts).toBe(1);
      expect(returned).toHaveBeenCalledWith(job, added.id, 2);
      expect(published.filter((event) => event instanceof AnalysisFailedEvent)).toEqual([]);

      await stopped;
      await queue.resume(true);
    });

    it('leaves the requests not tried to Bull\'s retry when others of the job failed and may be retried', async () => {
      let stopWaiting!: () => void;
      const toldToStop = new Promise<void>((resolve) => (stopWaiting = resolve));
      let requests: QueuedRequest[] = [];
      const analyze = async (paperHash: string) => {
        await toldToStop;
        throw paperHash === requests[0].paperHash ? new Error('Groq answered 503') : new AnalysisWithdrawnError('the analysis waited for room under the rate limits');
      };
      const { worker, handles, returned } = stoppingWorker({ analyze, stopWaiting, requestsInProgress: 16 });

      requests = await submit(2);
      const job = (await queue.getNextJob()) as Bull.Job<AnalyzePapersJob>;
      const handled = handles(job);
      await eventually(() => statusesOf(requests), (statuses) => statuses.join() === 'processing,processing', 5_000, 20);

      const stopped = worker.onModuleDestroy();
      await expect(handled).rejects.toThrow('Groq answered 503');
      expect(await statusesOf(requests)).toEqual(['processing', 'queued']);
      expect(await queue.getWaiting()).toEqual([]);
      expect(returned).not.toHaveBeenCalled();

      await stopped;
      await queue.resume(true);
    });
  });
});
