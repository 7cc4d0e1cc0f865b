import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable } from '@nestjs/common';
import type { JobOptions, Queue } from 'bull';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { ANALYSIS_QUEUE, ANALYZE_PAPER_JOB, AnalyzePaperJob } from './analysis-queue';
import { LLM_AWARE_BACKOFF, RetryDelayOptions } from './retry-delay';

@Injectable()
export class AnalysisJobProducer {
  private readonly options: JobOptions;

  constructor(
    @InjectQueue(ANALYSIS_QUEUE) private readonly queue: Queue<AnalyzePaperJob>,
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
   * Adds the jobs in one round trip. The request id is the job id: Bull's own ids are sequential and
   * would be guessable.
   */
  async enqueueMany(jobs: readonly AnalyzePaperJob[]): Promise<void> {
    await this.queue.addBulk(jobs.map((data) => ({ name: ANALYZE_PAPER_JOB, data, opts: { ...this.options, jobId: data.requestId } })));
  }
}
