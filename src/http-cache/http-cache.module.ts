import { CacheModule } from '@nestjs/cache-manager';
import { Module } from '@nestjs/common';
import { createCache } from 'cache-manager';
import Redis from 'ioredis';
import { Keyv } from 'keyv';
import { REDIS } from '../redis/redis.module';
import { KEY_PREFIX } from '../redis/redis-keys';
import { FINISHED_ANSWER_CACHE, FinishedAnswerCacheInterceptor } from './finished-answer-cache.interceptor';
import { LruKeyvStore } from './lru-keyv-store';
import { TieredCacheInterceptor } from './tiered-cache.interceptor';
import { RedisKeyvStore } from './redis-keyv-store';

/** Enough recent answers to serve hot polls from memory, few enough to keep each process small. */
const IN_PROCESS_ENTRIES = 5_000;

/**
 * Entries stay objects: Keyv would otherwise write each one as JSON and parse it back on every hit, which
 * cost a poll of a finished answer more than all the rest of its route. Answers are never changed once cached.
 */
const inProcessStore = () => new Keyv({ store: new LruKeyvStore(IN_PROCESS_ENTRIES), serialize: undefined, deserialize: undefined });

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
        stores: [inProcessStore(), new Keyv({ store: new RedisKeyvStore(redis, `${KEY_PREFIX}:http-cache:`) })],
      }),
    }),
  ],
  providers: [{ provide: FINISHED_ANSWER_CACHE, useFactory: () => createCache({ stores: [inProcessStore()] }) }, FinishedAnswerCacheInterceptor, TieredCacheInterceptor],
  exports: [CacheModule, FINISHED_ANSWER_CACHE, FinishedAnswerCacheInterceptor, TieredCacheInterceptor],
})
export class HttpCacheModule {}
