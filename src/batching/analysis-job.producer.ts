import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable } from '@nestjs/common';
import type { JobOptions, Queue } from 'bull';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { ANALYSIS_QUEUE, ANALYZE_PAPERS_JOB, AnalyzePapersJob, QueuedRequest } from './analysis-queue';
import { LLM_AWARE_BACKOFF, RetryDelayOptions } from './retry-delay';

@Injectable()
export class AnalysisJobProducer {
  private readonly options: JobOptions;

  constructor(
    @InjectQueue(ANALYSIS_QUEUE) private readonly queue: Queue<AnalyzePapersJob>,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.options = {
      attempts: config.llm.attempts,
      backoff: { type: LLM_AWARE_BACKOFF, options: { baseDelayMs: config.llm.retryDelayMs } satisfies RetryDelayOptions },
      // Finished jobs leave Bull at once: the read model keeps what clients need.
      removeOnComplete: true,
      removeOnFail: true,
    };
  }

  /**
   * Adds one job for all the requests, whose caller has already counted them as waiting. Its id is the
   * first request's: Bull's own ids are sequential and would be guessable.
   */
  async enqueue(requests: readonly QueuedRequest[]): Promise<void> {
    await this.queue.add(ANALYZE_PAPERS_JOB, { requests: [...requests] }, { ...this.options, jobId: requests[0].requestId });
  }
}
