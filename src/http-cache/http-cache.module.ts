import { CacheModule } from '@nestjs/cache-manager';
import { Module } from '@nestjs/common';
import Redis from 'ioredis';
import { Keyv } from 'keyv';
import { LRUCache } from 'lru-cache';
import { REDIS } from '../redis/redis.module';
import { KEY_PREFIX } from '../redis/redis-keys';
import { FinishedAnswerCacheInterceptor } from './finished-answer-cache.interceptor';
import { RedisKeyvStore } from './redis-keyv-store';

/** Enough recent answers to serve hot polls from memory, few enough to keep each process small. */
const IN_PROCESS_ENTRIES = 5_000;

/** Two tiers for cached HTTP answers: a small in-process LRU in front of Redis, shared by every API process. */
@Module({
  imports: [
    CacheModule.registerAsync({
      inject: [REDIS],
      useFactory: (redis: Redis) => ({
        stores: [
          new Keyv({ store: new LRUCache<string, object>({ max: IN_PROCESS_ENTRIES }) }),
          new Keyv({ store: new RedisKeyvStore(redis, `${KEY_PREFIX}:http-cache:`) }),
        ],
      }),
    }),
  ],
  providers: [FinishedAnswerCacheInterceptor],
  exports: [CacheModule, FinishedAnswerCacheInterceptor],
})
export class HttpCacheModule {}
