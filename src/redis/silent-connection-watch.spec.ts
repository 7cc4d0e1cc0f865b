import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { PartitioningProxy } from '../../test/support/partitioning-proxy';
import { SilentConnectionWatch } from './silent-connection-watch';

const SILENCE_MS = 600;

describe('SilentConnectionWatch', () => {
  let proxy: PartitioningProxy;
  let connection: Redis;
  let watch: SilentConnectionWatch;
  /** Times the connection reached Redis, the first included. */
  let connects: number;

  beforeEach(async () => {
    proxy = new PartitioningProxy(6379);
    connection = new Redis(`${await proxy.start()}/10`, { retryStrategy: () => 50 });
    connection.on('error', () => undefined);
    connects = 0;
    connection.on('connect', () => (connects += 1));
    await connection.ping();
    watch = new SilentConnectionWatch(SILENCE_MS);
    watch.include(() => [connection]);
    watch.onModuleInit();
  });
  afterEach(async () => {
    watch.onApplicationShutdown();
    connection.disconnect();
    await proxy.stop();
  });

  it('drops a connection that owes an answer and hears nothing, and the command is answered on the next', async () => {
    const warnings = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    proxy.loseOpenConnections();
    const startedAt = Date.now();
    await expect(connection.echo('still there')).resolves.toBe('still there');
    expect(connects).toBe(2);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(SILENCE_MS);
    expect(warnings).toHaveBeenCalledWith(expect.stringMatching(/^No answer from Redis for \d+ s with commands waiting \(1\): connecting again$/));
    warnings.mockRestore();
  });

  it('leaves a silent connection alone while it owes nothing', async () => {
    proxy.loseOpenConnections();
    await sleep(3 * SILENCE_MS);
    expect(connects).toBe(1);
    expect(connection.status).toBe('ready');
  });

  it('leaves a connection alone while Redis answers each wait within the silence allowed', async () => {
    const waits = [1, 2, 3, 4, 5].map(() => connection.blpop(`silent-connection-watch:nothing:${process.pid}`, 0.3));
    await expect(Promise.all(waits)).resolves.toEqual([null, null, null, null, null]);
    expect(connects).toBe(1);
  });
});
