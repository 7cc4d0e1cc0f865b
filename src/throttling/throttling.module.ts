import { ExecutionContext, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerLimitDetail, ThrottlerModule, seconds } from '@nestjs/throttler';
import Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { REDIS } from '../redis/redis.module';
import { redisKeys } from '../redis/redis-keys';
import { ClientThrottlerGuard } from './client-throttler.guard';
import { RedisThrottlerStorage } from './redis-throttler-storage';
import { throttleKindOf } from './throttle-kind.decorator';

function limitFor(config: AppConfig) {
  return (context: ExecutionContext) => (throttleKindOf(context) === 'poll' ? config.throttle.pollLimit : config.throttle.submitLimit);
}

function tooManyRequests(config: AppConfig) {
  return (_context: ExecutionContext, detail: ThrottlerLimitDetail) =>
    `too many requests from this client: at most ${detail.limit} per ${config.throttle.ttlSeconds} s; try again after the seconds in Retry-After`;
}

/** ThrottlerGuard on every route that declares a throttle kind, its counters shared through Redis. */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG, REDIS],
      useFactory: (config: AppConfig, redis: Redis) => ({
        throttlers: [{ ttl: seconds(config.throttle.ttlSeconds), limit: limitFor(config) }],
        storage: new RedisThrottlerStorage(redis),
        errorMessage: tooManyRequests(config),
        generateKey: (context: ExecutionContext, tracker: string) => redisKeys.throttle(throttleKindOf(context) ?? 'submit', tracker),
      }),
    }),
  ],
  // One instance, also run by the hook that counts a request before its body is read.
  providers: [ClientThrottlerGuard, { provide: APP_GUARD, useExisting: ClientThrottlerGuard }],
  exports: [ClientThrottlerGuard],
})
export class ThrottlingModule {}
