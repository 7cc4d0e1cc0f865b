import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { AnalysisFields } from '../llm/analysis';
import { readJsonValues } from '../redis/json-values';
import { repliesOf } from '../redis/pipeline-replies';
import { REDIS } from '../redis/redis.module';
import { redisKeys } from '../redis/redis-keys';

/**
 * The analyses of the parts of papers too long for one call, by each part's content key, kept for
 * CACHE_TTL seconds (a few kilobytes a part, left to expire): when a long paper's analysis fails after some
 * of its parts were answered (a call failing, a worker stopping or dying), its next attempt asks the LLM
 * only for the parts still unanswered.
 */
@Injectable()
export class PartAnalyses {
  private readonly ttlSeconds: number;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.ttlSeconds = config.cache.ttlSeconds;
  }

  getMany(partKeys: readonly string[]): Promise<Map<string, AnalysisFields>> {
    return readJsonValues<AnalysisFields>(this.redis, partKeys, redisKeys.partAnalysis);
  }

  async putMany(analyses: ReadonlyMap<string, AnalysisFields>): Promise<void> {
    if (analyses.size === 0) return;
    const pipeline = this.redis.pipeline();
    for (const [partKey, fields] of analyses) pipeline.set(redisKeys.partAnalysis(partKey), JSON.stringify(fields), 'EX', this.ttlSeconds);
    await repliesOf(pipeline);
  }
}
