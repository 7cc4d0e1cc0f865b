import { InjectQueue } from '@nestjs/bull';
import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Queue } from 'bull';
import Redis from 'ioredis';
import { ANALYSIS_QUEUE } from '../../../batching/analysis-queue';
import { WaitingRequests } from '../../../batching/waiting-requests';
import { WORKER_SILENCE_MS } from '../../../batching/worker-heartbeat';
import { AnalyzerIdentity } from '../../../llm/analyzer-identity';
import { REDIS } from '../../../redis/redis.module';
import { redisKeys } from '../../../redis/redis-keys';
import { ServiceCounters } from '../../read-model/service-counters';
import { GetServiceStatusQuery } from './get-service-status.query';
import { ServiceStatusDto } from './service-status.dto';

const perCall = (total: number, calls: number) => (calls > 0 ? Math.round((total / calls) * 10) / 10 : 0);

@QueryHandler(GetServiceStatusQuery)
export class GetServiceStatusHandler implements IQueryHandler<GetServiceStatusQuery, ServiceStatusDto> {
  constructor(
    @InjectQueue(ANALYSIS_QUEUE) private readonly queue: Queue,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly counters: ServiceCounters,
    private readonly identity: AnalyzerIdentity,
    private readonly waitingRequests: WaitingRequests,
  ) {}

  async execute(): Promise<ServiceStatusDto> {
    const [counts, waitingRequests, workers, totals] = await Promise.all([
      this.queue.getJobCounts(),
      this.waitingRequests.count(),
      this.redis.zcount(redisKeys.workers, Date.now() - WORKER_SILENCE_MS, '+inf'),
      this.counters.read(),
    ]);
    // An analyser call's time includes its wait for the shared rate limit, which is reported apart. The wait is
    // counted a moment before the call's time, so for that moment the difference can be below zero.
    const callMs = Math.max(0, totals.llm_call_ms - totals.llm_rate_limit_wait_ms);
    return {
      queue: {
        waiting_requests: waitingRequests,
        waiting: counts.waiting,
        active: counts.active,
        delayed: counts.delayed,
        paused: (counts as { paused?: number }).paused ?? 0,
      },
      workers,
      analyses: { submitted: totals.submitted, processed: totals.processed, failed: totals.failed },
      cache: { hits: totals.cache_hits, misses: totals.cache_misses },
      llm: {
        provider: this.identity.provider,
        model: this.identity.model,
        calls: totals.llm_calls,
        failed_calls: totals.llm_failed_calls,
        papers: totals.llm_papers,
        shared_papers: totals.llm_shared_papers,
        call_ms: callMs,
        papers_per_call: perCall(totals.llm_papers, totals.llm_calls),
        average_call_ms: perCall(callMs, totals.llm_calls),
        prompt_tokens: totals.llm_prompt_tokens,
        completion_tokens: totals.llm_completion_tokens,
        rate_limited_calls: totals.llm_rate_limited_calls,
        rate_limit_wait_ms: totals.llm_rate_limit_wait_ms,
      },
      uptime_seconds: Math.round(process.uptime() * 10) / 10,
    };
  }
}
