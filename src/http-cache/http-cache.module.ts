import { CacheModule } from '@nestjs/cache-manager';
import { Module } from '@nestjs/common';
import { createCache } from 'cache-manager';
import Redis from 'ioredis';
import { Keyv } from 'keyv';
import { REDIS } from '../redis/redis.module';
import { KEY_PREFIX } from '../redis/redis-keys';
import { FINISHED_ANSWER_CACHE, FinishedAnswerCacheInterceptor } from './finished-answer-cache.interceptor';
import { inProcessKeyv } from './lru-keyv-store';
import { TieredCacheInterceptor } from './tiered-cache.interceptor';
import { RedisKeyvStore } from './redis-keyv-store';

/** Enough recent answers to serve hot polls from memory, few enough to keep each process small. */
const IN_PROCESS_ENTRIES = 5_000;

/**
 * Cached HTTP answers. The default cache has two tiers, a small in-process LRU in front of Redis shared
 * by every API process. Finished request answers use the in-process tier alone: their record in Redis
 * is already one read away, so a Redis tier would only add a lookup to every poll that misses.
 */
@Module({
  imports: [
    CacheModule.registerAsync({
      inject: [REDIS],
      useFactory: (redis: Redis) => ({
        stores: [inProcessKeyv(IN_PROCESS_ENTRIES), new Keyv({ store: new RedisKeyvStore(redis, `${KEY_PREFIX}:http-cache:`) })],
      }),
    }),
  ],
  providers: [{ provide: FINISHED_ANSWER_CACHE, useFactory: () => createCache({ stores: [inProcessKeyv(IN_PROCESS_ENTRIES)] }) }, FinishedAnswerCacheInterceptor, TieredCacheInterceptor],
  exports: [CacheModule, FINISHED_ANSWER_CACHE, FinishedAnswerCacheInterceptor, TieredCacheInterceptor],
})
export class HttpCacheModule {}
