import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { connectRedis } from './redis-connection';
import { SilentConnectionWatch } from './silent-connection-watch';

/** The app's own Redis connection: read model, paper store, result cache, counters and the readiness probe. */
export const REDIS = Symbol('REDIS');

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => connectRedis(config.redis.url, `rpa-${config.role}`),
    },
    {
      provide: SilentConnectionWatch,
      inject: [REDIS],
      useFactory: (redis: Redis) => {
        const watch = new SilentConnectionWatch();
        watch.include(() => [redis]);
        return watch;
      },
    },
  ],
  exports: [REDIS, SilentConnectionWatch],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
