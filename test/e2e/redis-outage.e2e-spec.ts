import Redis from 'ioredis';
import { COMMAND_TIMEOUT_MS } from '../../src/redis/redis-connection';
import { BULL_PREFIX, redisKeys } from '../../src/redis/redis-keys';
import { SILENT_CONNECTION_TIMEOUT_MS } from '../../src/redis/silent-connection-watch';
import { eventually } from '../support/eventually';
import { pollUntilFinished, postJson, request } from '../support/http-client';
import { PartitioningProxy } from '../support/partitioning-proxy';
import { PrivateRedisServer } from '../support/private-redis-server';
import { sampleAbstract } from '../support/sample-papers';
import { RunningApp, startApp } from '../support/test-app';

/** The app against a Redis of its own that the test stops and starts again. */
describe('when Redis goes away', () => {
  const redis = new PrivateRedisServer(16391);
  let service: RunningApp;

  beforeAll(async () => {
    await redis.start();
    service = await startApp(0, { REDIS_URL: redis.url, APP_ROLE: 'api' });
  });
  afterAll(async () => {
    await service?.close().catch(() => undefined);
    await redis.stop();
  });

  /** Submits until the app accepts again, for up to 10 s. */
  const acceptedAgain = async (seed: number) =>
    (await eventually(() => postJson(service.baseUrl, '/analyze', { abstract: sampleAbstract(seed) }), (answer) => answer.status === 202, 10_000, 200)).status;

  it('answers 503 with Retry-After, stays live but not ready, and recovers when Redis is back', async () => {
    expect((await postJson(service.baseUrl, '/analyze', { abstract: sampleAbstract(1) })).status).toBe(202);
    await redis.stop();

    const refused = await postJson(service.baseUrl, '/analyze', { abstract: sampleAbstract(2) });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(refused.body).toEqual({ statusCode: 503, error: 'Service Unavailable', message: expect.stringMatching(/cannot use its queue store \(Redis\)/) });
    expect((await request(service.baseUrl, '/health/live')).status).toBe(200);
    const ready = await request(service.baseUrl, '/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.error.redis.status).toBe('down');

    await redis.start();
    expect(await acceptedAgain(3)).toBe(202);
    expect((await request(service.baseUrl, '/health/ready')).status).toBe(200);
  });

  it('answers 503 with Retry-After while Redis refuses writes for want of memory, and recovers', async () => {
    const admin = new Redis(redis.url);
    try {
      // Under maxmemory with the default noeviction policy, Redis refuses every write with OOM.
      await admin.config('SET', 'maxmemory', '1');
      const refused = await postJson(service.baseUrl, '/analyze', { abstract: sampleAbstract(4) });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('5');
      await admin.config('SET', 'maxmemory', '0');
      expect((await postJson(service.baseUrl, '/analyze', { abstract: sampleAbstract(4) })).status).toBe(202);
    } finally {
      await admin.config('SET', 'maxmemory', '0');
      await admin.quit();
    }
  });

  it('answers 503 rather than hang while Redis keeps the connection but stops answering', async () => {
    const admin = new Redis(redis.url);
    try {
      // Every client's commands wait until the pause ends, longer than the app waits for an answer.
      await admin.call('CLIENT', 'PAUSE', '7000', 'ALL');
      const refused = await postJson(service.baseUrl, '/analyze', { abstract: sampleAbstract(5) });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('5');
    } finally {
      admin.disconnect();
    }
    expect(await acceptedAgain(5)).toBe(202);
  });
});

/** The app reaching its Redis through a proxy that can cut off Bull's connections alone. */
describe("when Redis stops answering Bull's connections", () => {
  const redis = new PrivateRedisServer(16392);
  let proxy: PartitioningProxy;
  let service: RunningApp;
  let admin: Redis;

  beforeAll(async () => {
    await redis.start();
    proxy = new PartitioningProxy(redis.port);
    service = await startApp(0, { REDIS_URL: await proxy.start(), APP_ROLE: 'api' });
    admin = new Redis(redis.url);
  });
  afterAll(async () => {
    proxy?.heal();
    await service?.close().catch(() => undefined);
    admin?.disconnect();
    await proxy?.stop();
    await redis.stop();
  });

  const queuedRecords = async () => {
    const keys = await admin.keys(redisKeys.request('*'));
    const statuses = await Promise.all(keys.map((key) => admin.hget(key, 'status')));
    return statuses.filter((status) => status === 'queued').length;
  };

  it('answers 503 once the enqueue times out, leaves no record without its job, and accepts again once it heals', async () => {
    expect((await postJson(service.baseUrl, '/analyze', { abstract: sampleAbstract(20) })).status).toBe(202);
    expect(await queuedRecords()).toBe(1);

    // The record is written on the app's own connection; the job's add on Bull's, which now gets no answer.
    proxy.cutOff('rpa-bull');
    const startedAt = Date.now();
    const refused = await postJson(service.baseUrl, '/analyze', { abstract: sampleAbstract(21) });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    // The add and the check whether it was made each wait out the command timeout.
    expect(Date.now() - startedAt).toBeLessThan(4 * COMMAND_TIMEOUT_MS);
    expect(await queuedRecords()).toBe(1);

    proxy.heal();
    expect((await postJson(service.baseUrl, '/analyze', { abstract: sampleAbstract(22) })).status).toBe(202);
    expect(await queuedRecords()).toBe(2);
  }, 40_000);
});

/** A worker reaching its Redis through a proxy that loses its connections; the api process reaches Redis directly. */
describe("when the network loses the worker's connections to Redis without closing them", () => {
  const redis = new PrivateRedisServer(16393);
  let proxy: PartitioningProxy;
  let api: RunningApp;
  let worker: RunningApp;
  let admin: Redis;

  beforeAll(async () => {
    await redis.start();
    proxy = new PartitioningProxy(redis.port);
    const settings = { BATCH_TIMEOUT_MS: '20' };
    api = await startApp(0, { REDIS_URL: redis.url, APP_ROLE: 'api', ...settings });
    worker = await startApp(0, { REDIS_URL: await proxy.start(), APP_ROLE: 'worker', ...settings });
    admin = new Redis(redis.url);
  });
  afterAll(async () => {
    await Promise.all([api, worker].map((app) => app?.close().catch(() => undefined)));
    admin?.disconnect();
    await proxy?.stop();
    await redis.stop();
  });

  const analyse = async (seed: number) => {
    const accepted = await postJson(api.baseUrl, '/analyze', { abstract: sampleAbstract(seed) });
    expect(accepted.status).toBe(202);
    return (await pollUntilFinished(api.baseUrl, accepted.body.request_id)).body.status;
  };

  /** Redis's ids of the worker's own connection and of the one it waits for jobs on, which Bull names after the queue. */
  const workerConnectionIds = async () => {
    const clients = ((await admin.call('CLIENT', 'LIST')) as string).split('\n').filter(Boolean);
    return clients.flatMap((line) => {
      const [, id, name] = /\bid=(\d+) .*\bname=(\S*)/.exec(line) ?? [];
      return name === 'rpa-worker' || name?.startsWith(`${BULL_PREFIX}:`) ? [id] : [];
    });
  };

  it('drops the connections that owe answers once they have been silent too long, connects again and takes jobs', async () => {
    expect(await analyse(30)).toBe('done');
    const lost = await workerConnectionIds();
    expect(lost).toHaveLength(2);

    // Its wait for the next job and its heartbeat now get no answer.
    proxy.loseOpenConnections();
    const startedAt = Date.now();
    const replacements = await eventually(
      async () => (await workerConnectionIds()).filter((id) => !lost.includes(id)),
      (ids) => ids.length === 2,
      2 * SILENT_CONNECTION_TIMEOUT_MS,
      250,
    );
    expect(replacements).toHaveLength(2);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(SILENT_CONNECTION_TIMEOUT_MS - 1_000);
    expect(await analyse(31)).toBe('done');
  }, 60_000);
});
