import { Inject, Injectable } from '@nestjs/common';
import Redis, { ChainableCommander } from 'ioredis';
import { REDIS } from '../../redis/redis.module';
import { redisKeys } from '../../redis/redis-keys';

export const COUNTERS = [
  'submitted',
  'processed',
  'failed',
  'cache_hits',
  'cache_misses',
  'llm_calls',
  'llm_failed_calls',
  'llm_papers',
  'llm_shared_papers',
  'llm_call_ms',
  'llm_prompt_tokens',
  'llm_completion_tokens',
  'llm_rate_limited_calls',
  'llm_rate_limit_wait_ms',
] as const;
export type Counter = (typeof COUNTERS)[number];

/** Service-wide totals shared by every process, kept in one Redis hash. */
@Injectable()
export class ServiceCounters {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  addIncrement(pipeline: ChainableCommander, counter: Counter, by = 1): void {
    pipeline.hincrby(redisKeys.stats, counter, by);
  }

  async increment(increments: Partial<Record<Counter, number>>): Promise<void> {
    const pipeline = this.redis.multi();
    for (const [counter, by] of Object.entries(increments)) if (by) this.addIncrement(pipeline, counter as Counter, by);
    await pipeline.exec();
  }

  /** Adds a read of `counters` to `pipeline`; its reply is their values, in order, as strings or null. */
  addRead(pipeline: ChainableCommander, counters: readonly Counter[]): void {
    pipeline.hmget(redisKeys.stats, ...counters);
  }

  async read(): Promise<Record<Counter, number>> {
    const values = await this.redis.hmget(redisKeys.stats, ...COUNTERS);
    return Object.fromEntries(COUNTERS.map((counter, index) => [counter, Number(values[index] ?? 0)])) as Record<Counter, number>;
  }
}
