import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import Redis from 'ioredis';
import { REDIS } from '../redis/redis.module';
import { redisKeys } from '../redis/redis-keys';
import { ANALYSIS_QUEUE } from './analysis-queue';

/**
 * How many requests wait for a worker. A job carries a whole submission window, so Bull's job counts say
 * little: API processes add each job's requests to a count in Redis and workers take them off as they start
 * a job. An empty wait list means nothing waits, whatever the count says (a job run again after its worker
 * died is taken off twice).
 */
@Injectable()
export class WaitingRequests {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @InjectQueue(ANALYSIS_QUEUE) private readonly queue: Queue,
  ) {}

  async added(count: number): Promise<void> {
    await this.redis.incrby(redisKeys.waitingRequests, count);
  }

  async taken(count: number): Promise<void> {
    await this.redis.decrby(redisKeys.waitingRequests, count);
  }

  async count(): Promise<number> {
    const [[, waitingJobs], [, waitingRequests]] = (await this.redis
      .pipeline()
      .llen(this.queue.toKey('wait'))
      .get(redisKeys.waitingRequests)
      .exec()) as [[null, number], [null, string | null]];
    return waitingJobs === 0 ? 0 : Math.max(waitingJobs, Number(waitingRequests ?? 0));
  }
}
