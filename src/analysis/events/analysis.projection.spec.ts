import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { MINIMAL_RESULT } from '../../../test/support/minimal-analysis';
import { loadAppConfig } from '../../config/app-config';
import { connectRedis } from '../../redis/redis-connection';
import { AnalysisReadModel } from '../read-model/analysis-read-model';
import { ServiceCounters } from '../read-model/service-counters';
import { AnalysisCompletedEvent } from './analysis-completed.event';
import { AnalysisFailedEvent } from './analysis-failed.event';
import { AnalysisStartedEvent } from './analysis-started.event';
import { AnalysisProjection } from './analysis.projection';

const REDIS_URL = 'redis://127.0.0.1:6379/10';

/** The projection on the app's own kind of connection (auto-pipelined, as in the worker), against real Redis. */
describe('AnalysisProjection', () => {
  const config = loadAppConfig({ REDIS_URL });
  let redis: Redis;
  let readModel: AnalysisReadModel;
  let projection: AnalysisProjection;
  let writes: jest.SpyInstance;

  beforeAll(() => {
    redis = connectRedis(REDIS_URL, 'projection-spec');
    readModel = new AnalysisReadModel(redis, config);
    projection = new AnalysisProjection(readModel);
  });

  beforeEach(async () => {
    await redis.flushdb();
    writes = jest.spyOn(readModel, 'advanceUnfinished');
  });

  afterEach(() => writes.mockRestore());

  afterAll(async () => {
    await redis.flushdb();
    await redis.quit();
  });

  const queued = async (count: number): Promise<string[]> => {
    const ids = Array.from({ length: count }, () => randomUUID());
    for (const requestId of ids) {
      const { key, fields } = readModel.creation({ requestId, paperHash: 'hash', status: 'queued', submittedAt: new Date().toISOString(), attempts: 0, cached: false });
      await redis.hset(key, ...fields);
    }
    return ids;
  };
  const statusOf = async (requestId: string) => (await readModel.find(requestId))?.status;
  const counters = () => new ServiceCounters(redis).read();
  const completed = (requestId: string) => new AnalysisCompletedEvent(requestId, MINIMAL_RESULT, new Date());

  it('writes the events of one run of microtasks in one command, before any read that follows them', async () => {
    const ids = await queued(3);
    // As the worker does: each request's outcome is published after an await of its own, then the job reads back.
    await Promise.all(ids.map(async (requestId) => projection.handle(completed(await Promise.resolve(requestId)))));
    const settled = await readModel.settledAmong(ids);

    expect([...settled].sort()).toEqual([...ids].sort());
    expect(writes).toHaveBeenCalledTimes(1);
    expect((await counters()).processed).toBe(3);
  });

  it('records each kind of progress with its own fields and counter', async () => {
    const [started, done, failed] = await queued(3);
    projection.handle(new AnalysisStartedEvent(started, 2, new Date('2026-01-01T00:00:00Z')));
    projection.handle(completed(done));
    projection.handle(new AnalysisFailedEvent(failed, 'the analyser refused it', new Date()));

    expect(await readModel.find(started)).toMatchObject({ status: 'processing', attempts: 2, startedAt: '2026-01-01T00:00:00.000Z' });
    expect(await readModel.find(done)).toMatchObject({ status: 'done', result: MINIMAL_RESULT });
    expect(await readModel.find(failed)).toMatchObject({ status: 'error', error: 'the analyser refused it' });
    expect(await counters()).toMatchObject({ processed: 1, failed: 1 });
  });

  it('never moves a finished request back, nor counts a repeated outcome again', async () => {
    const [requestId] = await queued(1);
    projection.handle(completed(requestId));
    await Promise.resolve();
    projection.handle(completed(requestId));
    projection.handle(new AnalysisStartedEvent(requestId, 2, new Date()));
    projection.handle(new AnalysisFailedEvent(requestId, 'late', new Date()));

    expect(await statusOf(requestId)).toBe('done');
    expect(await counters()).toMatchObject({ processed: 1, failed: 0 });
    expect(writes).toHaveBeenCalledTimes(2);
  });

  it('restarts the life of each record it moves, so a result is kept RESULT_TTL after it is ready', async () => {
    const [waitedLong, finished] = await queued(2);
    // One waited in the queue almost as long as records live; the other was finished then.
    await redis.expire(readModel.keyOf(waitedLong), 60);
    projection.handle(completed(finished));
    await Promise.resolve();
    await redis.expire(readModel.keyOf(finished), 60);

    projection.handle(completed(waitedLong));
    projection.handle(completed(finished));
    await Promise.resolve();

    expect(await redis.ttl(readModel.keyOf(waitedLong))).toBeGreaterThan(config.retention.resultTtlSeconds - 5);
    // A repeated outcome moves nothing: the finished record keeps the life its finish gave it.
    expect(await redis.ttl(readModel.keyOf(finished))).toBeLessThanOrEqual(60);
  });

  it('creates no record for a request whose record is gone, and counts nothing for it', async () => {
    const requestId = randomUUID();
    projection.handle(completed(requestId));

    expect(await redis.exists(readModel.keyOf(requestId))).toBe(0);
    expect((await counters()).processed).toBe(0);
  });

  it('counts each move with it when a later record of the same write cannot be moved', async () => {
    const [first, last] = await queued(2);
    const broken = randomUUID();
    await redis.set(readModel.keyOf(broken), 'not a hash');
    const failures = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    projection.handle(completed(first));
    projection.handle(completed(broken));
    projection.handle(completed(last));
    await Promise.resolve();

    expect(await statusOf(first)).toBe('done');
    expect(await statusOf(last)).toBe('queued');
    expect((await counters()).processed).toBe(1);
    expect(failures).toHaveBeenCalledWith(expect.stringMatching(/Could not record the progress of 3 request/));
    failures.mockRestore();
  });
});
