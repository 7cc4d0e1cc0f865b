import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { hostname } from 'node:os';
import { REDIS } from '../redis/redis.module';
import { redisKeys } from '../redis/redis-keys';

const BEAT_MS = 5_000;
/** A worker that missed this many beats no longer counts as running. */
export const WORKER_SILENCE_MS = 3 * BEAT_MS;

/** Each worker process marks itself alive in a sorted set, so GET /status can count the running workers. */
@Injectable()
export class WorkerHeartbeat implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly member = `${hostname()}:${process.pid}`;
  private timer: NodeJS.Timeout | undefined;

  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat().catch(() => undefined), BEAT_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.redis.zrem(redisKeys.workers, this.member).catch(() => undefined);
  }

  private async beat(): Promise<void> {
    const now = Date.now();
    await this.redis.multi().zadd(redisKeys.workers, now, this.member).zremrangebyscore(redisKeys.workers, 0, now - WORKER_SILENCE_MS).exec();
  }
}
