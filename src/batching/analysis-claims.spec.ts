import Redis from 'ioredis';
import { ResultCache } from '../analysis/read-model/result-cache';
import { loadAppConfig } from '../config/app-config';
import { AnalysisWithdrawnError } from '../llm/llm-errors';
import { redisKeys } from '../redis/redis-keys';
import { AnalysisClaims } from './analysis-claims';
import { MINIMAL_RESULT } from '../../test/support/minimal-analysis';

const REDIS_URL = 'redis://127.0.0.1:6379/11';
const neverStopped = new AbortController().signal;

/** Two instances stand for two worker processes sharing one Redis. */
describe('AnalysisClaims', () => {
  const connections: Redis[] = [];
  const claimsList: AnalysisClaims[] = [];
  const processClaims = () => {
    const redis = new Redis(REDIS_URL);
    connections.push(redis);
    const claims = new AnalysisClaims(redis, new ResultCache(redis, loadAppConfig({})));
    claimsList.push(claims);
    return { redis, claims };
  };

  beforeEach(async () => {
    const redis = new Redis(REDIS_URL);
    await redis.flushdb();
    await redis.quit();
  });
  afterAll(async () => {
    claimsList.forEach((claims) => claims.onApplicationShutdown());
    await Promise.all(connections.map((redis) => redis.quit()));
  });

  it('lets one process claim a paper; the other waits and receives the result it stores', async () => {
    const first = processClaims();
    const second = processClaims();
    expect(await first.claims.claim(['k1', 'k2'])).toEqual([true, true]);
    expect(await second.claims.claim(['k1', 'k3'])).toEqual([false, true]);

    const waited = second.claims.resultFromHolder('k1', neverStopped);
    await first.claims.complete('k1', MINIMAL_RESULT);
    await expect(waited).resolves.toEqual(MINIMAL_RESULT);
    expect(await first.redis.exists(redisKeys.analysing('k1'))).toBe(0);
  });

  it('tells a waiting process when the holder gave up without a result, so it can claim the paper itself', async () => {
    const first = processClaims();
    const second = processClaims();
    await first.claims.claim(['k1']);
    const waited = second.claims.resultFromHolder('k1', neverStopped);
    await first.claims.abandon('k1');
    await expect(waited).resolves.toBeUndefined();
    expect(await second.claims.claim(['k1'])).toEqual([true]);
  });

  it('stops waiting for the holder once told to stop', async () => {
    const first = processClaims();
    const second = processClaims();
    await first.claims.claim(['k1']);
    const stop = new AbortController();
    const waited = second.claims.resultFromHolder('k1', stop.signal);
    stop.abort();
    await expect(waited).rejects.toThrow(AnalysisWithdrawnError);
    await first.claims.abandon('k1');
  });

  it('never lets go of a claim another process holds', async () => {
    const first = processClaims();
    const second = processClaims();
    await first.claims.claim(['k1']);
    await second.claims.abandon('k1');
    await second.claims.complete('k1', MINIMAL_RESULT);
    expect(await first.redis.get(redisKeys.analysing('k1'))).not.toBeNull();
    await first.claims.abandon('k1');
  });

  it('lets go of the claims it took when part of the claiming pipeline failed', async () => {
    const first = processClaims();
    const second = processClaims();
    const createPipeline = first.redis.pipeline.bind(first.redis);
    // The SETs all run; the second one's reply is replaced by the error a dropped connection gives.
    jest.spyOn(first.redis, 'pipeline').mockImplementationOnce(() => {
      const pipeline = createPipeline();
      const exec = pipeline.exec.bind(pipeline);
      return Object.assign(pipeline, {
        exec: async () => (await exec())!.map(([error, reply], index): [Error | null, unknown] => (index === 1 ? [new Error('Connection is closed.'), null] : [error, reply])),
      });
    });
    await expect(first.claims.claim(['k1', 'k2', 'k3'])).rejects.toThrow('Connection is closed.');
    expect(await second.claims.claim(['k1', 'k2', 'k3'])).toEqual([true, true, true]);
  });

  it('keeps renewing the claims of jobs still running once shutdown has begun, and stops with the last', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      const { claims, redis } = processClaims();
      await claims.claim(['k1']);
      await redis.pexpire(redisKeys.analysing('k1'), 1_000);
      claims.onApplicationShutdown();
      await jest.advanceTimersByTimeAsync(10_000);
      await redis.ping();
      expect(await redis.pttl(redisKeys.analysing('k1'))).toBeGreaterThan(20_000);

      await claims.abandon('k1');
      await jest.advanceTimersByTimeAsync(10_000);
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });

  it('claims with a lease, so a dead holder\'s claim lapses', async () => {
    const { claims, redis } = processClaims();
    await claims.claim(['k1']);
    const leaseMs = await redis.pttl(redisKeys.analysing('k1'));
    expect(leaseMs).toBeGreaterThan(20_000);
    expect(leaseMs).toBeLessThanOrEqual(30_000);
    await claims.abandon('k1');
  });
});
