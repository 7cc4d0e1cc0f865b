import { Module } from '@nestjs/common';
import Redis from 'ioredis';
import { ServiceCounters } from '../analysis/read-model/service-counters';
import { ServiceCountersModule } from '../analysis/read-model/service-counters.module';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { REDIS } from '../redis/redis.module';
import { AnalyzerIdentity } from './analyzer-identity';
import { GroqPaperAnalyzer } from './groq/groq-paper-analyzer';
import { OfflinePaperAnalyzer } from './offline/offline-paper-analyzer';
import { PAPER_ANALYZER, PaperAnalyzer } from './paper-analyzer.port';
import { SharedRateLimiter } from './rate-limit/shared-rate-limiter';

const createRateLimiter = (config: AppConfig, redis: Redis, counters: ServiceCounters) =>
  new SharedRateLimiter(redis, config.llm.limits, config.llm.groq.timeoutMs, counters);

/** The groq adapter calls within the key's limits, shared with every worker process; the offline analyser has none. */
function createAnalyzer(config: AppConfig, limiter: SharedRateLimiter): PaperAnalyzer {
  return config.llm.provider === 'groq' ? new GroqPaperAnalyzer(config.llm, limiter) : new OfflinePaperAnalyzer();
}

@Module({
  imports: [ServiceCountersModule],
  providers: [
    { provide: AnalyzerIdentity, inject: [APP_CONFIG], useFactory: AnalyzerIdentity.fromConfig },
    { provide: SharedRateLimiter, inject: [APP_CONFIG, REDIS, ServiceCounters], useFactory: createRateLimiter },
    { provide: PAPER_ANALYZER, inject: [APP_CONFIG, SharedRateLimiter], useFactory: createAnalyzer },
  ],
  exports: [AnalyzerIdentity, PAPER_ANALYZER],
})
export class LlmModule {}
