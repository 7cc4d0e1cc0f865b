import { Inject, Injectable } from '@nestjs/common';
import Redis, { ChainableCommander } from 'ioredis';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { AnalysisResult } from '../../llm/analysis';
import { readJsonValues } from '../../redis/json-values';
import { REDIS } from '../../redis/redis.module';
import { redisKeys } from '../../redis/redis-keys';
import { SameTurnLookups } from '../../redis/same-turn-lookups';

/** Results by cache key (analyser, model, prompt version and paper hash), kept for CACHE_TTL seconds. */
@Injectable()
export class ResultCache {
  private readonly ttlSeconds: number;
  private readonly lookups = new SameTurnLookups<AnalysisResult>((cacheKeys) => this.getMany(cacheKeys));

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.ttlSeconds = config.cache.ttlSeconds;
  }

  /** Look-ups made in the same turn of the event loop share one MGET. */
  get(cacheKey: string): Promise<AnalysisResult | undefined> {
    return this.lookups.get(cacheKey);
  }

  getMany(cacheKeys: readonly string[]): Promise<Map<string, AnalysisResult>> {
    return readJsonValues<AnalysisResult>(this.redis, cacheKeys, redisKeys.result);
  }

  addPut(pipeline: ChainableCommander, cacheKey: string, result: AnalysisResult): void {
    pipeline.set(redisKeys.result(cacheKey), JSON.stringify(result), 'EX', this.ttlSeconds);
  }
}
